import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTestDatabase } from '@commerce/infra/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedEngine } from './engine/embedded/embedded-engine.ts';
import { reindexFromPostgres } from './reindex.ts';
import { DEMO_PRODUCTS } from './testing/demo-catalog.ts';
import { seedStore } from './testing/seed-catalog.ts';

const db = await createTestDatabase();
afterAll(() => db.drop());
const root = fileURLToPath(new URL('../..', import.meta.url));

beforeAll(async () => {
  await seedStore(db.sql, 'cli-store', DEMO_PRODUCTS);
  await db.sql`update products set status = 'archived' where name in ('Espresso', 'Iced Tea')`;
});

describe('reindex', () => {
  it('rebuilds from Postgres reporting progress against the published total', async () => {
    const engine = new EmbeddedEngine();
    const progress: Array<[number, number | null]> = [];
    const result = await reindexFromPostgres(db.sql, engine, (p) => progress.push([p.done, p.total]));
    expect(result.count).toBe(DEMO_PRODUCTS.length - 2);
    expect(result.published).toBe(DEMO_PRODUCTS.length - 2);
    expect(progress.at(-1)).toEqual([DEMO_PRODUCTS.length - 2, DEMO_PRODUCTS.length - 2]);
  });

  it('runs as `npm run search -- reindex` and reports counts', async () => {
    const { stdout } = await promisify(execFile)('npx', ['tsx', 'search/src/cli.ts', 'reindex'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: db.url, SEARCH_ENGINE: 'embedded', LOG_LEVEL: 'silent' },
      timeout: 60_000,
    });
    expect(stdout).toMatch(new RegExp(`indexed ${DEMO_PRODUCTS.length - 2} documents`));
    expect(stdout).toMatch(/merchant \d+: 22 documents/);
  });

  it('refuses a typesense run without its URL, naming the key', async () => {
    const run = promisify(execFile)('npx', ['tsx', 'search/src/cli.ts', 'reindex'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: db.url, SEARCH_ENGINE: 'typesense', TYPESENSE_URL: '' },
      timeout: 60_000,
    });
    await expect(run).rejects.toMatchObject({ stderr: expect.stringMatching(/TYPESENSE_URL: required/) });
  });
});
