/**
 * The pgoutput change source (embedded default): streams the slot, assembles whole transactions,
 * hands them to the sinks in commit order (several small transactions per batch) and confirms a
 * commit's end LSN only after every sink accepted it. A restart resumes from the last confirmed LSN;
 * whatever was delivered but not yet confirmed is delivered again, which sinks absorb because they
 * are idempotent by position.
 */
import type { ChangeEvent, ChangeSink, Logger } from '@commerce/common';
import type { Sql } from 'postgres';
import { SinkLanes } from '../deliver.ts';
import { CdcError } from '../errors.ts';
import type { CdcMetrics } from '../metrics.ts';
import type { ChangeSourceRunner } from '../source.ts';
import { formatLsn, type Lsn, parseLsn } from './lsn.ts';
import type { PgoutputMessage } from './pgoutput-decoder.ts';
import {
  createReplicationService,
  RawPgoutputPlugin,
  replicationSocket,
  sendStandbyStatus,
} from './replication-connection.ts';
import { ensureSlot, loadPrimaryKeys } from './slot.ts';
import { type DecodedTransaction, fillKeys, TransactionAssembler } from './tx-assembler.ts';

export interface PgSourceOptions {
  databaseUrl: string;
  /** ordinary connection for slot housekeeping and primary key lookups */
  sql: Sql;
  slot: string;
  publication: string;
  sinks: readonly ChangeSink[];
  logger: Logger;
  metrics: CdcMetrics;
  /** a batch holds whole transactions up to about this many changes (one big transaction may exceed it) */
  maxBatchChanges?: number;
  /** stop reading from Postgres while this many decoded changes wait for the sinks */
  maxQueuedChanges?: number;
  /** standby status interval; must stay well under the server's wal_sender_timeout (60 s default) */
  statusIntervalMs?: number;
  /** how long stop() lets the batch in flight finish before aborting it */
  stopTimeoutMs?: number;
  /** how long start() waits for a slot still held by another (dying) connection */
  startTimeoutMs?: number;
  /** called once when the source gives up (bad data or a non-retriable sink error): it does not skip */
  onFatal?: (error: unknown) => void;
}

export interface PgSource extends ChangeSourceRunner {
  /** streaming and not failed */
  readonly ready: boolean;
  readonly failure: unknown;
  /** the last LSN confirmed to the slot */
  readonly ackedLsn: Lsn;
}

interface Session {
  abort: AbortController;
  ended: boolean;
  end(error: unknown): void;
  streaming: boolean;
  delivering: Promise<void>;
}

export function createPgSource(options: PgSourceOptions): PgSource {
  const { logger, metrics, sinks } = options;
  const maxBatch = options.maxBatchChanges ?? 10_000;
  const maxQueued = options.maxQueuedChanges ?? 100_000;
  const primaryKeys = new Map<number, string[]>();
  let acked: Lsn = 0n;
  let stopping = false;
  let failure: unknown = null;
  let session: Session | null = null;
  let supervisor: Promise<void> | null = null;

  function fatal(error: unknown) {
    if (failure) return;
    failure = error;
    logger.error({ err: error }, 'cdc source stopped: it will not skip a change it cannot deliver');
    options.onFatal?.(error);
  }

  /** Runs one replication connection until it fails or the source stops. */
  async function runSession(onStreaming: () => void): Promise<unknown> {
    const service = createReplicationService(options.databaseUrl);
    const assembler = new TransactionAssembler();
    for (const [oid, columns] of primaryKeys) assembler.setPrimaryKey(oid, columns);
    const queue: DecodedTransaction[] = [];
    let queued = 0;
    let paused = false;
    /** batches handed to the sinks and not yet confirmed */
    let inflight = 0;
    let wake: (() => void) | null = null;
    let endSession!: (error: unknown) => void;
    const ended = new Promise<unknown>((resolve) => {
      endSession = resolve;
    });
    const end = (error: unknown) => {
      if (current.ended) return;
      current.ended = true;
      wake?.();
      endSession(error);
    };
    const current: Session = {
      abort: new AbortController(),
      ended: false,
      end,
      streaming: false,
      delivering: Promise.resolve(),
    };
    session = current;

    service.on('data', (_lsn: string, message: PgoutputMessage) => {
      if (current.ended) return;
      try {
        const tx = assembler.push(message);
        if (!tx) return;
        queue.push(tx);
        queued += tx.events.length;
        metrics.queuedChanges.set(queued);
        if (queued >= maxQueued && !paused) {
          paused = true;
          replicationSocket(service)?.pause();
        }
        wake?.();
      } catch (error) {
        fatal(
          new CdcError(
            'internal',
            'cdc.decode_failed',
            `cannot decode the replication stream: ${(error as Error).message}`,
            { cause: error },
          ),
        );
        end(failure);
      }
    });
    service.on('heartbeat', (lsnText: string, _ts: number, shouldRespond: boolean) => {
      // Nothing decoded is waiting: every commit before this keepalive was confirmed, so the slot may
      // move to it (Postgres's own apply worker does the same) and WAL of other databases or
      // unpublished tables is not retained for us.
      const idle = !assembler.inTransaction && queue.length === 0 && inflight === 0;
      const walEnd = parseLsn(lsnText);
      const advance = idle && walEnd > acked;
      if (advance) acked = walEnd;
      metrics.keepalives.inc({ replied: String(advance || shouldRespond) });
      if (advance || shouldRespond) sendStandbyStatus(service, acked);
    });
    service.on('error', (error: Error) => end(error));
    service.once('start', () => {
      current.streaming = true;
      onStreaming();
    });
    const statusTimer = setInterval(() => sendStandbyStatus(service, acked), options.statusIntervalMs ?? 10_000);

    const takeBatch = (): DecodedTransaction[] => {
      const txs: DecodedTransaction[] = [];
      let changes = 0;
      while (queue.length > 0 && (txs.length === 0 || changes + queue[0]!.events.length <= maxBatch)) {
        const tx = queue.shift()!;
        txs.push(tx);
        changes += tx.events.length;
      }
      return txs;
    };

    // each sink in its own lane: the bus does not wait behind the search index (see SinkLanes)
    const lanes = new SinkLanes(sinks, { signal: current.abort.signal, logger, maxBatchChanges: maxBatch });
    let statusQueued = false;
    const confirm = (last: DecodedTransaction, txCount: number, changes: number, started: number) => {
      acked = last.endLsn;
      // one standby status per turn of the event loop, however many batches were confirmed in it
      if (!statusQueued) {
        statusQueued = true;
        setImmediate(() => {
          statusQueued = false;
          sendStandbyStatus(service, acked);
        });
      }
      inflight--;
      queued -= changes;
      metrics.queuedChanges.set(queued);
      metrics.deliverySeconds.observe((performance.now() - started) / 1000);
      metrics.commitToAckSeconds.observe(Math.max(0, Date.now() - last.commitTs) / 1000);
      metrics.changes.inc({ source: 'pg' }, changes);
      metrics.transactions.inc({ source: 'pg' }, txCount);
      metrics.batches.inc({ source: 'pg' });
      metrics.ackedLsn.set(Number(acked));
      if (paused && queued < maxQueued / 2) {
        paused = false;
        replicationSocket(service)?.resume();
      }
    };

    /**
     * Hands batches to the lanes as soon as they are decoded, without waiting for the previous one
     * to be accepted (`queued`, counted until confirmation, still bounds what is in flight), and
     * confirms each batch's end LSN, in order, once every sink accepted it.
     */
    const deliver = async () => {
      let failed: { error: unknown } | null = null;
      let confirmed: Promise<void> = Promise.resolve();
      while (!current.ended && !stopping && !failed) {
        if (queue.length === 0) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = null;
          continue;
        }
        inflight++;
        const txs = takeBatch();
        await resolveKeys(txs, assembler, current.abort.signal);
        const events: ChangeEvent[] = txs.length === 1 ? txs[0]!.events : txs.flatMap((t) => t.events);
        const started = performance.now();
        const accepted =
          events.length > 0 ? lanes.submit({ events, position: events[events.length - 1]!.position }) : undefined;
        const last = txs[txs.length - 1]!;
        confirmed = (accepted ? Promise.all([confirmed, accepted]) : confirmed).then(() =>
          confirm(last, txs.length, events.length, started),
        );
        confirmed.catch((error: unknown) => {
          failed ??= { error };
          wake?.();
        });
      }
      try {
        await confirmed;
      } finally {
        // no sink call of this session outlives it (the next session delivers the same batches)
        await lanes.settled();
        // what was confirmed last reaches the server before the connection closes
        sendStandbyStatus(service, acked);
      }
    };
    current.delivering = deliver().catch((error) => {
      if (current.abort.signal.aborted) return;
      fatal(error);
      end(error);
    });

    service.subscribe(new RawPgoutputPlugin(options.publication), options.slot, formatLsn(acked)).then(
      () => end(new CdcError('unavailable', 'cdc.replication_failed', 'replication stream ended')),
      (error: unknown) => end(error),
    );
    logger.info({ slot: options.slot, from: formatLsn(acked) }, 'replication session starting');

    const outcome = await ended;
    clearInterval(statusTimer);
    if (stopping && !failure) {
      // let the batch in flight finish and be confirmed, within bounds, before closing the connection
      const timer = setTimeout(() => current.abort.abort(new Error('cdc stopping')), options.stopTimeoutMs ?? 10_000);
      await current.delivering;
      clearTimeout(timer);
    } else {
      current.abort.abort(new Error('replication session ended'));
      await current.delivering;
    }
    await service.destroy().catch(() => undefined);
    current.streaming = false;
    return outcome;
  }

  /** Keys of REPLICA IDENTITY FULL tables added to the publication after start are looked up once. */
  async function resolveKeys(txs: DecodedTransaction[], assembler: TransactionAssembler, signal: AbortSignal) {
    const missing = new Set<number>();
    for (const tx of txs)
      for (const u of tx.unresolvedKeys) if (!primaryKeys.has(u.relationOid)) missing.add(u.relationOid);
    if (missing.size > 0) {
      let found: Map<number, string[]> | null = null;
      for (let delay = 100; !found; delay = Math.min(delay * 2, 5_000)) {
        try {
          found = await loadPrimaryKeys(options.sql, { relationOids: [...missing] });
        } catch (error) {
          // a catalog read failing is an outage, not bad data: wait and try again
          signal.throwIfAborted();
          logger.warn({ err: error, retryInMs: delay }, 'primary key lookup failed, retrying');
          await new Promise((r) => setTimeout(r, delay));
        }
      }
      for (const oid of missing) {
        const columns = found.get(oid) ?? [];
        primaryKeys.set(oid, columns);
        assembler.setPrimaryKey(oid, columns);
      }
    }
    for (const tx of txs) if (tx.unresolvedKeys.length > 0) fillKeys(tx, (oid) => primaryKeys.get(oid));
  }

  async function supervise(firstStreaming: (error?: unknown) => void) {
    const startDeadline = Date.now() + (options.startTimeoutMs ?? 30_000);
    let backoff = 200;
    let first = true;
    while (!stopping && !failure) {
      const outcome = await runSession(() => {
        backoff = 200;
        if (first) firstStreaming();
        first = false;
      });
      if (stopping || failure) break;
      if (first && !(isSlotBusy(outcome) && Date.now() < startDeadline)) {
        // never streamed: a wrong URL or a missing slot is better reported by start() than retried.
        // A slot still held by a predecessor (killed a moment ago; its walsender has not noticed) is
        // waited for, within bounds.
        firstStreaming(outcome ?? new Error('replication session ended before streaming'));
        return;
      }
      metrics.sourceRestarts.inc({ source: 'pg' });
      logger.warn(
        { err: outcome, retryInMs: backoff, from: formatLsn(acked) },
        'replication session ended, reconnecting',
      );
      await new Promise((r) => setTimeout(r, backoff));
      backoff = Math.min(backoff * 2, 10_000);
    }
    if (first) firstStreaming(failure ?? new Error('cdc source stopped before streaming'));
  }

  return {
    get ready() {
      return !failure && !stopping && session?.streaming === true;
    },
    get failure() {
      return failure;
    },
    get ackedLsn() {
      return acked;
    },
    async start() {
      const slot = await ensureSlot(options.sql, options.slot, options.publication);
      acked = slot.confirmedFlushLsn;
      for (const [oid, columns] of await loadPrimaryKeys(options.sql, { publication: options.publication }))
        primaryKeys.set(oid, columns);
      if (slot.created) logger.info({ slot: options.slot }, 'created replication slot');
      await new Promise<void>((resolve, reject) => {
        supervisor = supervise((error) => (error ? reject(error) : resolve()));
      });
    },
    async stop() {
      stopping = true;
      // the delivery loop finishes the batch in flight, then runSession closes the connection
      (session as Session | null)?.end(null);
      await supervisor;
    },
  };
}

/** 55006 object_in_use: "replication slot ... is active for PID ..." */
function isSlotBusy(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === '55006';
}
