import type { Logger } from '@commerce/common';
import type { Bus } from './bus/bus.ts';
import type { HubMetrics } from './metrics.ts';
import type { RevocationMatch } from './revocation.ts';
import { TopicChannel, type TopicChannelDeps } from './topic-channel.ts';
import type { Fanout } from './transport.ts';

export interface TopicRegistryDeps {
  bus: Bus;
  fanout: Fanout;
  metrics: HubMetrics;
  logger: Logger;
  now: () => number;
  maxFramesPerKey: number;
  maxEventsPerFrame: number;
  /** how long a topic without local subscribers stays subscribed to the bus, to absorb reconnect churn */
  lingerMs: number;
}

/**
 * The topics this instance serves: a channel per topic with local subscribers, each subscribed to
 * the bus once, whatever the number of local terminals. The last subscriber leaving starts a linger
 * timer; after it the bus subscription and the key are dropped.
 */
export class TopicRegistry {
  readonly #channels = new Map<string, TopicChannel>();
  readonly #creating = new Map<string, Promise<TopicChannel>>();
  #nextId = 1;

  constructor(private readonly deps: TopicRegistryDeps) {}

  get size(): number {
    return this.#channels.size;
  }

  channels(): IterableIterator<TopicChannel> {
    return this.#channels.values();
  }

  async acquire(topic: string): Promise<TopicChannel> {
    const existing = this.#channels.get(topic);
    if (existing) {
      clearTimeout(existing.lingerTimer);
      existing.lingerTimer = undefined;
      return existing;
    }
    let creating = this.#creating.get(topic);
    if (!creating) {
      creating = this.#create(topic).finally(() => this.#creating.delete(topic));
      this.#creating.set(topic, creating);
    }
    return creating;
  }

  /** Called after a subscriber left; starts the linger timer if it was the last. */
  released(channel: TopicChannel): void {
    if (channel.subscribers.size > 0 || channel.lingerTimer || this.#channels.get(channel.name) !== channel) return;
    channel.lingerTimer = setTimeout(() => {
      channel.lingerTimer = undefined;
      if (channel.subscribers.size === 0) void this.#dispose(channel);
    }, this.deps.lingerMs);
    channel.lingerTimer.unref?.();
  }

  /** Rotate every key older than maxAgeMs (called from the hub's sweep). */
  rotateOlderThan(maxAgeMs: number): void {
    for (const channel of this.#channels.values()) {
      if (channel.subscribers.size > 0 && channel.keyAge >= maxAgeMs) void channel.rotate('timer');
    }
  }

  /**
   * Rotate every key that was handed to a revoked terminal or token, connected or not, including
   * topics nobody reads now (a later subscriber must not get a key the revoked one knows).
   */
  rotateHeldBy(match: RevocationMatch): number {
    let rotated = 0;
    for (const channel of this.#channels.values()) {
      if (!channel.heldBy(match)) continue;
      void channel.rotate('access_lost');
      rotated++;
    }
    return rotated;
  }

  async stop(): Promise<void> {
    const channels = [...this.#channels.values()];
    await Promise.all(channels.map((channel) => this.#dispose(channel)));
  }

  async #create(topic: string): Promise<TopicChannel> {
    const channelDeps: TopicChannelDeps = {
      fanout: this.deps.fanout,
      metrics: this.deps.metrics,
      logger: this.deps.logger,
      maxFramesPerKey: this.deps.maxFramesPerKey,
      maxEventsPerFrame: this.deps.maxEventsPerFrame,
      now: this.deps.now,
    };
    const channel = new TopicChannel(topic, this.#nextId++ >>> 0, channelDeps);
    channel.busUnsubscribe = await this.deps.bus.subscribe(topic, (entry) => channel.push(entry));
    this.#channels.set(topic, channel);
    return channel;
  }

  async #dispose(channel: TopicChannel): Promise<void> {
    clearTimeout(channel.lingerTimer);
    if (this.#channels.get(channel.name) === channel) this.#channels.delete(channel.name);
    await channel.settled();
    await channel.busUnsubscribe?.().catch((error) => {
      this.deps.logger.warn({ err: error, topic: channel.name }, 'bus unsubscribe failed');
    });
  }
}
