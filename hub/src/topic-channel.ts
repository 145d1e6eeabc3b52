import type { Logger } from '@commerce/common';
import { MAX_COUNTER, randomBytes, toBase64Url, utf8 } from '@commerce/sdk/wire';
import type { BusEntry } from './bus/bus.ts';
import type { HubMetrics } from './metrics.ts';
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

export type RotationReason = 'timer' | 'access_lost' | 'frame_limit';

export interface TopicChannelDeps {
  fanout: Fanout;
  metrics: HubMetrics;
  logger: Logger;
  /** rotate the key after this many frames (well below the 2^32 nonce counter) */
  maxFramesPerKey: number;
  now: () => number;
}

type Op = { kind: 'entry'; entry: BusEntry } | { kind: 'task'; run: () => Promise<void> };

/**
 * One topic on this hub instance: its current key, its local subscribers and an ordered queue.
 * A bus entry is sealed once with the topic key and handed to the transport's native publish, the
 * same bytes for every subscriber; nothing on that path loops over sockets, and when no join or
 * rotation is in flight it runs synchronously. Joins and rotations (which send the key to each
 * subscriber, sealed with its session key) are queued with the entries, so a subscriber always
 * holds a key before the first frame sealed with it.
 */
export class TopicChannel {
  readonly subscribers = new Set<Session>();
  readonly nameBytes: Uint8Array;
  #key: TopicKey;
  #queue: Op[] = [];
  #running = false;
  #timerRotationQueued = false;
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
    if (this.#running || this.#queue.length > 0 || this.#key.counter >= this.deps.maxFramesPerKey) {
      this.#queue.push({ kind: 'entry', entry });
      this.#kick();
      return;
    }
    this.#publish(entry);
  }

  /** Hands the current key to the session (sealed with its session key), then subscribes it. */
  join(session: Session): Promise<boolean> {
    return this.#task(async () => {
      if (this.subscribers.has(session)) return true;
      const sent = await session.sendSealed(this.#keyMessage(this.#key));
      if (!sent || !session.open) return false;
      session.conn.subscribe(this.name);
      this.subscribers.add(session);
      return true;
    });
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

  /** Resolves when the queue is empty (tests and drain). */
  settled(): Promise<void> {
    return this.#running ? this.#idle : Promise.resolve();
  }

  #publish(entry: BusEntry): void {
    const key = this.#key;
    let frame: Uint8Array;
    try {
      frame = sealTopicFrameSync(
        key.raw,
        { topicId: this.id, keyId: key.id, counter: key.counter++, epoch: entry.epoch, seq: entry.seq },
        this.nameBytes,
        utf8(JSON.stringify(entry.event)),
      );
    } catch (error) {
      this.deps.logger.error({ err: error, topic: this.name, seq: entry.seq }, 'sealing a frame failed');
      return;
    }
    this.deps.fanout.publish(this.name, frame);
    this.deps.metrics.published.inc();
    // local subscribers of this channel are exactly the transport's subscribers of this topic here
    this.deps.metrics.deliveries.inc(this.subscribers.size);
  }

  #task<T>(run: () => Promise<T>): Promise<T> {
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
          await op
            .run()
            .catch((error) => this.deps.logger.error({ err: error, topic: this.name }, 'topic task failed'));
          continue;
        }
        if (this.#key.counter >= this.deps.maxFramesPerKey) await this.#rotateNow('frame_limit');
        this.#publish(op.entry);
      }
    } finally {
      this.#running = false;
      this.#markIdle();
    }
  }

  async #rotateNow(reason: RotationReason): Promise<void> {
    const next = newKey((this.#key.id + 1) >>> 0, this.deps.now());
    const message = this.#keyMessage(next);
    // every current subscriber has the new key on its socket before the first frame sealed with it
    await Promise.all([...this.subscribers].map((session) => session.sendSealed(message)));
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
