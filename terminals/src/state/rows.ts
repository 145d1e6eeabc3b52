/**
 * Reading entities from two sources that describe the same rows: domain events from the hub
 * (cdc's entities: camelCase, timestamps with microseconds, money as `totalAmount` + `currency`)
 * and api responses (snake_case JSON, timestamps with milliseconds, money as `{ amount, currency }`).
 * Inputs are first turned to camelCase keys; fields that are absent stay absent (a partial row is
 * merged, never used to blank out what is known).
 */
export type Row = Record<string, unknown>;

export function isRow(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `table_label` → `tableLabel`, one level deep (nested rows are camelized where they are read). */
export function camelKeys(row: Row): Row {
  const out: Row = {};
  for (const [key, value] of Object.entries(row)) {
    out[key.includes('_') ? key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()) : key] = value;
  }
  return out;
}

/** ms since epoch, or null; undefined when the field is not in the row at all. */
export function timeField(row: Row, key: string): number | null | undefined {
  if (!(key in row)) return undefined;
  return parseTime(row[key]);
}

export function parseTime(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value !== 'string' || value === '') return null;
  // Postgres gives microseconds; Date.parse wants at most milliseconds to be portable.
  const trimmed = value.replace(/(\.\d{3})\d+/, '$1').replace(' ', 'T');
  const ms = Date.parse(trimmed);
  return Number.isNaN(ms) ? null : ms;
}

export function idField(row: Row, key: string): string | undefined {
  const value = row[key];
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

export function textField(row: Row, key: string): string | null | undefined {
  if (!(key in row)) return undefined;
  const value = row[key];
  if (value === null) return null;
  return typeof value === 'string' ? value : String(value);
}

export function intField(row: Row, key: string): number | undefined {
  const value = row[key];
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return undefined;
}

/** Money as api JSON (`{ amount, currency }` under `key`) or as entity fields (`keyAmount` + `currency`). */
export function moneyField(row: Row, key: string): { amount: number; currency: string } | undefined {
  const nested = row[key];
  if (isRow(nested)) {
    const amount = intField(nested, 'amount');
    const currency = textField(nested, 'currency');
    if (amount !== undefined && currency) return { amount, currency };
  }
  const amount = intField(row, `${key}Amount`);
  const currency = textField(row, 'currency');
  if (amount !== undefined && currency) return { amount, currency: currency.trim() };
  return undefined;
}

/** Modifiers are jsonb: strings, or objects naming the modifier. Shown as short strings. */
export function modifierList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const out: string[] = [];
  for (const m of value) {
    if (typeof m === 'string') out.push(m);
    else if (isRow(m)) {
      const name = textField(m, 'name') ?? textField(m, 'label') ?? textField(m, 'value');
      if (name) out.push(name);
    }
  }
  return out;
}

/** Drops the keys whose value is undefined, so `{ ...old, ...defined(partial) }` merges. */
export function defined<T extends object>(partial: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(partial)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/** Is `incoming` at least as new as `current`? Unknown versions are taken (the stream is ordered). */
export function isNotOlder(incoming: number | null | undefined, current: number | null | undefined): boolean {
  if (incoming == null || current == null) return true;
  return incoming >= current;
}
