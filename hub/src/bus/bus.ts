import type { DomainEvent } from '@commerce/common';

/**
 * The fan-out bus between cdc (the only writer) and hub instances (readers).
 *
 * Every topic has a history with a position: `epoch` names one incarnation of the topic's history
 * (it changes if the history is lost or reset) and `seq` counts entries 1, 2, 3... without gaps,
 * so a reader that saw seq N knows exactly what it missed: N+1 up to the head. Entries older than
 * the retention cap are trimmed; asking for them yields `recovered: false`.
 *
 * Publishing is idempotent: an event whose `id` (derived deterministically from its source position)
 * was already appended to that topic within the dedupe window (at least the history retention) is
 * skipped, so a replay after a crash never appends twice. Dedupe is by id, not by "position must
 * increase", because a Kafka source delivers partitions interleaved.
 *
 * Implementations: memory-bus.ts (embedded default, one process) and redis-bus.ts (Redis Streams
 * for history + Pub/Sub for live notification, written atomically by one script).
 */
export interface TopicPosition {
  epoch: string;
  seq: number;
}

export interface BusEntry {
  topic: string;
  epoch: string;
  seq: number;
  event: DomainEvent;
  /**
   * The event as JSON, as the bus carries it (JSON.stringify(event)): the hub frames it as is
   * instead of serializing every entry again, and the memory bus keeps only this string in its
   * history (one flat string per entry, not the event's object graph, for the GC to copy and mark).
   */
  json: string;
}

export interface PublishResult {
  appended: number;
  duplicates: number;
}

export type HistoryResult =
  | { recovered: true; entries: BusEntry[]; head: TopicPosition }
  | { recovered: false; reason: 'epoch_changed' | 'trimmed' | 'ahead_of_head'; head: TopicPosition };

export type BusListener = (entry: BusEntry) => void;

export interface Bus {
  /** Append events to their topics' histories (event.topic) and notify live subscribers. */
  publish(events: DomainEvent[]): Promise<PublishResult>;
  /** Live entries of one topic, in seq order, from now on. Resolves once the subscription is active. */
  subscribe(topic: string, listener: BusListener): Promise<() => Promise<void>>;
  /** Entries after `since` (exclusive), up to `limit`, or why they cannot be given. */
  history(topic: string, since: TopicPosition, limit?: number): Promise<HistoryResult>;
  /** Current head of a topic (seq 0 if nothing was ever published). */
  head(topic: string): Promise<TopicPosition>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
