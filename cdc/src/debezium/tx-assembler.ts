/**
 * Turns Debezium records, which reach the consumer partition by partition (each table has its own
 * topic, so one transaction's order row and its lines arrive in different batches), back into whole
 * transactions, and says how far each partition's offset may be committed. Pure and synchronous (no
 * I/O), like the pgoutput source's assembler: the Kafka source feeds it decoded records, delivers
 * what `take()` hands out, reports `delivered()`, and commits `pendingCommits()`.
 *
 * - A transaction (records sharing a `transactionKey`) is whole once its END record
 *   (`<prefix>.transaction`) has arrived and as many distinct `total_order`s as END counts for the
 *   data collections we consume. Its change events come out sorted by `total_order`.
 * - Records without transaction metadata (snapshot reads, a connector without
 *   provide.transaction.metadata) are units of their own. Records that carry nothing to deliver
 *   (tombstones, heartbeats, BEGIN, messages outside a transaction, parked records) are not held.
 * - Order: a unit is handed out only when, in every partition it has records in, the first record
 *   not yet handed out is its own. That keeps Kafka's per-partition (per-key) order, and because the
 *   transaction topic has one partition (infra/debezium/connector.json), END records impose commit
 *   order on the transactions themselves. Ready units come out by position (commit order).
 * - Offsets: a partition is committed up to its first record whose unit is not delivered. After a
 *   crash or rebalance the consumer re-reads from there, so an incomplete transaction is read again
 *   in full (nothing lost); anything re-delivered decodes to the same positions, which the sinks
 *   dedupe.
 * - Bounds: when more than `maxBufferedRecords` records wait, or the oldest waiting unit is older
 *   than `maxWaitMs`, the oldest unit (or the unit blocking it) is handed out as it is, marked
 *   `incomplete`, for the source to warn about and count: nothing waits forever, nothing is dropped.
 *   Its key is remembered; records of it arriving later are handed out alone (`late`).
 */
import type { ChangeEvent } from '@commerce/common';
import { MinHeap } from './min-heap.ts';
import type { TransactionBoundary, TransactionMember } from './transaction-metadata.ts';
import { PartitionQueue, Unit } from './tx-unit.ts';

export type { Incomplete, IncompleteReason, Unit } from './tx-unit.ts';

export interface RecordAt {
  topic: string;
  partition: number;
  offset: string;
}

/** What one decoded record means here. */
export type AssemblerInput =
  | { kind: 'change'; event: ChangeEvent; transaction: TransactionMember | null }
  /** a record of a transaction that is no row change (transactional logical message, parked record) */
  | { kind: 'member'; transaction: TransactionMember }
  | { kind: 'end'; boundary: TransactionBoundary }
  /** nothing to deliver: tombstone, heartbeat, BEGIN, message outside a transaction, parked record */
  | { kind: 'skip' };

export interface AssemblerOptions {
  maxBufferedRecords: number;
  maxWaitMs: number;
  now?: () => number;
  /** whether this data collection's records reach the consumer (END counts only those) */
  consumes?: (dataCollection: string) => boolean;
  /** keys of transactions handed out incomplete that are remembered for their stragglers */
  rememberFlushed?: number;
}

export interface AssemblerStats {
  /** records held in units not handed out yet */
  bufferedRecords: number;
  bufferedTransactions: number;
  oldestAgeMs: number;
}

export class KafkaTransactionAssembler {
  private readonly now: () => number;
  private readonly partitions = new Map<string, PartitionQueue>();
  /** pending units by seq; `oldestSeq` only moves forward (Map#values().next() walks deleted slots) */
  private readonly pending = new Map<number, Unit>();
  private oldestSeq = 0;
  private readonly byKey = new Map<string, Unit>();
  private readonly flushedKeys = new Set<string>();
  private readonly forced: Unit[] = [];
  private readonly ready = new MinHeap<Unit>((a, b) =>
    a.sortKey === b.sortKey ? a.seq < b.seq : a.sortKey < b.sortKey,
  );
  private seq = 0;
  private buffered = 0;

  constructor(private readonly options: AssemblerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Feeds one record; false when its offset was seen already (a re-fetch), and it is ignored. */
  push(at: RecordAt, input: AssemblerInput): boolean {
    const queue = this.queue(at.topic, at.partition);
    const offset = BigInt(at.offset);
    if (offset < queue.next) return false;
    queue.next = offset + 1n;

    if (input.kind === 'skip') return true;
    if (input.kind === 'end') {
      const unit = this.transaction(input.boundary.key);
      // END of a transaction handed out incomplete already: nothing left to wait for
      if (!unit) return true;
      unit.expected ??= this.expectedCount(input.boundary);
      this.add(queue, offset, unit);
      return true;
    }
    const event = input.kind === 'change' ? input.event : null;
    if (input.transaction === null) {
      this.add(queue, offset, this.create(null, event));
      return true;
    }
    const unit = this.transaction(input.transaction.key);
    if (unit) {
      // a duplicate total_order adds nothing but still holds its offset until the unit is delivered
      unit.addMember(input.transaction.totalOrder, event);
      this.add(queue, offset, unit);
    } else {
      // a straggler of a transaction handed out incomplete: alone, in partition order
      const late = this.create(input.transaction.key, event);
      late.incomplete = { reason: 'late', expected: null, present: 1, missing: [], ageMs: 0 };
      this.add(queue, offset, late);
    }
    return true;
  }

  /**
   * Units to deliver now, in order, whole: at most about `maxChanges` change events, but always at
   * least one unit when any is ready (a big transaction is never split). The bounds are applied only
   * when nothing is ready, so a backlog that is merely waiting its turn is never flushed early.
   */
  take(maxChanges: number): Unit[] {
    const out: Unit[] = [];
    this.takeInto(out, maxChanges);
    if (out.length === 0) {
      this.enforceBounds();
      this.takeInto(out, maxChanges);
    }
    return out;
  }

  /** The units handed out by `take()` reached every sink: their records may be committed. */
  delivered(units: readonly Unit[]): void {
    for (const unit of units) {
      unit.state = 'done';
      for (const queue of unit.partitions) queue.advanceCommit();
    }
  }

  /** Offsets to commit (the next offset to read) for partitions whose frontier moved since `committed()`. */
  pendingCommits(): RecordAt[] {
    const out: RecordAt[] = [];
    for (const queue of this.partitions.values()) {
      if (queue.next < 0n) continue;
      const frontier = queue.frontier();
      if (frontier !== queue.reported) {
        out.push({ topic: queue.topic, partition: queue.partition, offset: frontier.toString() });
      }
    }
    return out;
  }

  /** These offsets are committed in the group. */
  committed(offsets: readonly RecordAt[]): void {
    for (const c of offsets) {
      const queue = this.partitions.get(`${c.topic}\u0000${c.partition}`);
      if (queue) queue.reported = BigInt(c.offset);
    }
  }

  /** True when this record was fed already (kafkajs fetches a batch again when a handler returned early). */
  seen(at: RecordAt): boolean {
    const queue = this.partitions.get(`${at.topic}\u0000${at.partition}`);
    return queue !== undefined && BigInt(at.offset) < queue.next;
  }

  /** Next offset to commit for a partition, or null before its first record. */
  frontier(topic: string, partition: number): bigint | null {
    const queue = this.partitions.get(`${topic}\u0000${partition}`);
    return queue && queue.next >= 0n ? queue.frontier() : null;
  }

  stats(): AssemblerStats {
    const oldest = this.oldest();
    return {
      bufferedRecords: this.buffered,
      bufferedTransactions: this.byKey.size,
      oldestAgeMs: oldest ? this.now() - oldest.firstSeenAt : 0,
    };
  }

  private queue(topic: string, partition: number): PartitionQueue {
    const id = `${topic}\u0000${partition}`;
    let queue = this.partitions.get(id);
    if (!queue) {
      queue = new PartitionQueue(topic, partition);
      this.partitions.set(id, queue);
    }
    return queue;
  }

  private oldest(): Unit | undefined {
    while (this.oldestSeq < this.seq && !this.pending.has(this.oldestSeq)) this.oldestSeq++;
    return this.pending.get(this.oldestSeq);
  }

  /** The pending transaction of this key (new if needed); null when it was handed out incomplete. */
  private transaction(key: string): Unit | null {
    let unit = this.byKey.get(key);
    if (unit) return unit;
    if (this.flushedKeys.has(key)) return null;
    unit = this.create(key, null);
    this.byKey.set(key, unit);
    return unit;
  }

  private create(key: string | null, single: ChangeEvent | null): Unit {
    const unit = new Unit(this.seq++, key, this.now(), single);
    this.pending.set(unit.seq, unit);
    return unit;
  }

  private add(queue: PartitionQueue, offset: bigint, unit: Unit): void {
    queue.entries.push({ offset, unit });
    unit.partitions.add(queue);
    unit.records++;
    this.buffered++;
    this.check(unit);
  }

  private expectedCount(end: TransactionBoundary): number {
    const consumes = this.options.consumes;
    if (!consumes || end.dataCollections === null) return end.eventCount ?? 0;
    let n = 0;
    for (const c of end.dataCollections) if (consumes(c.dataCollection)) n += c.eventCount;
    return n;
  }

  private takeInto(out: Unit[], maxChanges: number): void {
    let changes = 0;
    const fits = (unit: Unit) => out.length === 0 || changes + unit.events.length <= maxChanges;
    while (this.forced.length > 0) {
      if (!fits(this.forced[0]!)) return;
      const unit = this.forced.shift()!;
      out.push(unit);
      changes += unit.events.length;
    }
    for (let unit = this.ready.peek(); unit; unit = this.ready.peek()) {
      if (unit.state !== 'pending' || !this.isReady(unit)) {
        // no longer at the head somewhere (a duplicate record of it arrived behind another unit)
        this.ready.pop();
        unit.queued = false;
        continue;
      }
      if (!fits(unit)) return;
      this.ready.pop();
      unit.queued = false;
      this.markTaken(unit);
      out.push(unit);
      changes += unit.events.length;
    }
  }

  private isReady(unit: Unit): boolean {
    for (const queue of unit.partitions) if (queue.readyHead() !== unit) return false;
    return true;
  }

  private check(unit: Unit | undefined): void {
    if (!unit || unit.queued || unit.state !== 'pending' || !unit.whole || !this.isReady(unit)) return;
    unit.queued = true;
    this.ready.push(unit);
  }

  private markTaken(unit: Unit): void {
    unit.state = 'taken';
    this.pending.delete(unit.seq);
    if (unit.key !== null && this.byKey.get(unit.key) === unit) this.byKey.delete(unit.key);
    this.buffered -= unit.records;
    for (const queue of unit.partitions) this.check(queue.readyHead());
  }

  private enforceBounds(): void {
    const { maxBufferedRecords, maxWaitMs } = this.options;
    for (;;) {
      const oldest = this.oldest();
      if (!oldest) return;
      const reason =
        this.buffered > maxBufferedRecords
          ? 'max_buffered'
          : this.now() - oldest.firstSeenAt > maxWaitMs
            ? 'max_wait'
            : null;
      if (!reason) return;
      this.force(oldest, reason);
    }
  }

  /** Hands out `start`, or the unit that blocks it in one of its partitions (so partition order holds). */
  private force(start: Unit, reason: 'max_wait' | 'max_buffered'): void {
    let unit = start;
    const seen = new Set<Unit>([unit]);
    for (;;) {
      let blocker: Unit | undefined;
      for (const queue of unit.partitions) {
        const head = queue.readyHead();
        if (head && head !== unit && !seen.has(head)) {
          blocker = head;
          break;
        }
      }
      if (!blocker) break;
      seen.add(blocker);
      unit = blocker;
    }
    if (!unit.whole) {
      unit.incomplete = {
        reason,
        expected: unit.expected,
        present: unit.present,
        missing: unit.missing(),
        ageMs: this.now() - unit.firstSeenAt,
      };
      this.remember(unit.key!);
    }
    this.markTaken(unit);
    this.forced.push(unit);
  }

  private remember(key: string): void {
    this.flushedKeys.add(key);
    const limit = this.options.rememberFlushed ?? 10_000;
    if (this.flushedKeys.size > limit) this.flushedKeys.delete(this.flushedKeys.values().next().value!);
  }
}
