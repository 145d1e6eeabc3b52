/**
 * The normalized change event: what both change sources (pgoutput and Debezium) produce for one
 * committed row change. Column values are lossless and identical whichever source produced them:
 * smallint/integer → number; bigint/numeric → decimal string; boolean; text/varchar/uuid/enum →
 * string; json/jsonb → parsed; timestamp(tz) → ISO-8601 UTC with microseconds; date → YYYY-MM-DD.
 * A column the source could not give (unchanged TOAST) is absent from `after` and listed in
 * `unchanged`: consumers merge instead of overwriting.
 */
export type ChangeSource = 'pg' | 'debezium';

/** c = insert, u = update, d = delete, r = snapshot read, t = truncate. */
export type ChangeOp = 'c' | 'u' | 'd' | 'r' | 't';

export type ColumnValue = null | boolean | number | string | ColumnValue[] | { [key: string]: ColumnValue };
export type Row = Record<string, ColumnValue>;

export interface ChangeEvent {
  source: ChangeSource;
  /** schema-qualified, e.g. `public.orders` */
  table: string;
  op: ChangeOp;
  key: Row | null;
  before: Row | null;
  after: Row | null;
  unchanged: string[];
  txId: string | null;
  /** commit time, ms since epoch */
  commitTs: number | null;
  /** opaque, totally ordered within one source (compare with `comparePositions`) */
  position: string;
}

/**
 * Positions are fixed-width strings by construction so that plain string comparison orders them.
 * Each source documents its own format; this comparator is the one place that relies on it.
 */
export function comparePositions(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
