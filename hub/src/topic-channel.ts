import type { Logger, Principal } from '@commerce/common';
import { MAX_COUNTER, MAX_EVENTS_PER_FRAME, randomBytes, toBase64Url, utf8 } from '@commerce/sdk/wire';
import type { BusEntry } from './bus/bus.ts';
import type { HubMetrics } from './metrics.ts';
import { matchesRevocation, type RevocationMatch } from './revocation.ts';
import type { Session } from './session.ts';
import { sealTopicFrameSync } from './topic-sealer.ts';
import type { Fanout } from './transport.ts';

interface TopicKey {
  id: number;
  raw: Uint8Array;
  /** frames sealed under this key; the next frame's GCM nonce counter */
  counter: number;
  createdAt: number;
}

/** Entries gathered for one frame: consecutive positions of one epoch, one key and nonce counter. */
interface FrameBatch {
  key: TopicKey;
  counter: number;
  epoch: string;
  seq: number;
  events: string[];
  chars: number;
}

export type RotationReason = 'timer' | 'access_lost' | 'frame_limit';

export interface TopicChannelDeps {
  fanout: Fanout;
  metrics: HubMetrics;
  logger: Logger;
  /** rotate the key after this many frames (well below the 2^32 nonce counter) */
  maxFramesPerKey: number;
  /** most events sealed into one frame; 1 = one frame per event */
  maxEventsPerFrame: number;
  now: () => number;
}

/**
 * A frame stops growing past this much event JSON: below uWebSockets' 16 KiB cork buffer, so a
 * publish stays on its batched path, and small enough that no terminal waits on a huge frame.
 */
export const FRAME_TARGET_CHARS = 15 * 1024;

type Op = { kind: 'entry'; entry: BusEntry } | { kind: 'task'; run: () => Promise<void> };

/**
 * One topic on this hub instance: its current key, its local subscribers and an ordered queue.
 * Bus entries are sealed with the topic key and handed to the transport's native publish, the
 * same bytes for every subscriber; nothing on that path loops over sockets, and when no join or
 * rotation is in flight it runs synchronously. Entries that arrive in the same turn of the event
 * loop (one bus delivery: a cdc batch, a Redis notification) are sealed together into one frame
 * at the end of that turn (a microtask, never a timer), up to maxEventsPerFrame and
 * FRAME_TARGET_CHARS. Joins and rotations (which send the key to each subscriber, sealed with its
 * session key) are queued with the entries, and whatever was gathered before them is published
 * first, so a subscriber always holds a key before the first frame sealed with it.
 */
export class TopicChannel {
  readonly subscribers = new Set<Session>();
  readonly nameBytes: Uint8Array;
  #key: TopicKey;
  /**
   * Everyone the current key was handed to since it was made, connected or not: a terminal that
   * disconnected still knows it, so its revocation must rotate it (a plain disconnect need not).
   */
  readonly #holders = new Map<string, Principal>();
  #queue: Op[] = [];
  #running = false;
  #timerRotationQueued = false;
  #batch: FrameBatch | undefined;
  #flushQueued = false;
  readonly #flushSoon = () => {
    this.#flushQueued = false;
    this.#flush();
  };
  #idle: Promise<void> = Promise.resolve();
  #markIdle: () => void = () => {};
  /** unsubscribes this channel from the bus; set by the registry */
  busUnsubscribe: (() => Promise<void>) | undefined;
  lingerTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly name: string,
    readonly id: number,
    private readonly deps: TopicChannelDeps,
  ) {
    this.nameBytes = utf8(name);
    this.#key = newKey(new DataView(randomBytes(4).buffer).getUint32(0), deps.now());
  }

  get keyId(): number {
    return this.#key.id;
  }

  get keyAge(): number {
    return this.deps.now() - this.#key.createdAt;
  }

  /** A bus entry to seal and publish, in arrival order. */
  push(entry: BusEntry): void {
    if (this.subscribers.size === 0) return; // nobody here reads it; late joiners get positions from the bus
    if (this.#running || this.#queue.length > 0) {
      this.#enqueue(entry);
      return;
    }
    const { json } = entry;
    if (!this.#accepts(entry, json)) {
      this.#flush();
      if (this.#key.counter >= this.deps.maxFramesPerKey) {
        this.#enqueue(entry); // rotating is async: the queue does it first
        return;
      }
      this.#open(entry);
    }
    this.#add(json);
    // whatever else arrives in this turn joins the frame; it goes out when the turn ends
    if (this.#batch && !this.#flushQueued) {
      this.#flushQueued = true;
      queueMicrotask(this.#flushSoon);
    }
  }

  /** Hands the current key to the session (sealed with its session key), then subscribes it. */
  join(session: Session): Promise<boolean> {
    return this.#task(async () => {
      if (this.subscribers.has(session)) return true;
      // noted before sending: a revocation that arrives while the key is on its way still sees it
      if (session.principal) this.holdsKey(session.principal);
      const sent = await session.sendSealed(this.#keyMessage(this.#key));
      if (!sent || !session.open) return false;
      session.conn.subscribe(this.name);
      this.subscribers.add(session);
      return true;
    });
  }

  /** The principal knows the current key (at a join, or a token refresh that keeps the topic). */
  holdsKey(principal: Principal): void {
    this.#holders.set(`${principal.kind}:${principal.id}:${principal.tokenId}`, principal);
  }

  /** Was the current key handed to a terminal or token that matches this revocation? */
  heldBy(match: RevocationMatch): boolean {
    for (const holder of this.#holders.values()) if (matchesRevocation(holder, match)) return true;
    return false;
  }

  /** Stops delivery to the session at once (not queued: it must not see one more frame). */
  leave(session: Session): void {
    if (!this.subscribers.delete(session)) return;
    if (!session.conn.closed) session.conn.unsubscribe(this.name);
  }

  /** A new key for everyone still subscribed; frames after it cannot be read with the old one. */
  rotate(reason: RotationReason): Promise<void> {
    // a timer rotation already waiting in the queue covers another one
    if (reason === 'timer' && this.#timerRotationQueued) return Promise.resolve();
    if (reason === 'timer') this.#timerRotationQueued = true;
    return this.#task(() => {
      if (reason === 'timer') this.#timerRotationQueued = false;
      return this.#rotateNow(reason);
    });
  }

  /** Resolves when the queue is empty and gathered entries are published (tests and drain). */
  settled(): Promise<void> {
    this.#flush();
    return this.#running ? this.#idle : Promise.resolve();
  }

  /** Can the entry join the frame being gathered? Same epoch, next position, room left. */
  #accepts(entry: BusEntry, json: string): boolean {
    const batch = this.#batch;
    return (
      batch !== undefined &&
      entry.epoch === batch.epoch &&
      entry.seq === batch.seq + batch.events.length &&
      batch.events.length < this.deps.maxEventsPerFrame &&
      batch.chars + json.length <= FRAME_TARGET_CHARS
    );
  }

  /** Starts a frame at this entry's position, reserving the key and nonce counter it is sealed with. */
  #open(entry: BusEntry): void {
    const key = this.#key;
    this.#batch = { key, counter: key.counter++, epoch: entry.epoch, seq: entry.seq, events: [], chars: 0 };
  }

  #add(json: string): void {
    const batch = this.#batch!;
    batch.events.push(json);
    batch.chars += json.length + 1;
    if (batch.events.length >= this.deps.maxEventsPerFrame) this.#flush();
  }

  #enqueue(entry: BusEntry): void {
    this.#flush();
    this.#queue.push({ kind: 'entry', entry });
    this.#kick();
  }

  /** Seals the gathered entries into one frame and publishes it. */
  #flush(): void {
    const batch = this.#batch;
    if (!batch) return;
    this.#batch = undefined;
    const count = batch.events.length;
    let frame: Uint8Array;
    try {
      frame = sealTopicFrameSync(
        batch.key.raw,
        { topicId: this.id, keyId: batch.key.id, counter: batch.counter, epoch: batch.epoch, seq: batch.seq, count },
        this.nameBytes,
        utf8(count === 1 ? `[${batch.events[0]}]` : `[${batch.events.join(',')}]`),
      );
    } catch (error) {
      this.deps.logger.error({ err: error, topic: this.name, seq: batch.seq, count }, 'sealing a frame failed');
      return;
    }
    this.deps.fanout.publish(this.name, frame);
    this.deps.metrics.published.inc();
    this.deps.metrics.events.inc(count);
    // local subscribers of this channel are exactly the transport's subscribers of this topic here
    this.deps.metrics.deliveries.inc(this.subscribers.size * count);
  }

  #task<T>(run: () => Promise<T>): Promise<T> {
    this.#flush(); // what was gathered before the task goes out before it, with the key it was sealed for
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ kind: 'task', run: () => run().then(resolve, reject) });
      this.#kick();
    });
  }

  #kick(): void {
    if (this.#running) return;
    this.#running = true;
    this.#idle = new Promise((resolve) => {
      this.#markIdle = resolve;
    });
    void this.#drain();
  }

  async #drain(): Promise<void> {
    try {
      for (let op = this.#queue.shift(); op; op = this.#queue.shift()) {
        if (op.kind === 'task') {
          this.#flush();
          await op
            .run()
            .catch((error) => this.deps.logger.error({ err: error, topic: this.name }, 'topic task failed'));
          continue;
        }
        const { json } = op.entry;
        if (!this.#accepts(op.entry, json)) {
          this.#flush();
          if (this.#key.counter >= this.deps.maxFramesPerKey) await this.#rotateNow('frame_limit');
          this.#open(op.entry);
        }
        this.#add(json);
        // consecutive queued entries share frames; anything else publishes what was gathered
        if (this.#queue[0]?.kind !== 'entry') this.#flush();
      }
    } finally {
      this.#flush();
      this.#running = false;
      this.#markIdle();
    }
  }

  async #rotateNow(reason: RotationReason): Promise<void> {
    const next = newKey((this.#key.id + 1) >>> 0, this.deps.now());
    const message = this.#keyMessage(next);
    const recipients = [...this.subscribers];
    // from here on only the recipients can know the key frames will be sealed with
    this.#holders.clear();
    for (const session of recipients) if (session.principal) this.holdsKey(session.principal);
    // every current subscriber has the new key on its socket before the first frame sealed with it
    await Promise.all(recipients.map((session) => session.sendSealed(message)));
    this.#key = next;
    this.deps.metrics.keyRotations.inc({ reason });
  }

  #keyMessage(key: TopicKey) {
    return { t: 'key' as const, topic: this.name, topicId: this.id, keyId: key.id, key: toBase64Url(key.raw) };
  }
}

function newKey(id: number, now: number): TopicKey {
  return { id, raw: randomBytes(32), counter: 0, createdAt: now };
}

export const DEFAULT_MAX_FRAMES_PER_KEY = Math.min(1 << 24, MAX_COUNTER);
/** events coalesced into one frame by default (bounded further by FRAME_TARGET_CHARS) */
export const DEFAULT_MAX_EVENTS_PER_FRAME = Math.min(64, MAX_EVENTS_PER_FRAME);
