import type { ChangeEvent } from '@commerce/common';

/** The transaction assembler's bookkeeping (tx-assembler.ts): units of delivery and per-partition queues. */
export type IncompleteReason = 'max_wait' | 'max_buffered' | 'late';

export interface Incomplete {
  reason: IncompleteReason;
  /** events END announced for what we consume; null when END never came */
  expected: number | null;
  present: number;
  /** the first few missing total_orders */
  missing: number[];
  ageMs: number;
}

export type UnitState = 'pending' | 'taken' | 'done';

interface Entry {
  offset: bigint;
  unit: Unit;
}

export class PartitionQueue {
  readonly entries: Entry[] = [];
  /** first entry whose unit is still pending */
  readyAt = 0;
  /** first entry whose unit is not delivered: the commit frontier */
  commitAt = 0;
  /** offset after the last record seen; -1 before the first */
  next = -1n;
  reported: bigint | null = null;
  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  frontier(): bigint {
    return this.commitAt < this.entries.length ? this.entries[this.commitAt]!.offset : this.next;
  }

  readyHead(): Unit | undefined {
    while (this.readyAt < this.entries.length && this.entries[this.readyAt]!.unit.state !== 'pending') this.readyAt++;
    return this.entries[this.readyAt]?.unit;
  }

  advanceCommit(): void {
    while (this.commitAt < this.entries.length && this.entries[this.commitAt]!.unit.state === 'done') this.commitAt++;
    if (this.commitAt > 1024 && this.commitAt * 2 > this.entries.length) {
      this.entries.splice(0, this.commitAt);
      this.readyAt -= this.commitAt;
      this.commitAt = 0;
    }
  }
}

/** A transaction, or one record outside any transaction; what `take()` hands out. */
export class Unit {
  state: UnitState = 'pending';
  readonly partitions = new Set<PartitionQueue>();
  records = 0;
  /** total_order → change (null for members without one) */
  private readonly members = new Map<number, ChangeEvent | null>();
  expected: number | null = null;
  queued = false;
  incomplete: Incomplete | undefined;
  private sorted: ChangeEvent[] | null = null;

  constructor(
    readonly seq: number,
    /** transaction key; null for a record outside any transaction */
    readonly key: string | null,
    readonly firstSeenAt: number,
    private readonly single: ChangeEvent | null = null,
  ) {}

  get whole(): boolean {
    return (
      this.key === null ||
      this.incomplete !== undefined ||
      (this.expected !== null && this.members.size >= this.expected)
    );
  }

  get present(): number {
    return this.members.size;
  }

  /** false when this total_order is here already (the connector re-sent records after a restart) */
  addMember(totalOrder: number, event: ChangeEvent | null): boolean {
    if (this.members.has(totalOrder)) return false;
    this.members.set(totalOrder, event);
    this.sorted = null;
    return true;
  }

  /** change events in total_order */
  get events(): ChangeEvent[] {
    if (this.key === null || this.incomplete?.reason === 'late') return this.single ? [this.single] : [];
    this.sorted ??= [...this.members.entries()]
      .sort((a, b) => a[0] - b[0])
      .flatMap(([, event]) => (event ? [event] : []));
    return this.sorted;
  }

  /** position of the first event: ready units are handed out in this order */
  get sortKey(): string {
    return this.events[0]?.position ?? '';
  }

  missing(limit = 10): number[] {
    let upTo = this.expected ?? 0;
    if (this.expected === null) for (const order of this.members.keys()) upTo = Math.max(upTo, order);
    const out: number[] = [];
    for (let i = 1; i <= upTo && out.length < limit; i++) if (!this.members.has(i)) out.push(i);
    return out;
  }
}
