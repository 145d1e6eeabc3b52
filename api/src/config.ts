import { defineConfig, env } from '@commerce/common';
import { z } from 'zod';

/** PEM keys often arrive through env files with literal `\n`; turn them back into newlines. */
const pem = (label: string) =>
  z
    .string()
    .transform((v) => v.replace(/\\n/g, '\n').trim())
    .refine((v) => v.startsWith('-----BEGIN ') && v.includes(label), `must be a PEM ${label}`);

export const apiConfigSchema = defineConfig(
  'api',
  z.object({
    API_HOST: z.string().default('127.0.0.1').describe('interface the HTTP server listens on'),
    API_PORT: env.port(3000).describe('HTTP port of the api (0 = any free port)'),
    DATABASE_URL: env.url(['postgres', 'postgresql']).describe('Postgres the api reads and writes'),
    DATABASE_POOL_MAX: env.int(12, 1, 200).describe('connections in the api pool (2-core box: ~12)'),
    AUTH_JWT_PUBLIC_KEY: pem('PUBLIC KEY').describe('ES256 public key (SPKI PEM) that verifies every token'),
    AUTH_JWT_PRIVATE_KEY: pem('PRIVATE KEY').describe('ES256 private key (PKCS#8 PEM) for staff and device tokens'),
    AUTH_JWT_ISSUER: z.string().min(1).default('commerce-hub').describe('`iss` of the tokens'),
    AUTH_JWT_AUDIENCE: z.string().min(1).default('commerce-hub').describe('`aud` of the tokens'),
    AUTH_STAFF_TOKEN_TTL_S: env.int(12 * 3600, 60, 30 * 86400).describe('lifetime of a staff sign-in token'),
    AUTH_DEVICE_TOKEN_TTL_S: env
      .int(30 * 86400, 60, 365 * 86400)
      .describe('lifetime of a paired device token (revoke the terminal to end it sooner)'),
    AUTH_PRINCIPAL_RECHECK_MS: env
      .int(5000, 0, 600_000)
      .describe('how long the api trusts that a token’s staff user is active / terminal not revoked'),
    HUB_PUBLIC_URL: z.string().optional().describe('hub WebSocket URL handed to paired devices'),
    HUB_PUBLIC_KEY: z.string().optional().describe('hub long-term public key that paired devices pin'),
    API_BODY_LIMIT_BYTES: env.int(512 * 1024, 1024, 64 * 1024 * 1024).describe('largest request body accepted'),
    API_ORDER_BATCH_MAX: env
      .int(64, 1, 1000)
      .describe('most orders created together in one transaction (group commit; 1 = one transaction per order)'),
    // 2: fewer, larger batches pay less per order and collide less on the stock rows. In the cost
    // probe 3 batches of ~21 at once made ~25% more orders/s than 4 of 16; bench:api made the same
    // orders/s with 2 as with 3 (1,252 and 1,441 against 1,266 and 1,367), and in bench:e2e (200
    // orders/s) 2 had the lower p99 in 6 of 7 interleaved pairs (medians 91 against 113 ms, p50 16
    // against 19 ms, Postgres 3.08 against 3.17 ms CPU per order; a slow, busy machine)
    API_ORDER_BATCH_IN_FLIGHT: env
      .int(2, 1, 100)
      .describe(
        'most order calls running at once; waiting orders are spread over the free ones (alone while they fit, batched beyond)',
      ),
    API_VALIDATE_RESPONSES: env.bool(false).describe('check every response against its OpenAPI schema (tests)'),
    LOG_LEVEL: env.logLevel().describe('pino log level'),
  }),
);

export type ApiConfig = z.infer<typeof apiConfigSchema>;
