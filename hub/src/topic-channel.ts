import type { Logger } from '@commerce/common';
import { importTopicKey, MAX_COUNTER, randomBytes, sealTopicFrame, toBase64Url, utf8 } from '@commerce/sdk/wire';
import type { BusEntry } from './bus/bus.ts';
import type { HubMetrics } from './metrics.ts';
import type { Session } from './session.ts';
import type { Fanout } from './transport.ts';

interface TopicKey {
  id: number;
  raw: Uint8Array;
  key: CryptoKey;
  /** frames sealed under this key; the next frame's GCM nonce counter */
  counter: number;
  createdAt: number;
}

export type RotationReason = 'timer' | 'access_lost' | 'frame_limit';

type Op = { kind: 'entry'; entry: BusEntry } | { kind: 'task'; run: () => Promise<void> };

export interface TopicChannelDeps {
  fanout: Fanout;
  metrics: HubMetrics;
  logger: Logger;
  /** rotate the key after this many frames (well below the 2^32 nonce counter) */
  maxFramesPerKey: number;
  now: () => number;
}

/**
 * One topic on this hub instance: its current key, its local subscribers and an ordered queue of
 * work. Bus entries are sealed once with the topic key and handed to the transport's publish, the
 * same bytes for every subscriber; nothing on that path loops over sockets. Joins and key rotations
 * go through the same queue, so a subscriber always holds the key before any frame sealed with it.
 */
export class TopicChannel {
  readonly subscribers = new Set<Session>();
  readonly nameBytes: Uint8Array;
  #key: TopicKey;
  #queue: Op[] = [];
  #running = false;
  #idle: Promise<void> = Promise.resolve();
  #markIdle: () => void = () => {};
  /** unsubscribes this channel from the bus; set by the registry */
  busUnsubscribe: (() => Promise<void>) | undefined;
  lingerTimer: ReturnType<typeof setTimeout> | undefined;

  private constructor(
    readonly name: string,
    readonly id: number,
    key: TopicKey,
    private readonly deps: TopicChannelDeps,
  ) {
    this.nameBytes = utf8(name);
    this.#key = key;
  }

  static async create(name: string, id: number, deps: TopicChannelDeps): Promise<TopicChannel> {
    const initialId = new Uint32Array(randomBytes(4).buffer)[0]!;
    return new TopicChannel(name, id, await newKey(initialId, deps.now()), deps);
  }

  get keyId(): number {
    return this.#key.id;
  }

  get keyAge(): number {
    return this.deps.now() - this.#key.createdAt;
  }

  /** A bus entry to seal and publish, in arrival order. */
  push(entry: BusEntry): void {
    if (this.subscribers.size === 0) return; // nobody here reads it; positions come from the bus anyway
    this.#queue.push({ kind: 'entry', entry });
    this.#kick();
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

  /** Stops delivery to the session at once (no queueing: it must not see one more frame). */
  leave(session: Session): void {
    if (!this.subscribers.delete(session)) return;
    if (!session.conn.closed) session.conn.unsubscribe(this.name);
  }

  /** A new key for everyone still subscribed; frames after it cannot be read with the old one. */
  rotate(reason: RotationReason): Promise<void> {
    return this.#task(() => this.#rotateNow(reason));
  }

  /** Resolves when the queue is empty (tests and drain). */
  settled(): Promise<void> {
    return this.#running ? this.#idle : Promise.resolve();
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
      while (this.#queue.length > 0) {
        const head = this.#queue[0]!;
        if (head.kind === 'task') {
          this.#queue.shift();
          await head
            .run()
            .catch((error) => this.deps.logger.error({ err: error, topic: this.name }, 'topic task failed'));
          continue;
        }
        let count = 0;
        while (count < this.#queue.length && this.#queue[count]!.kind === 'entry') count++;
        const batch = this.#queue.splice(0, count) as Array<{ kind: 'entry'; entry: BusEntry }>;
        await this.#publish(batch.map((op) => op.entry));
      }
    } finally {
      this.#running = false;
      this.#markIdle();
    }
  }

  /** Seal a batch concurrently (nonce counters taken in order), then publish in seq order. */
  async #publish(entries: BusEntry[]): Promise<void> {
    for (let start = 0; start < entries.length; ) {
      if (this.#key.counter >= this.deps.maxFramesPerKey) await this.#rotateNow('frame_limit');
      const key = this.#key;
      const chunk = entries.slice(start, start + (this.deps.maxFramesPerKey - key.counter));
      start += chunk.length;
      const sealed = chunk.map((entry) =>
        sealTopicFrame(
          key.key,
          { topicId: this.id, keyId: key.id, counter: key.counter++, epoch: entry.epoch, seq: entry.seq },
          this.nameBytes,
          utf8(JSON.stringify(entry.event)),
        ),
      );
      const frames = await Promise.allSettled(sealed);
      for (let i = 0; i < frames.length; i++) {
        const frame = frames[i]!;
        if (frame.status === 'rejected') {
          this.deps.logger.error({ err: frame.reason, topic: this.name, seq: chunk[i]!.seq }, 'sealing a frame failed');
          continue;
        }
        const receivers = this.deps.fanout.subscriberCount(this.name);
        this.deps.fanout.publish(this.name, frame.value);
        this.deps.metrics.published.inc();
        this.deps.metrics.deliveries.inc(receivers);
      }
    }
  }

  async #rotateNow(reason: RotationReason): Promise<void> {
    const next = await newKey((this.#key.id + 1) >>> 0, this.deps.now());
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

async function newKey(id: number, now: number): Promise<TopicKey> {
  const raw = randomBytes(32);
  return { id, raw, key: await importTopicKey(raw), counter: 0, createdAt: now };
}

export const DEFAULT_MAX_FRAMES_PER_KEY = Math.min(1 << 24, MAX_COUNTER);
