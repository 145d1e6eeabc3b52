/**
 * Text values from pgoutput → the ChangeEvent value contract, by column type OID:
 * int2/int4/oid → number; int8/numeric → decimal string (exact past 2^53); bool; json/jsonb →
 * parsed; timestamptz/timestamp → `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC, always 6 fractional digits);
 * date → `YYYY-MM-DD`; time → `HH:MM:SS.ffffff`; float4/float8 → number (NaN/±Infinity as
 * strings, JSON has no such numbers); bytea → lowercase hex without `\x` (Debezium's
 * binary.handling.mode=hex); arrays → JSON arrays of converted elements; every other type (text,
 * varchar, char, uuid, enums, interval in ISO-8601, inet...) → its text unchanged.
 * The replication session runs with TimeZone=UTC, DateStyle=ISO and IntervalStyle=iso_8601 (see
 * pg-source.ts) so the text is predictable; offsets are still honoured if they appear.
 */
import type { ColumnValue } from '@commerce/common';

export type Converter = (text: string) => ColumnValue;

const asIs: Converter = (text) => text;
const toInt: Converter = (text) => Number.parseInt(text, 10);
const toBool: Converter = (text) => text === 't';
const toJson: Converter = (text) => JSON.parse(text) as ColumnValue;
const toFloat: Converter = (text) => {
  const n = Number(text);
  return Number.isFinite(n) ? n : text;
};
const toHex: Converter = (text) => (text.startsWith('\\x') ? text.slice(2) : text);

const TIMESTAMP =
  /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(?:([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?)?$/;

/** timestamptz/timestamp text → ISO-8601 UTC with microseconds; `infinity` and BC dates stay as given. */
export const toTimestamp: Converter = (text) => utcTimestamp(text) ?? parseTimestamp(text);

const ZEROS = ['', '0', '00', '000', '0000', '00000', '000000'];

/**
 * The shape the UTC replication session sends for nearly every value, `YYYY-MM-DD HH:MM:SS[.f]+00`
 * (or no zone for `timestamp`), without a regular expression: two timestamps per row image make
 * this the decoder's hottest conversion. Anything else (offsets, long years, BC) returns null.
 */
function utcTimestamp(text: string): string | null {
  let end = text.length;
  if (text.charCodeAt(end - 3) === 43 /* + */ && text.charCodeAt(end - 2) === 48 && text.charCodeAt(end - 1) === 48)
    end -= 3;
  if (end < 19 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 32) return null;
  if (text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return null;
  for (const i of DIGITS_AT) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  const digits = end - 20;
  if (end === 19) return `${text.slice(0, 10)}T${text.slice(11, 19)}.000000Z`;
  if (text.charCodeAt(19) !== 46 /* . */ || digits < 1 || digits > 6) return null;
  for (let i = 20; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  return `${text.slice(0, 10)}T${text.slice(11, end)}${ZEROS[6 - digits]}Z`;
}

const DIGITS_AT = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];

function parseTimestamp(text: string): string {
  const m = TIMESTAMP.exec(text);
  if (!m) return text;
  const fraction = (m[7] ?? '').padEnd(6, '0');
  const offsetSeconds = m[8] ? (m[8] === '-' ? -1 : 1) * (+m[9]! * 3600 + +(m[10] ?? 0) * 60 + +(m[11] ?? 0)) : 0;
  if (offsetSeconds === 0) return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${fraction}Z`;
  const date = new Date(0);
  date.setUTCFullYear(+m[1]!, +m[2]! - 1, +m[3]!);
  date.setUTCHours(+m[4]!, +m[5]!, +m[6]! - offsetSeconds, 0);
  return `${date.toISOString().slice(0, -5)}.${fraction}Z`;
}

const TIME = /^(\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?$/;
export const toTime: Converter = (text) => {
  const m = TIME.exec(text);
  return m ? `${m[1]}.${(m[2] ?? '').padEnd(6, '0')}` : text;
};

/** Built-in scalar types by OID (pg_type.oid is stable for built-ins). */
const SCALARS = new Map<number, Converter>([
  [16, toBool],
  [17, toHex],
  [20, asIs], // int8
  [21, toInt],
  [23, toInt],
  [26, toInt], // oid
  [114, toJson],
  [700, toFloat],
  [701, toFloat],
  [1082, asIs], // date, ISO already
  [1083, toTime],
  [1114, toTimestamp],
  [1184, toTimestamp],
  [1700, asIs], // numeric
  [3802, toJson],
]);

/** Built-in array types by OID → their element type OID. */
const ARRAYS = new Map<number, number>([
  [1000, 16],
  [1001, 17],
  [1002, 18],
  [1003, 19],
  [1005, 21],
  [1007, 23],
  [1009, 25],
  [1014, 1042],
  [1015, 1043],
  [1016, 20],
  [1021, 700],
  [1022, 701],
  [1028, 26],
  [1115, 1114],
  [1182, 1082],
  [1183, 1083],
  [1185, 1184],
  [1187, 1186],
  [1231, 1700],
  [1270, 1266],
  [2951, 2950],
  [199, 114],
  [3807, 3802],
  [1041, 869],
]);

/**
 * Picks the converter for a column. `customTypeName` is the name from pgoutput's Type message,
 * sent for non-built-in types (enums, domains, their arrays): an array of one (`_name`) becomes a
 * JSON array of strings, anything else keeps its text.
 */
export function converterFor(typeOid: number, customTypeName?: string): Converter {
  const scalar = SCALARS.get(typeOid);
  if (scalar) return scalar;
  const element = ARRAYS.get(typeOid);
  if (element !== undefined) return arrayConverter(SCALARS.get(element) ?? asIs);
  if (customTypeName?.startsWith('_')) return arrayConverter(asIs);
  return asIs;
}

function arrayConverter(element: Converter): Converter {
  return (text) => parseArray(text, element);
}

/**
 * Postgres array text (`{1,2,NULL}`, `{"a b","c\"d"}`, `{{1,2},{3,4}}`, `[0:1]={7,8}`) → nested
 * JSON arrays. Elements are converted; unquoted NULL is SQL null.
 */
export function parseArray(text: string, element: Converter = asIs): ColumnValue[] {
  let i = 0;
  if (text[0] === '[') {
    // explicit bounds: the shape is what matters to a JSON consumer, not the lower bound
    i = text.indexOf('=') + 1;
  }
  const parseLevel = (): ColumnValue[] => {
    if (text[i] !== '{') throw new RangeError(`malformed array: ${text}`);
    i++;
    const out: ColumnValue[] = [];
    if (text[i] === '}') {
      i++;
      return out;
    }
    for (;;) {
      if (text[i] === '{') {
        out.push(parseLevel());
      } else if (text[i] === '"') {
        i++;
        let value = '';
        while (i < text.length && text[i] !== '"') {
          if (text[i] === '\\') i++;
          value += text[i];
          i++;
        }
        i++; // closing quote
        out.push(element(value));
      } else {
        const start = i;
        while (i < text.length && text[i] !== ',' && text[i] !== '}') i++;
        const raw = text.slice(start, i).trim();
        out.push(raw.toUpperCase() === 'NULL' ? null : element(raw));
      }
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return out;
      }
      throw new RangeError(`malformed array: ${text}`);
    }
  };
  return parseLevel();
}
