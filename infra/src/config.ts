import { defineConfig, env } from '@commerce/common';
import { z } from 'zod';

export const migrateConfigSchema = defineConfig(
  'migrate',
  z.object({
    DATABASE_URL: env.url(['postgres', 'postgresql']).describe('Postgres to migrate'),
    LOG_LEVEL: env.logLevel().describe('pino log level'),
  }),
);
