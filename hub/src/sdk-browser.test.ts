import { createServer, type Server } from 'node:http';
import { topics } from '@commerce/common';
import { bundleSdk } from '@commerce/sdk/bundle';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from './bus/bus-contract.ts';
import { MemoryBus } from './bus/memory-bus.ts';
import { hubFixture } from './testing/hub-fixture.ts';

// The SDK bundle in a real browser (Debian's Chromium, headless): WebCrypto and the browser's own
// WebSocket, served from a plain page with no build step.
let fx: Awaited<ReturnType<typeof hubFixture>>;
let browser: Browser | undefined;
let http: Server | undefined;
beforeAll(async () => {
  fx = await hubFixture();
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (http ? http.close(resolve) : resolve(undefined)));
  await fx.close();
});

describe('SDK in Chromium', () => {
  it('handshakes, subscribes and decrypts in the browser', async () => {
    const bus = new MemoryBus({ historyMax: 10, dedupeWindow: 20 });
    const hub = await fx.startHub(bus);
    const topic = topics.kitchen('1', '2', '3');
    const setup = {
      url: `ws://127.0.0.1:${hub.port}/ws`,
      token: await fx.token({ roles: ['terminal', 'kitchen'], stationIds: ['3'] }),
      serverKeys: [(await hub.publicKey()).spkiPem],
      topic,
    };
    const sdk = await bundleSdk();
    const page = `<!doctype html><script type="module">
      import { createHubClient } from '/sdk.js';
      const setup = ${JSON.stringify(setup)};
      window.received = [];
      const client = createHubClient({ url: setup.url, token: setup.token, serverKeys: setup.serverKeys });
      client.on('event', (e) => window.received.push(e.event.id));
      client.on('subscribed', () => { window.subscribed = true; });
      client.on('state', ({ state }) => { window.state = state; });
      await client.connect();
      client.subscribe(setup.topic);
    </script>`;
    http = createServer((req, res) => {
      const js = req.url === '/sdk.js';
      res.writeHead(200, { 'content-type': js ? 'text/javascript' : 'text/html' });
      res.end(js ? sdk : page);
    });
    await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
    const port = (http.address() as { port: number }).port;

    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (error) => errors.push(error.message));
    await tab.goto(`http://127.0.0.1:${port}/`);
    await tab.waitForFunction(() => (window as unknown as { subscribed?: boolean }).subscribed === true, undefined, {
      timeout: 15_000,
    });
    await bus.publish([makeEvent(topic, 'ticket-1'), makeEvent(topic, 'ticket-2')]);
    await tab.waitForFunction(() => (window as unknown as { received: string[] }).received.length === 2, undefined, {
      timeout: 15_000,
    });
    expect(await tab.evaluate(() => (window as unknown as { received: string[] }).received)).toEqual([
      'ticket-1',
      'ticket-2',
    ]);
    expect(await tab.evaluate(() => (window as unknown as { state: string }).state)).toBe('connected');
    expect(errors).toEqual([]);
  }, 60_000);
});
