import { apiConfigSchema } from '@commerce/api';
import { cdcConfigSchema } from '@commerce/cdc';
import type { ConfigSchema } from '@commerce/common';
import { hubConfigSchema } from '@commerce/hub';
import { searchConfigSchema } from '@commerce/search';
import { terminalsConfigSchema } from '@commerce/terminals';
import { debeziumSourceConfig } from '../../../cdc/src/debezium/config.ts';
import { connectRegisterConfigSchema } from '../../debezium/config.ts';
import { migrateConfigSchema } from '../config.ts';

/**
 * Every config schema each of the project's processes parses at startup, by the script its compose
 * command runs. parseConfig copies only declared keys, so a misspelled variable would otherwise be
 * ignored without a word: the compose test holds each service's environment to these lists. A new
 * schema read by a process (or a new process) is added here.
 */
export const PROCESS_CONFIGS: Readonly<Record<string, readonly ConfigSchema[]>> = {
  // the terminal pages are mounted in the api process; search when SEARCH_ENGINE=typesense
  'api/src/main.ts': [apiConfigSchema, searchConfigSchema, terminalsConfigSchema],
  // the Debezium source (CDC_SOURCE=debezium) and the Typesense indexer (SEARCH_ENGINE=typesense)
  'cdc/src/main.ts': [cdcConfigSchema, debeziumSourceConfig, searchConfigSchema],
  'hub/src/main.ts': [hubConfigSchema],
  'infra/src/migrate-cli.ts': [migrateConfigSchema],
  'infra/debezium/register-connector.ts': [connectRegisterConfigSchema],
};

/** The PROCESS_CONFIGS script a command runs, if any. */
export function processScript(command: string): string | undefined {
  return Object.keys(PROCESS_CONFIGS).find((script) => command.split(/\s+/).includes(script));
}

/** Keys of `env` that none of `schemas` declares, sorted: misspelled, or handed to a process that never reads them. */
export function undeclaredKeys(env: Readonly<Record<string, string>>, schemas: readonly ConfigSchema[]): string[] {
  const declared = new Set(schemas.flatMap((schema) => Object.keys(schema.shape)));
  return Object.keys(env)
    .filter((key) => !declared.has(key))
    .sort();
}
