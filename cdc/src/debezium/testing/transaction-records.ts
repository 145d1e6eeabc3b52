import { createDebeziumDecoder } from '../decoder.ts';

/**
 * Debezium records of one order transaction (an `orders` row and its `order_lines`) with
 * transaction metadata, as the PostgreSQL connector writes them with schemas.enable=false: data
 * records with a `transaction` block whose id is `<xid>:<record LSN>`, and BEGIN / END on
 * `<prefix>.transaction` (partition 0: the topic has one partition, infra/debezium/connector.json).
 */
export interface ProducedRecord {
  topic: string;
  partition: number;
  key: string;
  value: string;
}

export interface OrderTransaction {
  xid: number;
  orderId: string;
  order: ProducedRecord;
  lines: ProducedRecord[];
  begin: ProducedRecord;
  end: ProducedRecord;
  /** positions of its change events in total_order (order first, then lines by line_no) */
  positions: string[];
}

export const PARTITIONS = 4;

export function orderTransaction(prefix: string, xid: number, lineCount: number): OrderTransaction {
  // beyond 2^53, and spread over the partitions
  const orderId = 9007199254740993n + BigInt(xid);
  // sequence[0] is the previous commit's LSN: the same for every record of the transaction
  const previousCommit = 60_000_000 + xid * 1_000;
  const lsnOf = (totalOrder: number) => previousCommit + 100 + totalOrder * 8;
  const commitLsn = previousCommit + 900;
  const source = (table: string, lsn: number) =>
    `{"version":"2.7.3.Final","connector":"postgresql","name":"${prefix}","ts_ms":1795342530123,` +
    `"snapshot":"false","db":"commerce","sequence":"[\\"${previousCommit}\\",\\"${lsn}\\"]","schema":"public",` +
    `"table":"${table}","txId":${xid},"lsn":${lsn},"xmin":null}`;
  const block = (totalOrder: number, collectionOrder: number) =>
    `{"id":"${xid}:${lsnOf(totalOrder)}","total_order":${totalOrder},"data_collection_order":${collectionOrder}}`;
  const envelope = (table: string, after: string, totalOrder: number, collectionOrder: number) =>
    `{"before":null,"after":${after},"source":${source(table, lsnOf(totalOrder))},` +
    `"transaction":${block(totalOrder, collectionOrder)},"op":"c","ts_ms":1795342530200}`;

  const order: ProducedRecord = {
    topic: `${prefix}.public.orders`,
    partition: Number(orderId % BigInt(PARTITIONS)),
    key: `{"id":${orderId}}`,
    value: envelope(
      'orders',
      `{"id":${orderId},"merchant_id":7,"branch_id":3,"location_id":4,"channel":"pos","status":"created",` +
        `"table_label":"T${xid}","customer_note":null,"currency":"EUR","subtotal_amount":${450 * lineCount},` +
        `"total_amount":${450 * lineCount},"line_count":${lineCount},"created_by":null}`,
      1,
      1,
    ),
  };
  const lines: ProducedRecord[] = [];
  for (let n = 1; n <= lineCount; n++) {
    const lineId = orderId * 10n + BigInt(n);
    lines.push({
      topic: `${prefix}.public.order_lines`,
      partition: Number(lineId % BigInt(PARTITIONS)),
      key: `{"id":${lineId}}`,
      value: envelope(
        'order_lines',
        `{"id":${lineId},"order_id":${orderId},"line_no":${n},"variant_id":${40 + n},"product_id":${20 + n},` +
          `"product_name":"Oat latte","variant_name":"Large","sku":"OAT-${n}","unit_price_amount":450,` +
          `"currency":"EUR","quantity":1,"line_total_amount":450,"station_code":"bar","note":null,"modifiers":[]}`,
        n + 1,
        n,
      ),
    });
  }
  const txTopic = `${prefix}.transaction`;
  const begin: ProducedRecord = {
    topic: txTopic,
    partition: 0,
    key: `{"id":"${xid}:${lsnOf(1)}"}`,
    value: `{"status":"BEGIN","id":"${xid}:${lsnOf(1)}","event_count":null,"data_collections":null,"ts_ms":1795342530123}`,
  };
  const end: ProducedRecord = {
    topic: txTopic,
    partition: 0,
    key: `{"id":"${xid}:${commitLsn}"}`,
    value:
      `{"status":"END","id":"${xid}:${commitLsn}","event_count":${lineCount + 1},"data_collections":[` +
      `{"data_collection":"public.orders","event_count":1},` +
      `{"data_collection":"public.order_lines","event_count":${lineCount}}],"ts_ms":1795342530123}`,
  };
  const decoder = createDebeziumDecoder();
  const positions = [order, ...lines].map((r) => {
    const result = decoder.decode({ ...r, offset: '0' });
    if (result.kind !== 'change') throw new Error('test record does not decode');
    return result.event.position;
  });
  return { xid, orderId: orderId.toString(), order, lines, begin, end, positions };
}
