import type { ChangeBatch, ChangeSink, ChangeSinkContext } from '@commerce/common';
import type { Admin } from 'kafkajs';

/** Shared by the over-the-wire Kafka source tests. */
export class RecordingSink implements ChangeSink {
  readonly name = 'recording';
  readonly batches: ChangeBatch[] = [];
  private calls = 0;
  constructor(private readonly before?: (batch: ChangeBatch, call: number, ctx: ChangeSinkContext) => Promise<void>) {}
  async handle(batch: ChangeBatch, ctx: ChangeSinkContext): Promise<void> {
    await this.before?.(batch, this.calls++, ctx);
    this.batches.push(batch);
  }
  positions(): string[] {
    return this.batches.flatMap((b) => b.events.map((e) => e.position));
  }
}

export async function until(
  what: string,
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The group's committed offset per partition ('-1' = none). */
export async function committedOffsets(admin: Admin, groupId: string, topic: string): Promise<Map<number, string>> {
  const [result] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map(result!.partitions.map((p) => [p.partition, p.offset]));
}

export async function highWatermarks(admin: Admin, topic: string): Promise<Map<number, string>> {
  return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.high]));
}
