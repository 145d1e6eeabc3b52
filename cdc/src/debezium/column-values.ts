import type { ColumnValue } from '@commerce/common';
import type { PgKind } from './column-types.ts';
import type { ConnectSchema } from './connect-schema.ts';
import { decimalFromBase64, decimalFromString, formatUnscaled, plainDecimal, unscaledFromBase64 } from './decimal.ts';
import { ValueError } from './errors.ts';
import { isLosslessObject, JsonNumber, type LosslessValue } from './lossless-json.ts';
import {
  dateFromEpochDays,
  type EpochUnit,
  timeFromMidnight,
  timestampFromEpoch,
  timestampFromZoned,
} from './temporal.ts';

/**
 * One column value from Debezium's JSON → the normalized value (see common/src/change-event.ts).
 * With a schema (`schemas.enable=true`) the Connect type and semantic name decide; without one, the
 * Postgres type from the column type map decides; with neither, the value passes through (numbers
 * that fit a double as numbers, larger integers as decimal strings).
 */
export type DecimalMode = 'precise' | 'string' | 'double';
export type TimePrecisionMode = 'adaptive' | 'adaptive_time_microseconds' | 'connect';

export interface ValueOptions {
  decimalMode: DecimalMode;
  timePrecisionMode: TimePrecisionMode;
}

const EPOCH_TIMESTAMP: Record<string, EpochUnit> = {
  'io.debezium.time.Timestamp': 'ms',
  'org.apache.kafka.connect.data.Timestamp': 'ms',
  'io.debezium.time.MicroTimestamp': 'us',
  'io.debezium.time.NanoTimestamp': 'ns',
};
const TIME_OF_DAY: Record<string, EpochUnit> = {
  'io.debezium.time.Time': 'ms',
  'org.apache.kafka.connect.data.Time': 'ms',
  'io.debezium.time.MicroTime': 'us',
  'io.debezium.time.NanoTime': 'ns',
};

function integer(value: LosslessValue, what: string): bigint {
  if (value instanceof JsonNumber && value.isInteger) return value.toBigInt();
  throw new ValueError(`${what}: expected an integer, got ${describe(value)}`);
}

function text(value: LosslessValue, what: string): string {
  if (typeof value === 'string') return value;
  throw new ValueError(`${what}: expected a string, got ${describe(value)}`);
}

function describe(value: LosslessValue): string {
  if (value instanceof JsonNumber) return `number ${value.raw}`;
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value).slice(0, 40)}`;
}

function smallInteger(value: LosslessValue, what: string): number {
  const n = integer(value, what);
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new ValueError(`${what}: ${n} does not fit a 32-bit column`);
  }
  return Number(n);
}

function float(value: LosslessValue, what: string): number | string {
  if (value instanceof JsonNumber) return value.toNumber();
  // Jackson quotes non-finite doubles; Postgres prints them the same way
  if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return value;
  throw new ValueError(`${what}: expected a number, got ${describe(value)}`);
}

function json(value: LosslessValue, what: string): ColumnValue {
  try {
    return JSON.parse(text(value, what)) as ColumnValue;
  } catch (error) {
    throw new ValueError(`${what}: invalid JSON document`, { cause: error });
  }
}

function bytea(value: LosslessValue, what: string): string {
  // binary.handling.mode=bytes: the JSON converter writes base64. The pgoutput source renders bytea
  // as lowercase hex without the \x prefix (what Debezium's binary.handling.mode=hex gives), so both agree.
  const b64 = text(value, what);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw new ValueError(`${what}: bytes are not base64`);
  return Buffer.from(b64, 'base64').toString('hex');
}

function variableScaleDecimal(value: LosslessValue, what: string): string {
  if (!isLosslessObject(value)) throw new ValueError(`${what}: VariableScaleDecimal must be {scale, value}`);
  const scale = Number(integer(value.scale ?? null, `${what}.scale`));
  return formatUnscaled(unscaledFromBase64(text(value.value ?? null, `${what}.value`)), scale);
}

function numericFromMode(value: LosslessValue, scale: number | null, options: ValueOptions, what: string): string {
  if (isLosslessObject(value)) return variableScaleDecimal(value, what);
  if (value instanceof JsonNumber) return plainDecimal(value.raw, scale ?? undefined);
  const s = text(value, what);
  if (options.decimalMode !== 'precise') return decimalFromString(s);
  if (scale === null)
    throw new ValueError(`${what}: unconstrained numeric in precise mode needs a VariableScaleDecimal`);
  return decimalFromBase64(s, scale);
}

export function convertWithSchema(
  schema: ConnectSchema,
  value: LosslessValue,
  options: ValueOptions,
  what: string,
  pgKind?: PgKind,
): ColumnValue {
  if (value === null) return null;
  const name = schema.name;
  if (name !== undefined) {
    if (name === 'org.apache.kafka.connect.data.Decimal') {
      const scale = Number(schema.parameters.scale);
      if (!Number.isInteger(scale)) throw new ValueError(`${what}: Decimal schema without an integer scale`);
      // decimal.format=NUMERIC on the converter writes a JSON number instead of base64
      if (value instanceof JsonNumber) return plainDecimal(value.raw, scale);
      return decimalFromBase64(text(value, what), scale);
    }
    if (name === 'io.debezium.data.VariableScaleDecimal') return variableScaleDecimal(value, what);
    if (name === 'io.debezium.time.ZonedTimestamp') return timestampFromZoned(text(value, what));
    const epochUnit = EPOCH_TIMESTAMP[name];
    if (epochUnit) return timestampFromEpoch(integer(value, what), epochUnit);
    if (name === 'io.debezium.time.Date' || name === 'org.apache.kafka.connect.data.Date') {
      return dateFromEpochDays(integer(value, what));
    }
    const timeUnit = TIME_OF_DAY[name];
    if (timeUnit) return timeFromMidnight(integer(value, what), timeUnit);
    if (name === 'io.debezium.data.Json') return json(value, what);
  }
  switch (schema.type) {
    case 'int8':
    case 'int16':
    case 'int32':
      return smallInteger(value, what);
    case 'int64':
      return integer(value, what).toString();
    case 'float32':
    case 'float64':
      if (pgKind?.kind === 'numeric') return numericFromMode(value, pgKind.scale, options, what);
      return float(value, what);
    case 'boolean':
      if (typeof value !== 'boolean') throw new ValueError(`${what}: expected a boolean, got ${describe(value)}`);
      return value;
    case 'string':
      if (pgKind?.kind === 'numeric') return decimalFromString(text(value, what));
      return text(value, what);
    case 'bytes':
      return bytea(value, what);
    case 'array': {
      if (!Array.isArray(value)) throw new ValueError(`${what}: expected an array, got ${describe(value)}`);
      const items = schema.items!;
      const elementKind = pgKind?.kind === 'array' ? pgKind.of : undefined;
      return value.map((v, i) => convertWithSchema(items, v, options, `${what}[${i}]`, elementKind));
    }
    case 'map':
    case 'struct': {
      if (!isLosslessObject(value)) throw new ValueError(`${what}: expected an object, got ${describe(value)}`);
      const out: Record<string, ColumnValue> = {};
      for (const key of Object.keys(value)) {
        const child = schema.type === 'map' ? schema.values! : schema.fields?.find((f) => f.field === key);
        setField(
          out,
          key,
          child ? convertWithSchema(child, value[key]!, options, `${what}.${key}`) : untyped(value[key]!),
        );
      }
      return out;
    }
    default:
      throw new ValueError(`${what}: unsupported schema type ${schema.type}`);
  }
}

export function convertWithPgKind(
  kind: PgKind,
  value: LosslessValue,
  options: ValueOptions,
  what: string,
): ColumnValue {
  if (value === null) return null;
  switch (kind.kind) {
    case 'int':
      return smallInteger(value, what);
    case 'int64':
      return integer(value, what).toString();
    case 'float':
      return float(value, what);
    case 'bool':
      if (typeof value !== 'boolean') throw new ValueError(`${what}: expected a boolean, got ${describe(value)}`);
      return value;
    case 'text':
      return typeof value === 'string' ? value : untyped(value);
    case 'json':
      return typeof value === 'string' ? json(value, what) : untyped(value);
    case 'numeric':
      return numericFromMode(value, kind.scale, options, what);
    case 'timestamptz':
      return timestampFromZoned(text(value, what));
    case 'timestamp': {
      const millis = options.timePrecisionMode === 'connect' || (kind.precision !== null && kind.precision <= 3);
      return timestampFromEpoch(integer(value, what), millis ? 'ms' : 'us');
    }
    case 'date':
      return dateFromEpochDays(integer(value, what));
    case 'time': {
      const mode = options.timePrecisionMode;
      const millis = mode === 'connect' || (mode === 'adaptive' && kind.precision !== null && kind.precision <= 3);
      return timeFromMidnight(integer(value, what), millis ? 'ms' : 'us');
    }
    case 'bytea':
      return bytea(value, what);
    case 'array': {
      if (!Array.isArray(value)) throw new ValueError(`${what}: expected an array, got ${describe(value)}`);
      return value.map((v, i) => convertWithPgKind(kind.of, v, options, `${what}[${i}]`));
    }
  }
}

/** No schema, no declared type: keep what JSON can say without losing digits. */
export function untyped(value: LosslessValue): ColumnValue {
  if (value instanceof JsonNumber) {
    if (!value.isInteger) return value.toNumber();
    const n = value.toBigInt();
    return n <= BigInt(Number.MAX_SAFE_INTEGER) && n >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(n) : n.toString();
  }
  if (Array.isArray(value)) return value.map(untyped);
  if (isLosslessObject(value)) {
    const out: Record<string, ColumnValue> = {};
    for (const key of Object.keys(value)) setField(out, key, untyped(value[key]!));
    return out;
  }
  return value;
}

/** Assigns without tripping the `__proto__` setter. */
export function setField(target: Record<string, ColumnValue>, key: string, value: ColumnValue): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
