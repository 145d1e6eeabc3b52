import { ValueError } from './errors.ts';

/**
 * Debezium's temporal encodings → the normalized forms both sources produce:
 * timestamp/timestamptz → `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC, always 6 fraction digits),
 * date → `YYYY-MM-DD`, time → `HH:MM:SS.ffffff`. Integer inputs are BigInt so NanoTimestamp
 * (beyond 2^53) stays exact; Postgres keeps microseconds, so nanoseconds are truncated.
 */

export type EpochUnit = 'ms' | 'us' | 'ns';

const US_PER_DAY = 86_400_000_000n;
// Debezium (like the JDBC driver) maps timestamp 'infinity' / '-infinity' to these sentinels
const PLUS_INFINITY = 9223372036825200000n;
const MINUS_INFINITY = -9223372036832400000n;
const MAX_EPOCH_US = 8_640_000_000_000_000_000n; // JS Date range, in microseconds

/** floor(a / b) for b > 0 (BigInt division truncates toward zero) */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b < 0n ? q - 1n : q;
}

function toMicros(value: bigint, unit: EpochUnit): bigint {
  if (unit === 'ms') return value * 1_000n;
  if (unit === 'ns') return floorDiv(value, 1_000n);
  return value;
}

/** Instant since the epoch (UTC wall clock for `timestamp without time zone`) → ISO UTC with µs. */
export function timestampFromEpoch(value: bigint, unit: EpochUnit): string {
  if (value === PLUS_INFINITY) return 'infinity';
  if (value === MINUS_INFINITY) return '-infinity';
  const us = toMicros(value, unit);
  if (us > MAX_EPOCH_US || us < -MAX_EPOCH_US) throw new ValueError(`timestamp out of range: ${value}${unit}`);
  const seconds = floorDiv(us, 1_000_000n);
  const micros = us - seconds * 1_000_000n;
  const iso = new Date(Number(seconds) * 1000).toISOString(); // ...T10:15:30.000Z
  return `${iso.slice(0, -5)}.${micros.toString().padStart(6, '0')}Z`;
}

const ZONED =
  /^([+-]?\d{4,6})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)$/;

/** io.debezium.time.ZonedTimestamp (ISO-8601 with offset, any fraction length) → ISO UTC with µs. */
export function timestampFromZoned(text: string): string {
  if (text === 'infinity' || text === '-infinity') return text;
  const m = ZONED.exec(text);
  if (!m) throw new ValueError(`not an ISO-8601 zoned timestamp: ${JSON.stringify(text.slice(0, 40))}`);
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = m;
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0..99 to 1900..1999
  date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  date.setUTCHours(Number(h), Number(mi), Number(s), 0);
  const wall = date.getTime();
  let offsetSeconds = 0;
  if (zone !== 'Z') {
    const digits = zone.slice(1).replaceAll(':', '');
    offsetSeconds =
      Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2, 4) || '0') * 60 + Number(digits.slice(4, 6) || '0');
    if (zone[0] === '-') offsetSeconds = -offsetSeconds;
  }
  const us = BigInt(wall - offsetSeconds * 1000) * 1000n + BigInt(frac.padEnd(6, '0').slice(0, 6));
  return timestampFromEpoch(us, 'us');
}

/** io.debezium.time.Date / connect Date: days since the epoch → YYYY-MM-DD. */
export function dateFromEpochDays(days: bigint): string {
  const us = days * US_PER_DAY;
  if (us > MAX_EPOCH_US || us < -MAX_EPOCH_US) throw new ValueError(`date out of range: ${days} days`);
  return new Date(Number(days) * 86_400_000).toISOString().slice(0, 10);
}

/** Time since midnight → HH:MM:SS.ffffff (Postgres allows 24:00:00). */
export function timeFromMidnight(value: bigint, unit: EpochUnit): string {
  const us = toMicros(value, unit);
  if (us < 0n || us > US_PER_DAY) throw new ValueError(`time of day out of range: ${value}${unit}`);
  const totalSeconds = us / 1_000_000n;
  const micros = us % 1_000_000n;
  const hh = totalSeconds / 3600n;
  const mm = (totalSeconds % 3600n) / 60n;
  const ss = totalSeconds % 60n;
  const two = (n: bigint) => n.toString().padStart(2, '0');
  return `${two(hh)}:${two(mm)}:${two(ss)}.${micros.toString().padStart(6, '0')}`;
}
