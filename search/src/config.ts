import { defineConfig, env } from '@commerce/common';
import { z } from 'zod';

/**
 * The search package's environment. The api process (which mounts the search routes) and cdc
 * (which runs the indexer) pass the parsed values to the factories; the CLI parses them itself.
 */
export const SEARCH_ENGINES = ['embedded', 'typesense'] as const;

export const searchConfigSchema = defineConfig(
  'search',
  z
    .object({
      DATABASE_URL: env.url(['postgres', 'postgresql']).describe('Postgres to read the catalog from'),
      SEARCH_ENGINE: z.enum(SEARCH_ENGINES).default('embedded').describe('embedded (in-process) or typesense'),
      TYPESENSE_URL: env.url(['http', 'https']).optional().describe('Typesense node URL (SEARCH_ENGINE=typesense)'),
      TYPESENSE_API_KEY: z.string().min(1).optional().describe('Typesense admin key (writes, reindex)'),
      TYPESENSE_SEARCH_ONLY_KEY: z
        .string()
        .min(1)
        .optional()
        .describe('Typesense key with only documents:search, parent of per-store scoped keys'),
      TYPESENSE_ALIAS: z
        .string()
        .regex(/^[a-z][a-z0-9_]{0,62}$/)
        .default('products')
        .describe('alias searches go through; reindex swaps it'),
      LOG_LEVEL: env.logLevel(),
    })
    .superRefine((config, ctx) => {
      if (config.SEARCH_ENGINE !== 'typesense') return;
      for (const key of ['TYPESENSE_URL', 'TYPESENSE_API_KEY'] as const) {
        if (!config[key])
          ctx.addIssue({ code: 'custom', path: [key], message: 'required when SEARCH_ENGINE=typesense' });
      }
    }),
);

export type SearchConfig = z.infer<typeof searchConfigSchema>;
