import type { Logger } from '@commerce/common';
import type { BusEntry, BusListener, HistoryResult, TopicPosition } from './bus.ts';

type FeedItem = { kind: 'entry'; entry: BusEntry } | { kind: 'catch-up' };

/** Most history pages one gap fill reads before it gives up and lets readers see the gap. */
const MAX_FILL_PAGES = 20;
const FILL_PAGE = 500;

/**
 * One topic's live feed for a distributed bus: notifications may be lost (a Pub/Sub reconnect) or
 * arrive twice, so the feed keeps the last delivered position and repairs holes from history
 * before handing entries, strictly in seq order and once each, to its listeners.
 */
export class OrderedFeed {
  readonly listeners = new Set<BusListener>();
  #last: TopicPosition;
  #queue: FeedItem[] = [];
  #draining = false;

  constructor(
    readonly topic: string,
    start: TopicPosition,
    private readonly deps: {
      history: (topic: string, since: TopicPosition, limit: number) => Promise<HistoryResult>;
      logger?: Logger;
    },
  ) {
    this.#last = start;
  }

  push(entry: BusEntry): void {
    this.#queue.push({ kind: 'entry', entry });
    void this.#drain();
  }

  /** After a notification outage: read whatever was appended since the last delivered entry. */
  catchUp(): void {
    this.#queue.push({ kind: 'catch-up' });
    void this.#drain();
  }

  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (let item = this.#queue.shift(); item; item = this.#queue.shift()) {
        if (item.kind === 'catch-up') {
          await this.#fill(Number.MAX_SAFE_INTEGER);
          continue;
        }
        const { entry } = item;
        const sameEpoch = entry.epoch === this.#last.epoch;
        if (sameEpoch && entry.seq <= this.#last.seq) continue;
        if (!sameEpoch) this.#last = { epoch: entry.epoch, seq: 0 };
        if (entry.seq > this.#last.seq + 1) await this.#fill(entry.seq - 1);
        if (entry.epoch === this.#last.epoch && entry.seq <= this.#last.seq) continue;
        this.#emit(entry);
      }
    } finally {
      this.#draining = false;
    }
  }

  /** Deliver retained entries after the last one, up to `untilSeq`. */
  async #fill(untilSeq: number): Promise<void> {
    for (let page = 0; page < MAX_FILL_PAGES && this.#last.seq < untilSeq; page++) {
      let result: HistoryResult;
      try {
        result = await this.deps.history(this.topic, this.#last, Math.min(FILL_PAGE, untilSeq - this.#last.seq));
      } catch (error) {
        this.deps.logger?.warn({ err: error, topic: this.topic }, 'bus gap fill failed; readers will see the gap');
        return;
      }
      if (!result.recovered) {
        // the epoch moved on or the entries are gone: jump to the head, readers detect the hole
        if (result.reason !== 'ahead_of_head') {
          this.deps.logger?.warn({ topic: this.topic, reason: result.reason }, 'bus gap could not be filled');
        }
        return;
      }
      if (result.entries.length === 0) return;
      for (const entry of result.entries) {
        if (entry.seq > untilSeq) return;
        this.#emit(entry);
      }
    }
  }

  #emit(entry: BusEntry): void {
    this.#last = { epoch: entry.epoch, seq: entry.seq };
    for (const listener of this.listeners) {
      try {
        listener(entry);
      } catch (error) {
        this.deps.logger?.error({ err: error, topic: entry.topic, seq: entry.seq }, 'bus listener failed');
      }
    }
  }
}
