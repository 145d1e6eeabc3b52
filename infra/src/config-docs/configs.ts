import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { registeredConfigs } from '@commerce/common';

/**
 * Loads every process's config module so each registers its schema (defineConfig). This list is
 * the one place to add a new process; a package that has no config module yet is skipped.
 */
const MODULES = [
  '../start/config.ts',
  '../config.ts',
  '../../debezium/config.ts',
  '../../../api/src/config.ts',
  '../../../cdc/src/config.ts',
  '../../../cdc/src/debezium/config.ts',
  '../../../hub/src/config.ts',
  '../../../search/src/config.ts',
  '../../../terminals/src/config.ts',
];

export async function loadAllConfigs() {
  for (const specifier of MODULES) {
    const url = new URL(specifier, import.meta.url);
    if (existsSync(fileURLToPath(url))) await import(url.href);
  }
  return registeredConfigs();
}
