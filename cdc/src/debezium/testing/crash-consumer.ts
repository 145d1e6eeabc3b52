/**
 * The Debezium Kafka source in a process of its own, for the SIGKILL test
 * (kafka-source-crash.test.ts): `node --import tsx crash-consumer.ts`, configured from the
 * environment like cdc/src/main.ts (CDC_KAFKA_*, CDC_DEBEZIUM_*).
 *
 * Its sink appends each batch it receives to CRASH_RECEIVED_FILE, one JSON line
 * `{"positions":[…],"blocked":bool}` written synchronously before anything else happens, so the
 * file holds everything the process received even when it is killed. Once CRASH_BLOCK_AFTER changes
 * have been received it never returns from that batch (ignoring the abort signal, like a process
 * that hangs): that batch is received but its offsets can never be committed.
 */
import { appendFileSync } from 'node:fs';
import { type ChangeSink, createLogger } from '@commerce/common';
import { debeziumSourceConfig } from '../config.ts';
import { createDebeziumKafkaSource } from '../kafka-source.ts';

const file = process.env.CRASH_RECEIVED_FILE;
const blockAfter = Number(process.env.CRASH_BLOCK_AFTER);
if (!file || !Number.isInteger(blockAfter) || blockAfter < 1) {
  throw new Error('CRASH_RECEIVED_FILE and CRASH_BLOCK_AFTER (a positive integer) are required');
}

let received = 0;
const sink: ChangeSink = {
  name: 'received-file',
  async handle(batch) {
    received += batch.events.length;
    const blocked = received >= blockAfter;
    appendFileSync(file, `${JSON.stringify({ positions: batch.events.map((e) => e.position), blocked })}\n`);
    if (blocked) await new Promise(() => undefined);
  },
};

const source = createDebeziumKafkaSource(debeziumSourceConfig.parse(process.env), {
  sinks: [sink],
  logger: createLogger('crash-consumer', process.env.LOG_LEVEL ?? 'warn'),
});
await source.start();
