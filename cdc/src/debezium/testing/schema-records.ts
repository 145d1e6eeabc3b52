import type { ProducedRecord } from './transaction-records.ts';

/**
 * Debezium records as the shipped connector writes them (infra/debezium/connector.json: JsonConverter
 * with `schemas.enable=true` for keys and values, `decimal.handling.mode=precise`,
 * `provide.transaction.metadata=true`): every key and value is `{"schema":…,"payload":…}`, BEGIN and
 * END included. Payloads are written as text so int64 values beyond 2^53 stay exact on the wire.
 */
export interface SchemaOrder {
  xid: number;
  orderId: bigint;
  /** unscaled value of numeric(20,2) */
  total: bigint;
  /** unscaled value of numeric(12,2) */
  discount: bigint;
  /** as Debezium writes a timestamptz (ZonedTimestamp) */
  placedAt: string;
  lines: { id: bigint; unitPrice: bigint; quantity: number }[];
}

interface Field {
  type: string;
  optional: boolean;
  field?: string;
  name?: string;
  version?: number;
  parameters?: Record<string, string>;
  fields?: Field[];
  items?: Field;
}

const int64 = (field: string, optional = false): Field => ({ type: 'int64', optional, field });
const int32 = (field: string): Field => ({ type: 'int32', optional: false, field });
const text = (field: string, optional = false): Field => ({ type: 'string', optional, field });
const decimal = (field: string, scale: number, precision: number): Field => ({
  type: 'bytes',
  optional: true,
  name: 'org.apache.kafka.connect.data.Decimal',
  version: 1,
  parameters: { scale: String(scale), 'connect.decimal.precision': String(precision) },
  field,
});
const zoned = (field: string): Field => ({
  type: 'string',
  optional: true,
  name: 'io.debezium.time.ZonedTimestamp',
  version: 1,
  field,
});

const SOURCE: Field = {
  type: 'struct',
  fields: [
    text('version'),
    text('connector'),
    text('name'),
    int64('ts_ms'),
    { type: 'string', optional: true, name: 'io.debezium.data.Enum', version: 1, field: 'snapshot' },
    text('db'),
    text('sequence', true),
    text('schema'),
    text('table'),
    int64('txId', true),
    int64('lsn', true),
    int64('xmin', true),
  ],
  optional: false,
  name: 'io.debezium.connector.postgresql.Source',
  field: 'source',
};
const BLOCK: Field = {
  type: 'struct',
  fields: [text('id'), int64('total_order'), int64('data_collection_order')],
  optional: true,
  name: 'event.block',
  version: 1,
  field: 'transaction',
};

function envelopeSchema(topic: string, row: Field[]): Field {
  const image = (field: string): Field => ({
    type: 'struct',
    fields: row,
    optional: true,
    name: `${topic}.Value`,
    field,
  });
  return {
    type: 'struct',
    fields: [image('before'), image('after'), SOURCE, BLOCK, text('op'), int64('ts_ms', true)],
    optional: false,
    name: `${topic}.Envelope`,
    version: 2,
  };
}

const ORDER_ROW = [
  int64('id'),
  int64('merchant_id'),
  decimal('total', 2, 20),
  decimal('discount', 2, 12),
  zoned('placed_at'),
  text('note', true),
];
const LINE_ROW = [int64('id'), int64('order_id'), int32('line_no'), decimal('unit_price', 2, 12), int32('quantity')];
const TX_VALUE: Field = {
  type: 'struct',
  fields: [
    text('status'),
    text('id'),
    int64('event_count', true),
    {
      type: 'array',
      optional: true,
      items: {
        type: 'struct',
        fields: [text('data_collection'), int64('event_count')],
        optional: false,
        name: 'event.collection',
        version: 1,
      },
      field: 'data_collections',
    },
    int64('ts_ms'),
  ],
  optional: false,
  name: 'io.debezium.connector.common.TransactionMetadataValue',
  version: 1,
};
const TX_KEY: Field = {
  type: 'struct',
  fields: [text('id')],
  optional: false,
  name: 'io.debezium.connector.common.TransactionMetadataKey',
  version: 1,
};

const withSchema = (schema: Field, payload: string) => `{"schema":${JSON.stringify(schema)},"payload":${payload}}`;

/** java.math.BigInteger#toByteArray (minimal big-endian two's complement), base64: a precise Decimal. */
export function decimalBytes(unscaled: bigint): string {
  const bytes: number[] = [];
  let rest = unscaled;
  for (;;) {
    bytes.unshift(Number(rest & 0xffn));
    rest >>= 8n;
    const negative = (bytes[0]! & 0x80) !== 0;
    if ((rest === 0n && !negative) || (rest === -1n && negative)) break;
  }
  return Buffer.from(bytes).toString('base64');
}

/** An order and its lines in one transaction, with BEGIN and END, every record schema-enveloped. */
export function schemaOrderTransaction(prefix: string, order: SchemaOrder, partitions: number): ProducedRecord[] {
  const { xid } = order;
  const previousCommit = 70_000_000 + xid * 1_000;
  const lsnOf = (totalOrder: number) => previousCommit + 100 + totalOrder * 8;
  const commitLsn = previousCommit + 900;
  const partitionOf = (id: bigint) => Number(id % BigInt(partitions));
  const keyOf = (topic: string, id: bigint) =>
    withSchema({ type: 'struct', fields: [int64('id')], optional: false, name: `${topic}.Key` }, `{"id":${id}}`);
  const payload = (table: string, after: string, totalOrder: number, collectionOrder: number) =>
    `{"before":null,"after":${after},"source":{"version":"2.7.3.Final","connector":"postgresql","name":"${prefix}",` +
    `"ts_ms":1795342530123,"snapshot":"false","db":"commerce","sequence":"[\\"${previousCommit}\\",\\"${lsnOf(totalOrder)}\\"]",` +
    `"schema":"public","table":"${table}","txId":${xid},"lsn":${lsnOf(totalOrder)},"xmin":null},` +
    `"transaction":{"id":"${xid}:${lsnOf(totalOrder)}","total_order":${totalOrder},"data_collection_order":${collectionOrder}},` +
    `"op":"c","ts_ms":1795342530200}`;

  const orders = `${prefix}.public.orders`;
  const lines = `${prefix}.public.order_lines`;
  const records: ProducedRecord[] = [
    {
      topic: orders,
      partition: partitionOf(order.orderId),
      key: keyOf(orders, order.orderId),
      value: withSchema(
        envelopeSchema(orders, ORDER_ROW),
        payload(
          'orders',
          `{"id":${order.orderId},"merchant_id":7,"total":"${decimalBytes(order.total)}",` +
            `"discount":"${decimalBytes(order.discount)}","placed_at":"${order.placedAt}","note":null}`,
          1,
          1,
        ),
      ),
    },
    ...order.lines.map((line, i) => ({
      topic: lines,
      partition: partitionOf(line.id),
      key: keyOf(lines, line.id),
      value: withSchema(
        envelopeSchema(lines, LINE_ROW),
        payload(
          'order_lines',
          `{"id":${line.id},"order_id":${order.orderId},"line_no":${i + 1},` +
            `"unit_price":"${decimalBytes(line.unitPrice)}","quantity":${line.quantity}}`,
          i + 2,
          i + 1,
        ),
      ),
    })),
  ];
  const boundary = (status: 'BEGIN' | 'END', id: string, counts: string) =>
    withSchema(TX_VALUE, `{"status":"${status}","id":"${id}",${counts},"ts_ms":1795342530123}`);
  const txTopic = `${prefix}.transaction`;
  const beginId = `${xid}:${lsnOf(1)}`;
  const endId = `${xid}:${commitLsn}`;
  return [
    {
      topic: txTopic,
      partition: 0,
      key: withSchema(TX_KEY, `{"id":"${beginId}"}`),
      value: boundary('BEGIN', beginId, '"event_count":null,"data_collections":null'),
    },
    ...records,
    {
      topic: txTopic,
      partition: 0,
      key: withSchema(TX_KEY, `{"id":"${endId}"}`),
      value: boundary(
        'END',
        endId,
        `"event_count":${records.length},"data_collections":[{"data_collection":"public.orders","event_count":1},` +
          `{"data_collection":"public.order_lines","event_count":${order.lines.length}}]`,
      ),
    },
  ];
}
