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
import { OptionsError, parseSimulateArgs, usage } from './options.ts';
import { rushTarget } from './rush.ts';
import type { RushChildStart } from './rush-child.ts';

/**
 * `npm run simulate -- --pos 20 --kds 12 --orders-per-s 50 --duration 60 [--with-redis]`:
 * boots the whole embedded system on free ports in a temporary folder (never touching a running
 * `npm start`) in this process, drives a lunch rush against it from a child process (the devices
 * do not share the server's event loop), prints the summary and stops everything.
 */
let parsed: ReturnType<typeof parseSimulateArgs>;
try {
  parsed = parseSimulateArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof OptionsError)) throw error;
  console.error(`simulate: ${error.message}\n\n${usage()}`);
  process.exit(2);
}
if (parsed.help) {
  console.log(usage());
  process.exit(0);
}
const { options } = parsed;
const dataDir = await mkdtemp(join(tmpdir(), 'commerce-rush-'));
const logFile = join(dataDir, 'system.log');
const say = (line: string) => console.log(line);
let system: BootedSystem | undefined;
let child: ChildProcess | undefined;
let exitCode = 0;
let signals = 0;
let stopRequested = false;
const onSignal = () => {
  // the first signal ends the rush early (the child prints its summary); a third gives up waiting
  stopRequested = true;
  if (++signals > 2) process.exit(130);
  if (child && child.exitCode === null) child.kill('SIGINT');
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

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
  await system?.stop();
  if (exitCode === 0) await rm(dataDir, { recursive: true, force: true }).catch(() => {});
  else console.error(`logs kept in ${logFile}`);
}
process.exit(exitCode);
