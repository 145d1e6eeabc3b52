import type { Position } from './wire/messages.ts';

export interface StreamEntry<E> {
  epoch: string;
  seq: number;
  event: E;
}

/** What the stream asks its owner to do after taking an entry or a subscription reply. */
export interface StreamSink<E> {
  deliver(entry: StreamEntry<E>, replayed: boolean): void;
  /** a hole was seen: resubscribe from `since` to get the missing entries from history */
  resync(since: Position): void;
  /** a live frame repeated a position already delivered */
  duplicate(entry: StreamEntry<E>): void;
  /** the history this terminal followed is gone (the epoch changed under a live stream) */
  epochChanged(entry: StreamEntry<E>): void;
}

/**
 * One topic's ordering rules on the terminal: entries are delivered strictly in seq order, once.
 * While a (re)subscription is pending, live frames are buffered; replayed entries fill the gap;
 * once the server confirms, the buffer is drained. A gap while live triggers a resync.
 */
export class TopicStream<E> {
  /** last delivered position; undefined until the first subscription is confirmed */
  last: Position | undefined;
  pending = true;
  #buffer: StreamEntry<E>[] = [];

  constructor(
    private readonly sink: StreamSink<E>,
    initial?: Position,
  ) {
    this.last = initial;
  }

  /** A live frame (already authenticated and decrypted). */
  live(entry: StreamEntry<E>): void {
    if (this.pending) {
      this.#buffer.push(entry);
      return;
    }
    this.#take(entry, false);
  }

  /** A replayed history entry: arrives before the subscription is confirmed, in order. */
  replayed(entry: StreamEntry<E>): void {
    const last = this.last;
    if (last && last.seq > 0 && entry.epoch === last.epoch && entry.seq <= last.seq) return;
    this.sink.deliver(entry, true);
    this.last = { epoch: entry.epoch, seq: entry.seq };
  }

  /** The server confirmed the subscription: `head` is the position the live stream continues from. */
  confirmed(head: Position, recovered: boolean | null): void {
    const last = this.last;
    if (recovered === true && last && last.seq > 0 && last.epoch === head.epoch && last.seq < head.seq) {
      // the replay stopped short of the head: ask again from what was delivered (still pending)
      this.sink.resync(last);
      return;
    }
    // fresh subscription or reload: the head is the new baseline
    if (recovered !== true || !last || last.seq === 0) this.last = head;
    this.pending = false;
    const buffered = this.#buffer.sort((a, b) => a.seq - b.seq);
    this.#buffer = [];
    for (const entry of buffered) {
      if (this.pending) this.#buffer.push(entry);
      else this.#take(entry, true);
    }
  }

  /** A subscription request is being sent (connect or reconnect): buffer until it is confirmed. */
  subscribing(): Position | undefined {
    this.pending = true;
    this.#buffer = [];
    return this.last;
  }

  /** Ask again from the last delivered position (also used after a rejected frame). */
  resync(): void {
    if (this.pending) return;
    this.pending = true;
    this.sink.resync(this.last ?? { epoch: '', seq: 0 });
  }

  #take(entry: StreamEntry<E>, fromBuffer: boolean): void {
    const last = this.last ?? { epoch: '', seq: 0 };
    if (last.seq > 0 && entry.epoch !== last.epoch) {
      this.sink.epochChanged(entry);
      this.last = { epoch: entry.epoch, seq: entry.seq };
      this.sink.deliver(entry, false);
      return;
    }
    if (entry.seq <= last.seq) {
      if (!fromBuffer) this.sink.duplicate(entry);
      return;
    }
    if (entry.seq > last.seq + 1) {
      this.#buffer.push(entry);
      this.resync();
      return;
    }
    this.last = { epoch: entry.epoch, seq: entry.seq };
    this.sink.deliver(entry, false);
  }
}
