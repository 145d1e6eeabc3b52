import { createLogger, parseConfig } from '@commerce/common';
import { SingleBar } from 'cli-progress';
import postgres from 'postgres';
import { searchConfigSchema } from './config.ts';
import { createSearchEngine } from './engine/create-engine.ts';
import { EmbeddedEngine } from './engine/embedded/embedded-engine.ts';
import { reindexFromPostgres } from './reindex.ts';

/**
 * `npm run search -- reindex` — rebuild the search index from Postgres with a progress bar.
 * Config from the environment: DATABASE_URL, SEARCH_ENGINE, TYPESENSE_* (see README).
 */
const USAGE = `usage: npm run search -- reindex

  Rebuilds the search index from Postgres (published products, variants and stock folded in).
  SEARCH_ENGINE=typesense  new collection + bulk import + alias swap: zero downtime for shoppers.
  SEARCH_ENGINE=embedded   builds the in-memory index in this process and reports counts per store;
                           a running server is not affected (it loads from Postgres at start and
                           then follows cdc), so this is a dry run / consistency check.`;

async function main(argv: string[]): Promise<number> {
  const command = argv[0];
  if (command !== 'reindex') {
    console.error(USAGE);
    return command === undefined || command === '--help' || command === '-h' ? 0 : 2;
  }
  const config = parseConfig(searchConfigSchema);
  const logger = createLogger('search', config.LOG_LEVEL);
  const sql = postgres(config.DATABASE_URL, { max: 2, onnotice: () => {} });
  const engine = createSearchEngine(config, logger);
  const bar = new SingleBar({
    format: 'reindex [{bar}] {percentage}% | {value}/{total} products | {duration}s',
    hideCursor: true,
    stream: process.stderr,
  });
  let started = false;
  try {
    const result = await reindexFromPostgres(sql, engine, (p) => {
      if (!started) {
        bar.start(p.total ?? 0, 0);
        started = true;
      }
      bar.update(p.done);
    });
    if (started) bar.stop();
    console.log(
      `indexed ${result.count} documents (${result.published} published products) into ${result.target} in ${result.ms} ms`,
    );
    if (engine instanceof EmbeddedEngine) {
      for (const [merchant, n] of engine.counts()) console.log(`  merchant ${merchant}: ${n} documents`);
      console.log('embedded engine: this built an index in this process only; running servers keep their own.');
    }
    return 0;
  } finally {
    if (started) bar.stop();
    await sql.end({ timeout: 5 });
  }
}

process.exitCode = await main(process.argv.slice(2));
