import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { createLogger } from '@commerce/common';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/index.ts';
import { type ApiThreadSettings, startApiThread } from './api-thread.ts';

// The api thread of `npm start`, started for real: a worker thread with its own pool on a real
// database, answering over HTTP; the routes of the served app are answered by this thread.

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

const ecPem = () =>
  generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });

function settings(apiPort: number): ApiThreadSettings {
  const auth = ecPem();
  const hub = ecPem();
  return {
    api: {
      API_HOST: '127.0.0.1',
      API_PORT: apiPort,
      HUB_PUBLIC_URL: 'ws://127.0.0.1:1/ws',
      HUB_PUBLIC_KEY: hub.publicKey,
    },
    databaseUrl: db.url,
    poolMax: 2,
    auth: { publicKeyPem: auth.publicKey, privateKeyPem: auth.privateKey, issuer: 'test', audience: 'test' },
    hub: { url: 'ws://127.0.0.1:1/ws', publicKey: hub.publicKey },
    logLevel: 'silent',
  };
}

/** What the main thread serves: a stand-in for the search routes, answering from this thread. */
function served() {
  const app = new Hono();
  app.get('/stores/:slug/search', (c) => c.json({ slug: c.req.param('slug'), q: c.req.query('q'), thread: 'main' }));
  return app;
}

const logger = createLogger('test', 'silent');

/** Starts a thread on `apiPort` (0: any) and gathers what it reports as fatal. */
function start(apiPort: number, entry?: URL, maxHeapMb?: number) {
  const fatal: Error[] = [];
  const started = startApiThread({
    settings: settings(apiPort),
    served: served(),
    logger,
    onFatal: (error) => fatal.push(error),
    ...(entry ? { entry } : {}),
    ...(maxHeapMb ? { maxHeapMb } : {}),
  });
  return { started, fatal };
}

describe('the api thread', () => {
  it('answers the api, the terminal pages and the forwarded routes, and stops without a fatal report', async () => {
    const { started, fatal } = start(0);
    const thread = await started;
    const base = `http://127.0.0.1:${thread.port}`;
    try {
      expect(thread.port).toBeGreaterThan(0);
      expect((await fetch(`${base}/health`)).status).toBe(200);
      const ready = await fetch(`${base}/ready`);
      expect(ready.status, await ready.clone().text()).toBe(200); // its own pool reached the database
      const search = await fetch(`${base}/stores/demo-market/search?q=oat`);
      expect(search.status).toBe(200);
      expect(await search.json()).toEqual({ slug: 'demo-market', q: 'oat', thread: 'main' });
      const kds = await fetch(`${base}/kds`);
      expect(kds.status).toBe(200);
      expect(await kds.text()).toMatch(/<html/i);
      // the api's own routes still answer as the api does: no token, 401
      expect((await fetch(`${base}/orders`, { method: 'POST', body: '{}' })).status).toBe(401);
    } finally {
      await thread.stop();
    }
    await expect(fetch(`${base}/health`)).rejects.toThrow();
    expect(fatal).toEqual([]);
    await thread.stop(); // a second stop is harmless
  }, 60_000);

  it('reports a thread that dies after it listened through onFatal, once, and still stops', async () => {
    const { started, fatal } = start(0, new URL('./dying-api-worker.fixture.ts', import.meta.url));
    const thread = await started;
    expect(thread.port).toBe(1);
    for (let i = 0; i < 250 && fatal.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(fatal.map((e) => e.message)).toEqual(['the api thread exited (3)']);
    await thread.stop();
    expect(fatal).toHaveLength(1);
  }, 60_000);

  it('caps the thread’s heap at API_THREAD_MAX_HEAP_MB: a thread that runs out is reported once, naming the setting', async () => {
    const { started, fatal } = start(0, new URL('./leaking-api-worker.fixture.ts', import.meta.url), 96);
    const thread = await started;
    for (let i = 0; i < 1500 && fatal.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    // the thread says 'error' (out of memory) and then 'exit': one report, the first
    await new Promise((r) => setTimeout(r, 300));
    expect(fatal.map((e) => e.message)).toEqual(['the api thread ran out of memory (API_THREAD_MAX_HEAP_MB=96)']);
    expect((fatal[0]!.cause as { code?: string }).code).toBe('ERR_WORKER_OUT_OF_MEMORY');
    await thread.stop();
    expect(fatal).toHaveLength(1);
  }, 60_000);

  it('rejects with the reason when the api cannot listen, and reports nothing as fatal', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', () => resolve()));
    const port = (taken.address() as { port: number }).port;
    try {
      const { started, fatal } = start(port);
      await expect(started).rejects.toThrow(/EADDRINUSE/);
      expect(fatal).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  }, 60_000);
});
