import { defineConfig, env } from '@commerce/common';
import { z } from 'zod';

/**
 * Settings of the terminal pages, read by the process that mounts them (the api process). The
 * KDS colour thresholds are defaults: each screen can change its own in its settings.
 */
export const terminalsConfigSchema = defineConfig(
  'terminals',
  z.object({
    TERMINALS_KDS_WARN_MINUTES: env
      .int(5, 1, 24 * 60)
      .describe('KDS: a ticket turns yellow this many minutes after the order (per-screen setting overrides)'),
    TERMINALS_KDS_LATE_MINUTES: env
      .int(8, 1, 24 * 60)
      .describe('KDS: a ticket turns red this many minutes after the order (must exceed the warn minutes)'),
    TERMINALS_DEV_SOURCEMAPS: env.bool(false).describe('serve source maps of the terminal pages (debugging)'),
  }),
);

export type TerminalsConfig = z.infer<typeof terminalsConfigSchema>;
