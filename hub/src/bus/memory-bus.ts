import type { DomainEvent, Logger } from '@commerce/common';
import type { Bus, BusEntry, BusListener, HistoryResult, PublishResult, TopicPosition } from './bus.ts';
import { ByteLog } from './byte-log.ts';
import { newEpoch, resolveHistory } from './history-window.ts';
import { IdWindow } from './id-window.ts';

export interface RetentionOptions {
  /** entries kept per topic; older ones are trimmed */
  historyMax: number;
  /** event ids remembered per topic for dedupe; never less than historyMax */
  dedupeWindow: number;
}

interface TopicLog {
  epoch: string;
  seq: number;
  /** the retained events' JSON, oldest first, off the heap; the newest has seq `seq`, so seqs follow */
  history: ByteLog;
  /** the last dedupeWindow event ids, for dedupe (off the heap too) */
  ids: IdWindow;
  listeners: Set<BusListener>;
}

/**
 * The embedded bus: history, dedupe and fan-out in this process. Listeners are called
 * synchronously inside publish(), in seq order; a listener that throws is logged and skipped.
 * Each topic's history and dedupe ids are kept as UTF-8 bytes off the JS heap (ByteLog, IdWindow),
 * so retaining them costs the garbage collector next to nothing; history() decodes what it returns.
 */
export class MemoryBus implements Bus {
  readonly #topics = new Map<string, TopicLog>();
  readonly #historyMax: number;
  readonly #dedupeWindow: number;
  readonly #logger: Logger | undefined;

  constructor(options: RetentionOptions, deps: { logger?: Logger } = {}) {
    this.#historyMax = Math.max(1, options.historyMax);
    this.#dedupeWindow = Math.max(this.#historyMax, options.dedupeWindow);
    this.#logger = deps.logger;
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    for (const log of this.#topics.values()) log.listeners.clear();
  }

  async publish(events: DomainEvent[]): Promise<PublishResult> {
    const result: PublishResult = { appended: 0, duplicates: 0 };
    for (const event of events) {
      const log = this.#log(event.topic);
      if (log.ids.has(event.id)) {
        result.duplicates++;
        continue;
      }
      log.seq++;
      const json = JSON.stringify(event);
      const entry: BusEntry = { topic: event.topic, epoch: log.epoch, seq: log.seq, event, json };
      this.#append(log, json, event.id);
      result.appended++;
      for (const listener of log.listeners) {
        try {
          listener(entry);
        } catch (error) {
          this.#logger?.error({ err: error, topic: entry.topic, seq: entry.seq }, 'bus listener failed');
        }
      }
    }
    return result;
  }

  async subscribe(topic: string, listener: BusListener): Promise<() => Promise<void>> {
    const log = this.#log(topic);
    log.listeners.add(listener);
    return async () => {
      log.listeners.delete(listener);
    };
  }

  async history(topic: string, since: TopicPosition, limit = 1000): Promise<HistoryResult> {
    const log = this.#topics.get(topic);
    if (!log) return resolveHistory(since, { head: { epoch: '', seq: 0 }, firstRetainedSeq: 0, entriesAfter: [] });
    const retained = log.history.length;
    const firstRetainedSeq = retained > 0 ? log.seq - retained + 1 : 0;
    const entriesAfter: BusEntry[] = [];
    const start = Math.max(0, since.seq + 1 - firstRetainedSeq);
    const end = Math.min(retained, start + Math.max(0, limit));
    for (let i = start; i < end; i++) {
      const json = log.history.at(i);
      entriesAfter.push({
        topic,
        epoch: log.epoch,
        seq: firstRetainedSeq + i,
        event: JSON.parse(json) as DomainEvent,
        json,
      });
    }
    return resolveHistory(since, { head: { epoch: log.epoch, seq: log.seq }, firstRetainedSeq, entriesAfter });
  }

  async head(topic: string): Promise<TopicPosition> {
    const log = this.#topics.get(topic);
    return log ? { epoch: log.epoch, seq: log.seq } : { epoch: '', seq: 0 };
  }

  /** Forget a topic's history, as a restart would: the next publish starts a new epoch. */
  loseHistory(topic: string): void {
    const log = this.#topics.get(topic);
    if (!log) return;
    const listeners = log.listeners;
    this.#topics.delete(topic);
    this.#log(topic).listeners = listeners;
  }

  #log(topic: string): TopicLog {
    let log = this.#topics.get(topic);
    if (!log) {
      log = {
        epoch: newEpoch(),
        seq: 0,
        history: new ByteLog(),
        ids: new IdWindow(this.#dedupeWindow),
        listeners: new Set(),
      };
      this.#topics.set(topic, log);
    }
    return log;
  }

  #append(log: TopicLog, json: string, id: string): void {
    log.history.push(json);
    if (log.history.length > this.#historyMax) log.history.shift();
    log.ids.add(id);
  }
}
