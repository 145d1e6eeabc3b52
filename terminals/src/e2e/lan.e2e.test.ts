import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../../infra/src/net.ts';
import { DEVICE_KEY } from '../browser/device-store.ts';
import { connState, launchChromium, TABLET } from '../testing/browser.ts';

/**
 * `npm start -- --lan` as a kitchen would run it: a tablet on the network opens the https URL the
 * banner prints, accepts the self-signed certificate once, pairs as the grill KDS with a manager's
 * PIN and sees an order's ticket arrive over wss through the same origin. Over plain http on the
 * LAN address the same page has no WebCrypto and says so instead of pretending to be live.
 */
vi.setConfig({ testTimeout: 120_000, hookTimeout: 150_000 });
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const WAIT = 25_000;
const dataDir = await mkdtemp(join(tmpdir(), 'commerce-lan-'));
let child: ChildProcess | undefined;
let browser: Browser;
let output = '';
const ports = { API_PORT: 0, HUB_PORT: 0, HTTPS_PORT: 0, PG_PORT: 0, CDC_METRICS_PORT: 0 };

beforeAll(async () => {
  for (const key of Object.keys(ports) as Array<keyof typeof ports>) ports[key] = await freePort();
  child = spawn(process.execPath, ['--import', 'tsx', 'infra/src/start/main.ts', '--lan'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      SEED_RETAIL_PRODUCTS: '50',
      LOG_LEVEL: 'warn',
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (c) => (output += c));
  child.stderr?.on('data', (c) => (output += c));
  await new Promise<void>((resolve, reject) => {
    const check = setInterval(() => {
      if (output.includes('or paste one of these tokens') && output.includes('staff cashier')) {
        clearInterval(check);
        setTimeout(resolve, 300); // the token lines flush right after
      } else if (child?.exitCode !== null) {
        clearInterval(check);
        reject(new Error(`start exited early:\n${output}`));
      }
    }, 100);
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await rm(dataDir, { recursive: true, force: true });
});

const printed = (label: string) => {
  const url = new RegExp(`${label}\\s+(\\S+)`).exec(output)?.[1];
  if (!url) throw new Error(`no "${label}" line in:\n${output}`);
  return url;
};

/** the api over https, trusting exactly the certificate the system made (as a pinned client would) */
function api(token: string, method: string, path: string, body?: unknown) {
  const base = new URL(printed('API'));
  const ca = readFileSync(join(dataDir, 'keys', 'tls.cert.pem'), 'utf8');
  return new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        method,
        path,
        ca,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe('npm start -- --lan', () => {
  it('prints one https origin for pages, api and the hub, with the certificate fingerprint', () => {
    const base = printed('Pair a device').replace(/\/pair$/, '');
    expect(base).toMatch(/^https:\/\//);
    expect(printed('Hub WebSocket')).toBe(`${base.replace('https:', 'wss:')}/ws`);
    expect(output).toMatch(/TLS certificate\s+self-signed, SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    expect(new URL(base).port).toBe(String(ports.HTTPS_PORT));
  });

  it('a tablet pairs over https as the grill KDS and an order ticket arrives over wss', async () => {
    const context = await browser.newContext({ viewport: TABLET, ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(printed('Pair a device'));
    expect(await page.evaluate(() => window.isSecureContext && Boolean(crypto.subtle))).toBe(true);
    await page.locator('input[name=email]').fill('manager@demo-bistro.test');
    await page.locator('input[name=pin]').fill('1234');
    await page.locator('#signin-form button[type=submit]').click();
    await expect.poll(() => page.locator('body').getAttribute('data-step'), { timeout: WAIT }).toBe('setup');
    await page.locator('#stations label', { hasText: 'Grill' }).click();
    await page.locator('#setup-form button[type=submit]').click();
    await page.waitForURL(/\/kds$/, { timeout: WAIT });
    await expect.poll(() => connState(page), { timeout: WAIT }).toBe('connected');
    const device = JSON.parse((await page.evaluate((key) => localStorage.getItem(key), DEVICE_KEY)) ?? '{}');
    expect(device.hub?.url).toBe(printed('Hub WebSocket'));

    const cashier = /staff cashier[^\n]*\n\s+(\S+)/.exec(output)?.[1] ?? '';
    const products = await api(cashier, 'GET', '/products?limit=100');
    expect(products.status).toBe(200);
    type Product = { name: string; status: string; station_code: string | null; variants: Array<{ id: string }> };
    const { items } = products.body as { items: Product[] };
    const grill = items.find((p) => p.station_code === 'grill' && p.status === 'published');
    if (!grill) throw new Error('no published grill item in the demo menu');
    const order = await api(cashier, 'POST', '/orders', {
      channel: 'pos',
      branch_id: '1',
      table_label: 'LAN-7',
      lines: [{ variant_id: grill.variants[0]?.id, quantity: 1 }],
    });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    await expect.poll(() => page.locator('body').innerText(), { timeout: WAIT }).toContain(grill.name);
    expect(await page.locator('body').innerText()).toContain('LAN-7');
    expect(await connState(page)).toBe('connected');
    await context.close();
  });

  it('over plain http on the LAN address the page says it needs https instead of looking live', async (ctx) => {
    const host = new URL(printed('API')).hostname;
    if (host === '127.0.0.1' || host === 'localhost') {
      ctx.skip(); // no LAN interface on this machine: loopback pages are secure contexts anyway
    }
    const context = await browser.newContext({ viewport: TABLET });
    const page = await context.newPage();
    // a device record as pairing leaves it, so the page gets past the pairing redirect
    await page.goto(`http://${host}:${ports.API_PORT}/pair`);
    expect(await page.evaluate(() => window.isSecureContext)).toBe(false);
    const record = {
      v: 1,
      token: 'x.y.z',
      kind: 'kds',
      name: 'KDS',
      terminalId: '1',
      merchantId: '1',
      branchId: '1',
      stationIds: ['1'],
      hub: { url: printed('Hub WebSocket'), publicKey: 'pinned' },
      pairedAt: Date.now(),
    };
    await page.evaluate(([key, value]) => localStorage.setItem(key, value), [
      DEVICE_KEY,
      JSON.stringify(record),
    ] as const);
    await page.goto(`http://${host}:${ports.API_PORT}/kds`);
    await expect.poll(() => page.locator('body').innerText(), { timeout: WAIT }).toContain('needs a secure page');
    expect(await connState(page)).not.toBe('connected');
    await context.close();
  });
});
