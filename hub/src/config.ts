import { defineConfig, env } from '@commerce/common';
import { MAX_EVENTS_PER_FRAME } from '@commerce/sdk/wire';
import { z } from 'zod';
import { busDriverSchema, DEFAULT_HISTORY_MAX } from './bus/create-bus.ts';
import { DEFAULT_MAX_EVENTS_PER_FRAME } from './topic-channel.ts';

const pem = (what: string) =>
  z
    .string()
    .transform((v) => v.replace(/\\n/g, '\n'))
    .refine((v) => /-----BEGIN [A-Z ]+-----/.test(v), `${what} must be a PEM block`);

/** The hub process's environment. Keys are the variable names; docs/configuration.md is generated from it. */
export const hubConfigSchema = defineConfig(
  'hub',
  z.object({
    HUB_HOST: z.string().default('0.0.0.0').describe('address the WebSocket/HTTP server binds'),
    HUB_PORT: env.port(3001).describe('port of the WebSocket endpoint (/ws) and of /health, /ready, /metrics'),
    HUB_SIGNING_KEY: pem('HUB_SIGNING_KEY').describe(
      'the hub long-term ECDSA P-256 private key (PKCS#8 PEM) that signs handshakes; terminals pin its public half',
    ),
    AUTH_JWT_PUBLIC_KEY: pem('AUTH_JWT_PUBLIC_KEY').describe('SPKI PEM of the ES256 key that signs access tokens'),
    AUTH_JWT_ISSUER: z.string().min(1).describe('expected `iss` of access tokens'),
    AUTH_JWT_AUDIENCE: z.string().min(1).describe('expected `aud` of access tokens'),
    DATABASE_URL: env
      .url(['postgres', 'postgresql'])
      .optional()
      .describe('Postgres of the api: when set, revoked terminals and inactive staff are refused and cut off'),
    BUS_DRIVER: busDriverSchema.default('memory').describe('fan-out bus: memory (one process) or redis (scale-out)'),
    REDIS_URL: env.url(['redis', 'rediss']).optional().describe('Redis for BUS_DRIVER=redis'),
    REDIS_KEY_PREFIX: z.string().default('commerce:').describe('prefix of every Redis key and channel'),
    BUS_HISTORY_MAX: env.int(DEFAULT_HISTORY_MAX, 1).describe('entries of history kept per topic for recovery'),
    BUS_DEDUPE_WINDOW: env.int(0).describe('event ids remembered per topic for dedupe (0 = twice the history)'),
    HUB_MAX_MESSAGE_BYTES: env.int(16 * 1024, 1024, 1024 * 1024).describe('largest client message; bigger closes 1009'),
    HUB_MAX_BACKPRESSURE_BYTES: env
      .int(1024 * 1024, 16 * 1024)
      .describe('bytes buffered for one terminal before it is cut off as a slow consumer (4008)'),
    HUB_HEARTBEAT_MS: env.int(15_000, 1_000).describe('interval of client pings; silence for 2x closes the session'),
    HUB_HANDSHAKE_TIMEOUT_MS: env.int(10_000, 100).describe('time to send hello after connecting (else 4005)'),
    HUB_CLIENT_RATE_PER_S: env.int(20, 1).describe('client messages per second per connection (else 4029)'),
    HUB_CLIENT_BURST: env.int(60, 1).describe('client messages allowed in a burst'),
    HUB_MAX_SUBSCRIPTIONS: env.int(64, 1).describe('topics one connection may subscribe to'),
    HUB_TOPIC_KEY_ROTATE_S: env.int(600, 1).describe('topic keys rotate at least this often (and on loss of access)'),
    HUB_MAX_EVENTS_PER_FRAME: env
      .int(DEFAULT_MAX_EVENTS_PER_FRAME, 1, MAX_EVENTS_PER_FRAME)
      .describe('events arriving in the same turn sealed together into one topic frame (1 = one frame per event)'),
    HUB_MAX_RECOVER: env.int(10_000, 1).describe('most missed entries replayed on reconnect; more = reload'),
    HUB_REVOCATION_RECHECK_S: env.int(60, 1).describe('open sessions are re-checked for revocation this often'),
    HUB_DRAIN_TIMEOUT_MS: env
      .int(5_000, 0)
      .describe(
        'on SIGTERM (stop), the longest the hub waits for terminals to read their 1012 and what was queued ahead of it; then those still behind are dropped without it (hub_forced_closes_total) and the hub closes',
      ),
    LOG_LEVEL: env.logLevel(),
  }),
);

export type HubConfig = z.infer<typeof hubConfigSchema>;
