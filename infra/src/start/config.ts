import { networkInterfaces } from 'node:os';
import { apiConfigSchema } from '@commerce/api';
import { cdcConfigSchema } from '@commerce/cdc';
import { defineConfig, env, parseConfig } from '@commerce/common';
import { z } from 'zod';

/** The api settings `npm start` takes from the environment as they are (the rest it sets itself). */
export const apiTuningSchema = apiConfigSchema.pick({
  API_BODY_LIMIT_BYTES: true,
  API_ORDER_BATCH_MAX: true,
  API_ORDER_BATCH_IN_FLIGHT: true,
  AUTH_STAFF_TOKEN_TTL_S: true,
  AUTH_DEVICE_TOKEN_TTL_S: true,
  AUTH_PRINCIPAL_RECHECK_MS: true,
});
/** capture's settings `npm start` reads as they are: all its CDC_* but the source (pgoutput here) and its HTTP address */
export const CDC_TUNING_KEYS = Object.keys(cdcConfigSchema.shape).filter(
  (k) => k.startsWith('CDC_') && !['CDC_SOURCE', 'CDC_HTTP_HOST', 'CDC_HTTP_PORT'].includes(k),
);
const names = (keys: string[]) => keys.map((k) => `\`${k}\``).join(', ');

/**
 * `npm start`: everything on one machine. The parts' addresses, ports and keys are set here; their
 * tuning is read from the environment under the parts' own names (apiTuningSchema, CDC_TUNING_KEYS),
 * so a setting means the same in `npm start` as in the part run alone.
 */
export const startConfigSchema = defineConfig(
  'start',
  z
    .object({
      DATA_DIR: z.string().default('.data').describe('folder for the embedded Postgres cluster and generated keys'),
      PG_PORT: env.port(54329).describe('port of the embedded Postgres (a free one is used if taken)'),
      API_PORT: env.port(3000).describe('HTTP port of the api (pages, storefront, explorer)'),
      HUB_PORT: env.port(3001).describe('WebSocket/HTTP port of the hub'),
      CDC_METRICS_PORT: env.port(9464).describe('/health, /ready and /metrics (slot lag, retained WAL) of capture'),
      BIND_HOST: z
        .string()
        .default('127.0.0.1')
        .describe('interface the api and hub listen on (0.0.0.0 to reach them from tablets on the LAN)'),
      PUBLIC_HOST: z
        .string()
        .default('127.0.0.1')
        .describe('host name in printed URLs and in the hub URL given to devices'),
      TLS: z
        .enum(['off', 'self-signed'])
        .default('off')
        .describe('https front door for tablets (WebCrypto needs a secure page); `--tls` or `--lan` set self-signed'),
      HTTPS_PORT: env
        .port(3443)
        .describe('port of the https front door (pages, api and the hub WebSocket on one origin)'),
      BUS_DRIVER: z.enum(['memory', 'redis']).default('memory').describe('fan-out bus; `--with-redis` sets redis'),
      REDIS_URL: env
        .url(['redis', 'rediss'])
        .optional()
        .describe('Redis for BUS_DRIVER=redis; unset = start a private redis-server'),
      SEED_RETAIL_PRODUCTS: env.int(10_000, 0, 1_000_000).describe('size of the generated retail catalog'),
      DEMO_TOKEN_TTL_HOURS: env.int(24 * 30, 1, 24 * 365).describe('lifetime of the printed demo tokens'),
      API_THREAD: z
        .enum(['worker', 'main'])
        .default('worker')
        .describe(
          'where the api runs: a worker thread of its own (its HTTP, validation and GC apart from capture and the hub), or the main thread with the other parts',
        ),
      API_THREAD_MAX_HEAP_MB: env
        .int(0, 0, 1_048_576)
        .describe(
          'cap on the api thread’s old generation (MB; 0 = V8’s default). An api thread that runs out of it dies alone and npm start stops everything with exit 1, instead of the whole process aborting',
        ),
      LOG_LEVEL: env.logLevel().describe('log level of every part'),
    })
    .describe(
      `\`npm start\` also reads the tuning of its parts under their own names, as each does alone: ${names(Object.keys(apiTuningSchema.shape))} (api) and ${names(CDC_TUNING_KEYS)} (cdc; its /metrics listen on BIND_HOST:CDC_METRICS_PORT).`,
    ),
);

export type StartConfig = ReturnType<typeof startConfigSchema.parse>;

/**
 * The parts' own tuning as each would read it alone: the api's (apiTuningSchema) and capture's,
 * the latter on pgoutput from `databaseUrl`. Throws the config error naming a bad setting.
 */
export function partTuning(environment: Record<string, string | undefined>, databaseUrl: string) {
  return {
    api: parseConfig(apiTuningSchema, environment),
    cdc: parseConfig(cdcConfigSchema, { ...environment, DATABASE_URL: databaseUrl, CDC_SOURCE: 'pg' }),
  };
}

/** This machine's first non-internal IPv4 address (what a tablet on the same network dials). */
export function lanAddress(): string | undefined {
  for (const entries of Object.values(networkInterfaces())) {
    const found = entries?.find((e) => e.family === 'IPv4' && !e.internal);
    if (found) return found.address;
  }
  return undefined;
}
