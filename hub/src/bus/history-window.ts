import type { BusEntry, HistoryResult, TopicPosition } from './bus.ts';

/** What an implementation knows about a topic's retained history when asked for entries after `since`. */
export interface HistorySnapshot {
  head: TopicPosition;
  /** seq of the oldest retained entry, 0 if none is retained */
  firstRetainedSeq: number;
  /** retained entries with seq > since.seq, in order, at most the requested limit */
  entriesAfter: BusEntry[];
}

/**
 * The recovery rules, once for every bus: `since.seq = 0` means "saw nothing" (any epoch); a
 * different epoch means the history the reader knew is gone; a position past the head cannot be
 * ours; anything older than the oldest retained entry was trimmed.
 */
export function resolveHistory(since: TopicPosition, snapshot: HistorySnapshot): HistoryResult {
  const { head } = snapshot;
  if (since.seq > 0 && since.epoch !== head.epoch) return { recovered: false, reason: 'epoch_changed', head };
  if (since.seq > head.seq) return { recovered: false, reason: 'ahead_of_head', head };
  if (since.seq === head.seq) return { recovered: true, entries: [], head };
  if (snapshot.firstRetainedSeq === 0 || snapshot.firstRetainedSeq > since.seq + 1) {
    return { recovered: false, reason: 'trimmed', head };
  }
  return { recovered: true, entries: snapshot.entriesAfter, head };
}

/**
 * A fresh epoch: when the history was (re)created (base36 ms) plus 24 random bits, so two creations
 * never collide. Short on purpose: it rides in every topic frame's header.
 */
export function newEpoch(now = Date.now()): string {
  const random = new Uint8Array(3);
  globalThis.crypto.getRandomValues(random);
  let hex = '';
  for (const byte of random) hex += byte.toString(16).padStart(2, '0');
  return `${now.toString(36)}-${hex}`;
}

export const EMPTY_HEAD: TopicPosition = Object.freeze({ epoch: '', seq: 0 });
