/**
 * The baseline: pg-logical-replication as its README shows it, its own pgoutput parser (values
 * through `pg`'s type parsers) with its flow control (one awaited handler per message), draining the
 * same slot backlog with no sinks at all. It does strictly less work than cdc's pipeline.
 */
import { LogicalReplicationService, PgoutputPlugin } from 'pg-logical-replication';
import { nowMs } from './stats.ts';

export async function baselineDrain(databaseUrl: string, slot: string, publication: string, expected: number) {
  const service = new LogicalReplicationService(
    { connectionString: databaseUrl },
    { acknowledge: { auto: true, timeoutSeconds: 10 }, flowControl: { enabled: true } },
  );
  let changes = 0;
  let first = 0;
  const done = new Promise<number>((resolve) => {
    service.on('data', async (_lsn: string, message: { tag: string }) => {
      if (message.tag === 'update' || message.tag === 'insert' || message.tag === 'delete') {
        if (changes === 0) first = nowMs();
        changes++;
        if (changes === expected) resolve(nowMs());
      }
    });
  });
  service.on('error', () => undefined);
  const started = nowMs();
  void service
    .subscribe(new PgoutputPlugin({ protoVersion: 1, publicationNames: [publication] }), slot)
    .catch(() => undefined);
  const end = await Promise.race([done, new Promise<number>((r) => setTimeout(() => r(nowMs()), 120_000))]);
  await service.destroy();
  return { changes, seconds: (end - started) / 1000, firstChangeAfterMs: first - started };
}
