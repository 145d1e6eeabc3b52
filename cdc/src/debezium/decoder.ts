import type { ChangeEvent, ChangeOp, ColumnValue, Row } from '@commerce/common';
import { type ColumnTypeLookup, type ColumnTypeMap, columnTypeLookup } from './column-types.ts';
import {
  convertWithPgKind,
  convertWithSchema,
  type DecimalMode,
  setField,
  type TimePrecisionMode,
  untyped,
  type ValueOptions,
} from './column-values.ts';
import { type ConnectSchema, fieldSchema, readConnectSchema } from './connect-schema.ts';
import { DebeziumDecodeError, type RecordCoordinates, UnexpectedDecodeError, ValueError } from './errors.ts';
import {
  isLosslessObject,
  JsonNumber,
  JsonSyntaxError,
  type LosslessObject,
  type LosslessValue,
  parseLosslessJson,
} from './lossless-json.ts';
import { buildPosition, readSourceLsns } from './position.ts';
import { splitSchemaPayload } from './record-text.ts';
import {
  readTransactionBlock,
  readTransactionBoundary,
  type TransactionBoundary,
  type TransactionMember,
} from './transaction-metadata.ts';

/** One Kafka record as the consumer (and the decode CLI) sees it: key and value are the raw strings. */
export interface KafkaRecord extends RecordCoordinates {
  key: string | null;
  value: string | null;
}

export type SkipReason = 'tombstone' | 'heartbeat' | 'transaction' | 'message';

/**
 * `transaction` is the envelope's transaction block (present only with provide.transaction.metadata,
 * on data records and transactional logical messages); `boundary` is a BEGIN/END record's content.
 */
export type DecodeResult =
  | { kind: 'change'; event: ChangeEvent; transaction?: TransactionMember }
  | {
      kind: 'skipped';
      reason: SkipReason;
      detail?: string;
      transaction?: TransactionMember;
      boundary?: TransactionBoundary;
    };

export interface DebeziumDecoderOptions {
  /** `topic.heartbeat.prefix` of the connector; records on `<prefix>.<topic.prefix>` are heartbeats */
  heartbeatTopicPrefix?: string;
  /** `decimal.handling.mode` of the connector */
  decimalMode?: DecimalMode;
  /** `time.precision.mode` of the connector (only needed without schemas) */
  timePrecisionMode?: TimePrecisionMode;
  /** `unavailable.value.placeholder` of the connector */
  unavailableValuePlaceholder?: string;
  /** Postgres column types, for `schemas.enable=false` (see column-types.ts) */
  columnTypes?: ColumnTypeMap;
}

export interface DebeziumDecoder {
  decode(record: KafkaRecord): DecodeResult;
}

const OPS = new Set(['c', 'u', 'd', 'r', 't', 'm']);

export const DEFAULT_HEARTBEAT_TOPIC_PREFIX = '__debezium-heartbeat';
export const DEFAULT_UNAVAILABLE_VALUE_PLACEHOLDER = '__debezium_unavailable_value';

/**
 * Decodes records of the Debezium PostgreSQL connector written by Kafka Connect's JsonConverter,
 * with or without `schemas.enable`, into normalized change events. Heartbeats, tombstones,
 * transaction BEGIN/END records and logical decoding messages are not row changes: they come back
 * as `skipped` with a reason (the consumer counts them; BEGIN/END carry their `boundary`). Anything
 * else that does not decode throws a DebeziumDecodeError carrying topic/partition/offset, and the
 * record's transaction block when it could be read (the record still counts in its transaction);
 * an error nobody foresaw comes out as its subclass UnexpectedDecodeError, never bare.
 */
export function createDebeziumDecoder(options: DebeziumDecoderOptions = {}): DebeziumDecoder {
  const heartbeatPrefix = `${options.heartbeatTopicPrefix ?? DEFAULT_HEARTBEAT_TOPIC_PREFIX}.`;
  const placeholder = options.unavailableValuePlaceholder ?? DEFAULT_UNAVAILABLE_VALUE_PLACEHOLDER;
  const placeholderBase64 = Buffer.from(placeholder, 'utf8').toString('base64');
  const valueOptions: ValueOptions = {
    decimalMode: options.decimalMode ?? 'precise',
    timePrecisionMode: options.timePrecisionMode ?? 'adaptive',
  };
  const columnType: ColumnTypeLookup = columnTypeLookup(options.columnTypes);

  const isUnavailable = (value: LosslessValue, schema: ConnectSchema | undefined): boolean => {
    if (typeof value === 'string') {
      if (value === placeholder) return true;
      // bytes-typed columns (bytea, precise decimals) carry the placeholder's bytes, base64-encoded
      return value === placeholderBase64 && (schema === undefined || schema.type === 'bytes');
    }
    if (Array.isArray(value)) return value.length === 1 && isUnavailable(value[0]!, schema?.items);
    if (isLosslessObject(value) && (schema === undefined || schema.name === 'io.debezium.data.VariableScaleDecimal')) {
      return value.value === placeholderBase64 && Object.keys(value).length === 2 && 'scale' in value;
    }
    return false;
  };

  const convertRow = (
    raw: LosslessValue | undefined,
    schema: ConnectSchema | undefined,
    table: string,
    what: string,
  ): { row: Row | null; unavailable: string[] } => {
    if (raw === undefined || raw === null) return { row: null, unavailable: [] };
    if (!isLosslessObject(raw)) throw new ValueError(`${what} must be an object`);
    const row: Row = {};
    const unavailable: string[] = [];
    const convert = (column: string, value: LosslessValue, columnSchema: ConnectSchema | undefined) => {
      if (isUnavailable(value, columnSchema)) {
        unavailable.push(column);
        return;
      }
      const kind = columnType(table, column);
      const path = `${what}.${column}`;
      let out: ColumnValue;
      try {
        if (columnSchema) out = convertWithSchema(columnSchema, value, valueOptions, path, kind);
        else if (kind) out = convertWithPgKind(kind, value, valueOptions, path);
        else out = untyped(value);
      } catch (error) {
        // value helpers (decimal, temporal) do not know the column: name it
        if (error instanceof ValueError && !error.message.startsWith(path)) {
          throw new ValueError(`${path}: ${error.message}`, { cause: error });
        }
        throw error;
      }
      setField(row, column, out);
    };
    if (schema?.fields) {
      for (const field of schema.fields) {
        const column = field.field!;
        if (column in raw) convert(column, raw[column]!, field);
      }
      for (const column of Object.keys(raw)) {
        if (!schema.fields.some((f) => f.field === column)) convert(column, raw[column]!, undefined);
      }
    } else {
      for (const column of Object.keys(raw)) convert(column, raw[column]!, undefined);
    }
    return { row, unavailable };
  };

  // each distinct schema text is parsed once: it is most of a record's bytes and rarely changes
  const schemaCache = new Map<string, ConnectSchema | null>();
  const parseRecordJson = (
    text: string,
    what: 'key' | 'value',
  ): { schema: ConnectSchema | null; payload: LosslessValue } => {
    const split = splitSchemaPayload(text);
    if (!split) {
      const { schema, payload } = unwrap(parseLosslessJson(text), what);
      return { schema: schema ? readConnectSchema(schema, `${what}.schema`) : null, payload };
    }
    let schema = schemaCache.get(split.schemaText);
    if (schema === undefined) {
      const raw = parseLosslessJson(split.schemaText);
      if (raw !== null && !isLosslessObject(raw)) throw new ValueError(`${what}.schema must be an object`);
      schema = raw === null ? null : readConnectSchema(raw, `${what}.schema`);
      if (schemaCache.size >= 512) schemaCache.clear();
      schemaCache.set(split.schemaText, schema);
    }
    return { schema, payload: parseLosslessJson(split.payloadText) };
  };

  const decodeKey = (record: KafkaRecord, table: string): Row | null => {
    if (record.key === null || record.key === '') return null;
    const { schema, payload } = parseRecordJson(record.key, 'key');
    if (payload === null) return null;
    return convertRow(payload, schema ?? undefined, table, 'key').row;
  };

  /** the transaction block of the record being decoded, for the error if decoding fails later */
  let recordTransaction: TransactionMember | null = null;

  const decodeUnsafe = (record: KafkaRecord): DecodeResult => {
    if (record.topic.startsWith(heartbeatPrefix)) return { kind: 'skipped', reason: 'heartbeat' };
    if (record.value === null || record.value === '') return { kind: 'skipped', reason: 'tombstone' };

    const { schema: envelope, payload } = parseRecordJson(record.value, 'value');
    if (payload === null) return { kind: 'skipped', reason: 'tombstone' };
    if (!isLosslessObject(payload)) throw new ValueError('value payload must be an object');

    if (payload.op === undefined && (payload.status === 'BEGIN' || payload.status === 'END')) {
      const boundary = readTransactionBoundary(payload);
      return { kind: 'skipped', reason: 'transaction', detail: `${boundary.status} ${boundary.id}`, boundary };
    }
    const transaction = readTransactionBlock(payload.transaction);
    recordTransaction = transaction;
    const tx = transaction ? { transaction } : {};
    const op = payload.op;
    if (typeof op !== 'string' || !OPS.has(op)) throw new ValueError(`unknown op ${JSON.stringify(op ?? null)}`);
    if (op === 'm') {
      const message = isLosslessObject(payload.message) ? payload.message : undefined;
      return { kind: 'skipped', reason: 'message', detail: `prefix ${stringOf(message?.prefix)}`, ...tx };
    }

    const source = payload.source;
    if (!isLosslessObject(source)) throw new ValueError('source is missing');
    if (typeof source.schema !== 'string' || typeof source.table !== 'string' || !source.schema || !source.table) {
      throw new ValueError('source.schema / source.table are missing');
    }
    const table = `${source.schema}.${source.table}`;

    const before = convertRow(payload.before, envelope ? fieldSchema(envelope, 'before') : undefined, table, 'before');
    const after = convertRow(payload.after, envelope ? fieldSchema(envelope, 'after') : undefined, table, 'after');
    checkShape(op as ChangeOp, before.row, after.row);

    const key = op === 't' ? null : decodeKey(record, table);
    const lsns = readSourceLsns(source.sequence, source.lsn);
    return {
      kind: 'change',
      event: {
        source: 'debezium',
        table,
        op: op as ChangeOp,
        key,
        before: before.row,
        after: after.row,
        unchanged: after.unavailable,
        txId: optionalInteger(source.txId, 'source.txId'),
        commitTs: timestampMs(source.ts_ms),
        position: buildPosition(lsns, op as ChangeOp, table, key),
      },
      ...tx,
    };
  };

  return {
    decode(record) {
      recordTransaction = null;
      try {
        return decodeUnsafe(record);
      } catch (error) {
        const at = { topic: record.topic, partition: record.partition, offset: record.offset };
        if (error instanceof ValueError || error instanceof JsonSyntaxError || error instanceof RangeError) {
          throw new DebeziumDecodeError(at, error.message, error, recordTransaction ?? undefined);
        }
        // not foreseen (a decoder bug): still only this record's problem, and it keeps counting in its transaction
        throw new UnexpectedDecodeError(at, error, recordTransaction ?? undefined);
      }
    },
  };
}

/** `{schema, payload}` when the JSON converter ran with schemas.enable=true, the bare payload otherwise. */
function unwrap(parsed: LosslessValue, what: string): { schema: LosslessObject | null; payload: LosslessValue } {
  if (isLosslessObject(parsed)) {
    const keys = Object.keys(parsed);
    if (keys.length === 2 && 'schema' in parsed && 'payload' in parsed) {
      const schema = parsed.schema!;
      if (schema !== null && !isLosslessObject(schema)) throw new ValueError(`${what}.schema must be an object`);
      return { schema, payload: parsed.payload! };
    }
  }
  return { schema: null, payload: parsed };
}

function checkShape(op: ChangeOp, before: Row | null, after: Row | null): void {
  if ((op === 'c' || op === 'r' || op === 'u') && after === null) throw new ValueError(`op ${op} without after`);
  if (op === 'c' && before !== null) throw new ValueError('op c with a before image');
  if (op === 'd' && after !== null) throw new ValueError('op d with an after image');
  if (op === 't' && (before !== null || after !== null)) throw new ValueError('op t with row images');
}

function optionalInteger(value: LosslessValue | undefined, what: string): string | null {
  if (value === undefined || value === null) return null;
  if (value instanceof JsonNumber && value.isInteger) return value.toBigInt().toString();
  throw new ValueError(`${what} must be an integer`);
}

function timestampMs(value: LosslessValue | undefined): number | null {
  if (value === undefined || value === null) return null;
  if (value instanceof JsonNumber && value.isInteger) return value.toNumber();
  throw new ValueError('source.ts_ms must be an integer');
}

function stringOf(value: LosslessValue | undefined): string {
  return typeof value === 'string' ? value : value instanceof JsonNumber ? value.raw : String(value ?? null);
}
