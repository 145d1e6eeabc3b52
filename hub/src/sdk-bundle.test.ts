import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { topics } from '@commerce/common';
import { bundleSdk } from '@commerce/sdk/bundle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { makeEvent } from './bus/bus-contract.ts';
import { MemoryBus } from './bus/memory-bus.ts';
import { hubFixture, until } from './testing/hub-fixture.ts';

// The browser bundle of the SDK: one ES module without Node imports, and it really works.
let fx: Awaited<ReturnType<typeof hubFixture>>;
let dir: string;
beforeAll(async () => {
  fx = await hubFixture();
  dir = await mkdtemp(join(tmpdir(), 'sdk-bundle-'));
});
afterAll(async () => {
  await fx.close();
  await rm(dir, { recursive: true, force: true });
});

describe('SDK bundle', () => {
  it('is a single self-contained ES module that connects, decrypts and delivers', async () => {
    const code = await bundleSdk();
    expect(code).not.toMatch(/\bfrom\s*["']node:|\brequire\(|\bimport\(["']/);
    expect(code.length).toBeLessThan(120_000);
    const file = join(dir, 'commerce-sdk.js');
    await writeFile(file, code);
    const sdk = (await import(pathToFileURL(file).href)) as typeof import('@commerce/sdk');
    const bus = new MemoryBus({ historyMax: 10, dedupeWindow: 20 });
    const hub = await fx.startHub(bus);
    const client = sdk.createHubClient({
      url: `ws://127.0.0.1:${hub.port}/ws`,
      token: await fx.token(),
      serverKeys: [(await hub.publicKey()).spkiPem],
      WebSocket: WebSocket as never,
    });
    const ids: string[] = [];
    client.on('event', (e) => ids.push(e.event.id));
    await client.connect();
    client.subscribe(topics.stockAlerts('1'));
    await new Promise<void>((resolve) => client.once('subscribed', () => resolve()));
    await bus.publish([makeEvent(topics.stockAlerts('1'), 'alert-1')]);
    await until(() => ids.length === 1);
    expect(ids).toEqual(['alert-1']);
    client.close();
  });
});
