import type { DomainEvent, Logger } from '@commerce/common';
import { Redis } from 'ioredis';
import { busUnavailable } from '../errors.ts';
import type { Bus, BusEntry, BusListener, HistoryResult, PublishResult, TopicPosition } from './bus.ts';
import { newEpoch, resolveHistory } from './history-window.ts';
import type { RetentionOptions } from './memory-bus.ts';
import { OrderedFeed } from './ordered-feed.ts';
import { HISTORY_SCRIPT, PUBLISH_SCRIPT } from './redis-bus-scripts.ts';

export interface RedisBusOptions extends RetentionOptions {
  url: string;
  /** prepended to every key and Pub/Sub channel, so several systems (or test files) share one Redis */
  keyPrefix: string;
}

/** Events per script call: bounds one atomic step and the argument list. */
const PUBLISH_CHUNK = 200;

type ScriptRedis = Redis & {
  busPublish(meta: string, log: string, ids: string, ...args: Array<string | number>): Promise<[number, number]>;
  busHistory(meta: string, log: string, since: number, limit: number): Promise<[string, number, number, StreamRow[]]>;
};
type StreamRow = [string, string[]];

/**
 * The distributed bus: per topic a capped Redis Stream (entry id `0-<seq>`) as history, a hash with
 * the epoch and the seq counter, a sorted set of recent event ids for dedupe, and a Pub/Sub channel
 * for live notification — all written by one Lua script per topic batch, so a reader never sees a
 * notification without its history entry. Readers repair lost notifications from history.
 */
export class RedisBus implements Bus {
  readonly #options: RedisBusOptions;
  readonly #logger: Logger | undefined;
  readonly #redis: ScriptRedis;
  readonly #subscriber: Redis;
  readonly #feeds = new Map<string, OrderedFeed>();
  #started = false;

  constructor(options: RedisBusOptions, deps: { logger?: Logger } = {}) {
    this.#options = { ...options, dedupeWindow: Math.max(options.historyMax, options.dedupeWindow) };
    this.#logger = deps.logger;
    const common = { lazyConnect: true, maxRetriesPerRequest: 2, enableAutoPipelining: true };
    this.#redis = new Redis(options.url, common) as ScriptRedis;
    this.#redis.defineCommand('busPublish', { numberOfKeys: 3, lua: PUBLISH_SCRIPT });
    this.#redis.defineCommand('busHistory', { numberOfKeys: 2, lua: HISTORY_SCRIPT });
    this.#subscriber = new Redis(options.url, { lazyConnect: true, autoResubscribe: true });
    this.#subscriber.on('message', (channel: string, message: string) => this.#onMessage(channel, message));
    this.#redis.on('error', (error) => this.#logger?.warn({ err: error }, 'redis bus connection error'));
    this.#subscriber.on('error', (error) => this.#logger?.warn({ err: error }, 'redis bus subscriber error'));
    // after an outage ioredis resubscribes; whatever was published meanwhile is read from history
    this.#subscriber.on('ready', () => {
      if (!this.#started) return;
      for (const feed of this.#feeds.values()) feed.catchUp();
    });
  }

  async start(): Promise<void> {
    try {
      await Promise.all([this.#redis.connect(), this.#subscriber.connect()]);
    } catch (error) {
      throw busUnavailable('cannot connect the redis bus', error);
    }
    this.#started = true;
  }

  async stop(): Promise<void> {
    this.#started = false;
    this.#feeds.clear();
    await Promise.allSettled([this.#subscriber.quit(), this.#redis.quit()]);
  }

  async publish(events: DomainEvent[]): Promise<PublishResult> {
    const byTopic = new Map<string, DomainEvent[]>();
    for (const event of events) {
      const list = byTopic.get(event.topic);
      if (list) list.push(event);
      else byTopic.set(event.topic, [event]);
    }
    const calls: Array<Promise<[number, number]>> = [];
    for (const [topic, list] of byTopic) {
      const keys = this.#keys(topic);
      // chunks of one topic are issued in order on one connection, so they apply in order
      for (let i = 0; i < list.length; i += PUBLISH_CHUNK) {
        const args: Array<string | number> = [
          keys.channel,
          newEpoch(),
          this.#options.historyMax,
          this.#options.dedupeWindow,
        ];
        for (const event of list.slice(i, i + PUBLISH_CHUNK)) args.push(event.id, JSON.stringify(event));
        calls.push(this.#redis.busPublish(keys.meta, keys.log, keys.ids, ...args));
      }
    }
    try {
      const results = await Promise.all(calls);
      return results.reduce<PublishResult>(
        (sum, [appended, duplicates]) => ({
          appended: sum.appended + appended,
          duplicates: sum.duplicates + duplicates,
        }),
        { appended: 0, duplicates: 0 },
      );
    } catch (error) {
      throw busUnavailable('redis bus publish failed', error);
    }
  }

  async subscribe(topic: string, listener: BusListener): Promise<() => Promise<void>> {
    let feed = this.#feeds.get(topic);
    if (!feed) {
      try {
        await this.#subscriber.subscribe(this.#keys(topic).channel);
        // the head is read after SUBSCRIBE is acknowledged: everything later arrives as a notification
        const start = await this.head(topic);
        feed = this.#feeds.get(topic);
        if (!feed) {
          feed = new OrderedFeed(topic, start, {
            history: (t, since, limit) => this.history(t, since, limit),
            ...(this.#logger ? { logger: this.#logger } : {}),
          });
          this.#feeds.set(topic, feed);
        }
      } catch (error) {
        throw busUnavailable(`cannot subscribe to ${topic}`, error);
      }
    }
    const active = feed;
    active.listeners.add(listener);
    return async () => {
      active.listeners.delete(listener);
      if (active.listeners.size > 0 || this.#feeds.get(topic) !== active) return;
      this.#feeds.delete(topic);
      await this.#subscriber.unsubscribe(this.#keys(topic).channel).catch(() => undefined);
    };
  }

  async history(topic: string, since: TopicPosition, limit = 1000): Promise<HistoryResult> {
    const keys = this.#keys(topic);
    let reply: [string, number, number, StreamRow[]];
    try {
      reply = await this.#redis.busHistory(keys.meta, keys.log, since.seq, Math.max(0, limit));
    } catch (error) {
      throw busUnavailable(`redis bus history of ${topic} failed`, error);
    }
    const [epoch, headSeq, firstRetainedSeq, rows] = reply;
    return resolveHistory(since, {
      head: { epoch, seq: Number(headSeq) },
      firstRetainedSeq: Number(firstRetainedSeq),
      entriesAfter: rows.map((row) => toEntry(topic, epoch, row)),
    });
  }

  async head(topic: string): Promise<TopicPosition> {
    try {
      const [epoch, seq] = await this.#redis.hmget(this.#keys(topic).meta, 'epoch', 'seq');
      return epoch ? { epoch, seq: Number(seq ?? 0) } : { epoch: '', seq: 0 };
    } catch (error) {
      throw busUnavailable(`redis bus head of ${topic} failed`, error);
    }
  }

  /** Test and ops hook: drop a topic's history as a Redis data loss would; the next publish starts a new epoch. */
  async loseHistory(topic: string): Promise<void> {
    const keys = this.#keys(topic);
    await this.#redis.del(keys.meta, keys.log, keys.ids);
  }

  #onMessage(channel: string, message: string): void {
    const topic = this.#topicOf(channel);
    const feed = topic === undefined ? undefined : this.#feeds.get(topic);
    if (!feed || topic === undefined) return;
    let parsed: { epoch: string; seq: number; event: DomainEvent };
    try {
      parsed = JSON.parse(message);
    } catch (error) {
      this.#logger?.error({ err: error, channel }, 'malformed bus notification');
      return;
    }
    feed.push({ topic, epoch: parsed.epoch, seq: parsed.seq, event: parsed.event, json: eventJsonOf(message) });
  }

  #keys(topic: string) {
    const base = `${this.#options.keyPrefix}bus:{${topic}}`;
    return { channel: base, meta: `${base}:meta`, log: `${base}:log`, ids: `${base}:ids` };
  }

  #topicOf(channel: string): string | undefined {
    const start = `${this.#options.keyPrefix}bus:{`;
    if (!channel.startsWith(start) || !channel.endsWith('}')) return undefined;
    return channel.slice(start.length, -1);
  }
}

function toEntry(topic: string, epoch: string, [id, fields]: StreamRow): BusEntry {
  const json = fields[fields.indexOf('e') + 1] ?? 'null';
  return { topic, epoch, seq: Number(id.slice(2)), event: JSON.parse(json) as DomainEvent, json };
}

/**
 * The event's JSON inside a notification, as the publish script wrote it: `{"epoch":"…","seq":N,
 * "event":<json>}`, so it is everything after the first `,"event":` (the epoch is base36 and hex,
 * the seq digits) up to the closing brace.
 */
const EVENT_FIELD = ',"event":';
function eventJsonOf(message: string): string {
  return message.slice(message.indexOf(EVENT_FIELD) + EVENT_FIELD.length, -1);
}
