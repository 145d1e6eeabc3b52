import { describe, it } from 'vitest';
import { engineContract } from '../engine-contract.ts';
import { TypesenseEngine } from './typesense-engine.ts';

/**
 * The engine contract against a real Typesense, only when TYPESENSE_URL (and TYPESENSE_API_KEY) are
 * set. Nothing here can run one (no Docker, no network), so in this repository's CI it is skipped:
 * the Typesense engine is covered by typesense-engine.test.ts (request building and response
 * mapping over HTTP against a recording fake), not by a live server.
 */
const url = process.env.TYPESENSE_URL;

if (url) {
  let n = 0;
  engineContract('typesense', async () => {
    const engine = new TypesenseEngine({
      url,
      apiKey: process.env.TYPESENSE_API_KEY ?? 'xyz',
      alias: `contract_${process.pid}_${++n}`,
    });
    await engine.start();
    return engine;
  });
} else {
  describe.skip('SearchEngine contract: typesense (set TYPESENSE_URL to run)', () => {
    it('needs a Typesense server', () => {});
  });
}
