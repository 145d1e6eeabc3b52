import { ValueError } from './errors.ts';

/**
 * An optional map of Postgres column types, for records written with `schemas.enable=false`
 * (which carry no types) and to tell NUMERIC from double precision under
 * `decimal.handling.mode=double`. Keys are `schema.table`, values map column → the type as
 * Postgres' `format_type()` prints it, e.g.
 *   { "public.orders": { "id": "bigint", "total": "numeric(12,2)", "created_at": "timestamp with time zone" } }
 * Generate it with:
 *   select n.nspname || '.' || c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
 *   from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
 *   where a.attnum > 0 and not a.attisdropped and n.nspname = 'public' and c.relkind = 'r';
 * Types it does not know (enums, domains...) are treated as text.
 */
export type ColumnTypeMap = Record<string, Record<string, string>>;

export type PgKind =
  | { kind: 'int' }
  | { kind: 'int64' }
  | { kind: 'float' }
  | { kind: 'bool' }
  | { kind: 'text' }
  | { kind: 'json' }
  | { kind: 'numeric'; scale: number | null }
  | { kind: 'timestamptz' }
  | { kind: 'timestamp'; precision: number | null }
  | { kind: 'date' }
  | { kind: 'time'; precision: number | null }
  | { kind: 'bytea' }
  | { kind: 'array'; of: PgKind };

const SIMPLE: Record<string, PgKind> = {
  smallint: { kind: 'int' },
  int2: { kind: 'int' },
  integer: { kind: 'int' },
  int: { kind: 'int' },
  int4: { kind: 'int' },
  bigint: { kind: 'int64' },
  int8: { kind: 'int64' },
  real: { kind: 'float' },
  float4: { kind: 'float' },
  'double precision': { kind: 'float' },
  float8: { kind: 'float' },
  boolean: { kind: 'bool' },
  bool: { kind: 'bool' },
  json: { kind: 'json' },
  jsonb: { kind: 'json' },
  date: { kind: 'date' },
  bytea: { kind: 'bytea' },
  money: { kind: 'numeric', scale: 2 },
  timestamptz: { kind: 'timestamptz' },
};

export function parsePgType(type: string): PgKind {
  const t = type.trim().toLowerCase().replace(/\s+/g, ' ');
  if (t.endsWith('[]')) return { kind: 'array', of: parsePgType(t.slice(0, -2)) };
  const simple = SIMPLE[t];
  if (simple) return simple;
  let m = /^(?:numeric|decimal)(?:\((\d+)(?:,\s?(-?\d+))?\))?$/.exec(t);
  if (m) return { kind: 'numeric', scale: m[1] === undefined ? null : Number(m[2] ?? '0') };
  m = /^timestamp(?:\((\d)\))?( with time zone| without time zone)?$/.exec(t);
  if (m) {
    if (m[2] === ' with time zone') return { kind: 'timestamptz' };
    return { kind: 'timestamp', precision: m[1] === undefined ? null : Number(m[1]) };
  }
  m = /^time(?:\((\d)\))?( with time zone| without time zone)?$/.exec(t);
  if (m) {
    // timetz is kept as Debezium's ZonedTime string
    if (m[2] === ' with time zone') return { kind: 'text' };
    return { kind: 'time', precision: m[1] === undefined ? null : Number(m[1]) };
  }
  if (t === 'timetz') return { kind: 'text' };
  return { kind: 'text' };
}

export type ColumnTypeLookup = (table: string, column: string) => PgKind | undefined;

export function columnTypeLookup(map: ColumnTypeMap | undefined): ColumnTypeLookup {
  const cache = new Map<string, PgKind>();
  return (table, column) => {
    const type = map?.[table]?.[column];
    if (type === undefined) return undefined;
    const key = `${table}\u0000${column}`;
    let kind = cache.get(key);
    if (!kind) {
      kind = parsePgType(type);
      cache.set(key, kind);
    }
    return kind;
  };
}

export function validateColumnTypeMap(value: unknown): ColumnTypeMap {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValueError('column type map must be an object of tables');
  }
  for (const [table, columns] of Object.entries(value)) {
    if (!/^[^.]+\.[^.]+$/.test(table)) throw new ValueError(`column type map: table ${table} must be schema.table`);
    if (typeof columns !== 'object' || columns === null || Array.isArray(columns)) {
      throw new ValueError(`column type map: ${table} must map columns to types`);
    }
    for (const [column, type] of Object.entries(columns)) {
      if (typeof type !== 'string') throw new ValueError(`column type map: ${table}.${column} must be a type name`);
    }
  }
  return value as ColumnTypeMap;
}
