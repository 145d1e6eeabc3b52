import { createLogger, parseConfig } from '@commerce/common';
import { takeOverShutdownSignals } from '../postgres/embedded-postgres.ts';
import { printBanner } from './banner.ts';
import { type BootedSystem, bootEmbeddedSystem } from './boot.ts';
import { lanAddress, partTuning, type StartConfig, startConfigSchema } from './config.ts';
import { progressReporter } from './progress.ts';

/**
 * `npm start [-- --fresh] [-- --with-redis] [-- --tls | --lan]`: Postgres started by the project
 * (data kept in DATA_DIR between runs), migrations, demo data, then every part in this one process.
 * Ctrl-C / SIGTERM stops the parts in order, then Postgres.
 */
const OPTIONS = {
  '--fresh': 'wipe the data folder first',
  '--with-redis': 'fan out through Redis instead of the in-process bus',
  '--tls': 'also serve everything on one https origin (self-signed certificate)',
  '--lan': "for tablets on this network: listen on all interfaces, this machine's LAN address in URLs, --tls",
};
const args = new Set(process.argv.slice(2));
const unknown = [...args].filter((a) => !(a in OPTIONS));
if (unknown.length) {
  const usage = Object.entries(OPTIONS).map(([flag, what]) => `  ${flag.padEnd(13)} ${what}`);
  console.error([`unknown option ${unknown.join(' ')}; options:`, ...usage].join('\n'));
  process.exit(2);
}
// a bad setting (here or in the api tuning the parts read) stops the start in one line, before anything runs
let config: StartConfig;
try {
  config = parseConfig(startConfigSchema);
  // as startSystem reads them; capture's database is known only once Postgres runs
  partTuning(process.env, 'postgres://localhost/commerce');
} catch (error) {
  console.error(`npm start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
if (args.has('--with-redis')) config.BUS_DRIVER = 'redis';
if (args.has('--tls') || args.has('--lan')) config.TLS = 'self-signed';
if (args.has('--lan')) {
  // explicit BIND_HOST / PUBLIC_HOST still win
  if (!process.env.BIND_HOST) config.BIND_HOST = '0.0.0.0';
  if (!process.env.PUBLIC_HOST) config.PUBLIC_HOST = lanAddress() ?? config.PUBLIC_HOST;
}
const log = createLogger('start', config.LOG_LEVEL);
let booting: Promise<BootedSystem> | undefined;
let stopping = false;

async function shutdown(signal: string, code = 0) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping...`);
  // a signal during boot waits for it, so nothing it started (Postgres) is left behind
  const system = await booting?.catch(() => undefined);
  await system?.stop();
  process.exit(code);
}
takeOverShutdownSignals((signal) => void shutdown(signal));

try {
  const bar = progressReporter('demo data');
  booting = bootEmbeddedSystem({
    config,
    logger: log,
    fresh: args.has('--fresh'),
    onSeedProgress: (done, total, stage) => bar.update(done, total, stage),
    say: (line) => console.log(line),
    // the api thread died or capture stopped: say so and stop everything (exit 1) rather than keep
    // taking orders no terminal would hear of; on the next start capture resumes from its slot
    onFatal: (error) => {
      log.fatal({ err: error }, 'a part stopped');
      console.error(`${error.message}: stopping`);
      void shutdown('fatal', 1);
    },
  });
  const system = await booting;
  bar.stop();
  if (!stopping)
    printBanner({
      config,
      databaseUrl: system.databaseUrl,
      urls: system.urls,
      tokens: system.demoTokens,
      redisUrl: system.redisUrl,
    });
} catch (error) {
  log.error({ err: error }, 'start failed');
  console.error(`start failed: ${error instanceof Error ? error.message : String(error)}`);
  if (!stopping) process.exit(1);
}
