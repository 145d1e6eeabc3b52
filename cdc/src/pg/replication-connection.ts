/**
 * The few places where we go around pg-logical-replication: it is used for the connection, the
 * START_REPLICATION call and the copy-stream framing, and we take over three things it gets in our way
 * of doing exactly.
 */
import type { Duplex } from 'node:stream';
import { LogicalReplicationService, PgoutputPlugin } from 'pg-logical-replication';
import { formatLsn, type Lsn } from './lsn.ts';
import { decodePgoutput, type PgoutputMessage } from './pgoutput-decoder.ts';

/** pgoutput v1 through pg-logical-replication's plugin, but decoded by our own lossless decoder. */
export class RawPgoutputPlugin extends PgoutputPlugin {
  constructor(publication: string) {
    super({ protoVersion: 1, publicationNames: [publication], messages: false });
  }
  // the base class's declared message type is its own; our 'data' listener receives PgoutputMessage
  override parse(buffer: Buffer): ReturnType<PgoutputPlugin['parse']> {
    return decodePgoutput(buffer) as PgoutputMessage as unknown as ReturnType<PgoutputPlugin['parse']>;
  }
}

/**
 * A replication connection with manual acknowledgement (we confirm only what every sink accepted),
 * no library timer (we send status updates ourselves), and no library flow control: its queue would
 * deliver keepalives ahead of data still queued, and we must know a keepalive comes after every
 * change before it. The session settings make value text predictable (see pg-values.ts).
 */
export function createReplicationService(databaseUrl: string): LogicalReplicationService {
  return new LogicalReplicationService(
    {
      connectionString: databaseUrl,
      options: '-c TimeZone=UTC -c DateStyle=ISO -c IntervalStyle=iso_8601 -c extra_float_digits=3',
      application_name: 'commerce-cdc',
    },
    { acknowledge: { auto: false, timeoutSeconds: 0 }, flowControl: { enabled: false } },
  );
}

/**
 * Sends a standby status update confirming everything before `lsn` as flushed. The library's
 * acknowledge() reports `lsn + 1`; confirming one byte past a commit's end could skip a transaction
 * whose commit record starts exactly there, so we hand it `lsn - 1` and the server receives `lsn`,
 * the commit end LSN, as Postgres's own apply worker reports it.
 */
export function sendStandbyStatus(service: LogicalReplicationService, lsn: Lsn): void {
  if (lsn <= 0n) return;
  void service.acknowledge(formatLsn(lsn - 1n));
}

/**
 * The socket under the replication connection, to pause reading when too many decoded changes wait
 * for the sinks (TCP backpressure then holds Postgres's walsender). The library keeps it private.
 */
export function replicationSocket(service: LogicalReplicationService): Pick<Duplex, 'pause' | 'resume'> | undefined {
  const inner = service as unknown as { _client?: { connection?: { stream?: Duplex } } | null };
  return inner._client?.connection?.stream;
}
