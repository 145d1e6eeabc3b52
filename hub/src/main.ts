import { createLogger, createTokenVerifier, parseConfig } from '@commerce/common';
import postgres from 'postgres';
import { createBus } from './bus/create-bus.ts';
import { hubConfigSchema } from './config.ts';
import { createHub, settingsFromConfig } from './create-hub.ts';
import { createPostgresRevocationCheck } from './revocation-postgres.ts';

/** Runs one hub process alone: config from the environment, drain on SIGTERM/SIGINT. */
const config = parseConfig(hubConfigSchema);
const logger = createLogger('hub', config.LOG_LEVEL);
const bus = createBus(
  {
    driver: config.BUS_DRIVER,
    redisUrl: config.REDIS_URL,
    keyPrefix: config.REDIS_KEY_PREFIX,
    historyMax: config.BUS_HISTORY_MAX,
    ...(config.BUS_DEDUPE_WINDOW > 0 ? { dedupeWindow: config.BUS_DEDUPE_WINDOW } : {}),
  },
  { logger },
);
const tokenVerifier = await createTokenVerifier({
  publicKeyPem: config.AUTH_JWT_PUBLIC_KEY,
  issuer: config.AUTH_JWT_ISSUER,
  audience: config.AUTH_JWT_AUDIENCE,
});
const sql = config.DATABASE_URL ? postgres(config.DATABASE_URL, { max: 2, onnotice: () => {} }) : undefined;
if (!sql) logger.warn('DATABASE_URL unset: revoked terminals are only cut off when their tokens expire');
const hub = createHub({
  config: settingsFromConfig(config),
  logger,
  bus,
  tokenVerifier,
  ...(sql ? { revocation: createPostgresRevocationCheck(sql) } : {}),
  signingKey: config.HUB_SIGNING_KEY,
});

await bus.start();
await hub.start();
const { keyId } = await hub.publicKey();
logger.info({ port: hub.port, driver: config.BUS_DRIVER, signingKeyId: keyId }, 'hub ready');

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, async () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining');
    try {
      await hub.stop();
      await bus.stop();
      await sql?.end({ timeout: 5 });
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  });
}
