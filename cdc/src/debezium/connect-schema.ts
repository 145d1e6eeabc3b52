import { ValueError } from './errors.ts';
import { isLosslessObject, JsonNumber, type LosslessValue } from './lossless-json.ts';

/**
 * The Kafka Connect schema as the JSON converter writes it when `schemas.enable=true`:
 * `{"type":"struct","fields":[{"type":"int64","optional":false,"field":"id"}, ...],"name":"..."}`.
 * Logical/semantic types are carried in `name` (`org.apache.kafka.connect.data.Decimal`,
 * `io.debezium.time.MicroTimestamp`, ...) with their parameters as strings (`"scale":"2"`).
 */
export interface ConnectSchema {
  type: string;
  name?: string;
  optional: boolean;
  field?: string;
  parameters: Record<string, string>;
  fields?: ConnectSchema[];
  items?: ConnectSchema;
  keys?: ConnectSchema;
  values?: ConnectSchema;
}

const TYPES = new Set([
  'int8',
  'int16',
  'int32',
  'int64',
  'float32',
  'float64',
  'boolean',
  'string',
  'bytes',
  'array',
  'map',
  'struct',
]);

export function readConnectSchema(raw: LosslessValue | undefined, path = 'schema'): ConnectSchema {
  if (!isLosslessObject(raw)) throw new ValueError(`${path} is not a schema object`);
  const type = raw.type;
  if (typeof type !== 'string' || !TYPES.has(type)) throw new ValueError(`${path} has unknown type ${String(type)}`);
  const schema: ConnectSchema = { type, optional: raw.optional === true, parameters: {} };
  if (typeof raw.name === 'string') schema.name = raw.name;
  if (typeof raw.field === 'string') schema.field = raw.field;
  if (isLosslessObject(raw.parameters)) {
    for (const [k, v] of Object.entries(raw.parameters)) {
      if (typeof v === 'string') schema.parameters[k] = v;
      else if (v instanceof JsonNumber) schema.parameters[k] = v.raw;
    }
  }
  if (type === 'struct') {
    if (!Array.isArray(raw.fields)) throw new ValueError(`${path} is a struct without fields`);
    schema.fields = raw.fields.map((f, i) => {
      const child = readConnectSchema(f, `${path}.fields[${i}]`);
      if (child.field === undefined) throw new ValueError(`${path}.fields[${i}] has no field name`);
      return child;
    });
  }
  if (type === 'array') schema.items = readConnectSchema(raw.items, `${path}.items`);
  if (type === 'map') {
    schema.keys = readConnectSchema(raw.keys, `${path}.keys`);
    schema.values = readConnectSchema(raw.values, `${path}.values`);
  }
  return schema;
}

export function fieldSchema(struct: ConnectSchema, name: string): ConnectSchema | undefined {
  return struct.fields?.find((f) => f.field === name);
}
