import type { Logger } from '@commerce/common';
import type { SearchConfig } from '../config.ts';
import { EmbeddedEngine } from './embedded/embedded-engine.ts';
import type { SearchEngine } from './engine.ts';
import { TypesenseEngine } from './typesense/typesense-engine.ts';

export type EngineConfig = Pick<
  SearchConfig,
  'SEARCH_ENGINE' | 'TYPESENSE_URL' | 'TYPESENSE_API_KEY' | 'TYPESENSE_SEARCH_ONLY_KEY' | 'TYPESENSE_ALIAS'
>;

/** Picks the engine from config (the zod enum already refused unknown names at startup). */
export function createSearchEngine(config: EngineConfig, logger?: Logger): SearchEngine {
  switch (config.SEARCH_ENGINE) {
    case 'embedded':
      return new EmbeddedEngine();
    case 'typesense':
      return new TypesenseEngine({
        url: config.TYPESENSE_URL!,
        apiKey: config.TYPESENSE_API_KEY!,
        searchOnlyKey: config.TYPESENSE_SEARCH_ONLY_KEY,
        alias: config.TYPESENSE_ALIAS,
        ...(logger ? { logger } : {}),
      });
  }
}
