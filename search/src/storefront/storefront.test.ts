import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase } from '@commerce/infra/testing';
import { serve } from '@hono/node-server';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedEngine } from '../engine/embedded/embedded-engine.ts';
import { createSearchRoutes } from '../http/search-routes.ts';
import { createSearchIndexer } from '../indexer/search-indexer.ts';
import { DEMO_PRODUCTS } from '../testing/demo-catalog.ts';
import { seedStore } from '../testing/seed-catalog.ts';

/**
 * The storefront in a real headless Chromium against the real routes, engine and a seeded
 * Postgres: type a misspelled query → the right product first; tick a facet → counts change;
 * stale responses never win; keyboard reaches results. Saves docs/storefront.png.
 */
const db = await createTestDatabase();
const engine = new EmbeddedEngine();
const app = createSearchRoutes({ engine, sql: db.sql });
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
let base = '';
let browser: Browser;
let page: Page;

// screenshots go to docs/ only when asked (SCREENSHOTS=docs), so a test run leaves the tree clean
const DOCS =
  process.env.SCREENSHOTS === 'docs'
    ? fileURLToPath(new URL('../../../docs/', import.meta.url))
    : `${mkdtempSync(join(tmpdir(), 'storefront-shots-'))}/`;

beforeAll(async () => {
  await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await seedStore(db.sql, 'demo-diner', DEMO_PRODUCTS);
  await createSearchIndexer({ sql: db.sql, engine }).rebuild();
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
  page = await browser.newPage({ viewport: { width: 1100, height: 820 } });
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await db.drop();
});

const firstName = () => page.locator('#results .hit .name').first();
const found = async () => Number(await page.locator('#status').getAttribute('data-found'));

async function typeQuery(text: string) {
  await page.locator('#q').fill('');
  await page.locator('#q').pressSequentially(text, { delay: 15 });
}

describe('storefront in headless Chromium', () => {
  it('shows the right product first for a misspelled query, highlighted', async () => {
    await page.goto(`${base}/stores/demo-diner`);
    await expect.poll(found, { timeout: 5_000 }).toBe(DEMO_PRODUCTS.length);
    await typeQuery('chiken burgr');
    // polled to the end: the results of a shorter prefix can show the same product first
    await expect
      .poll(() => firstName().innerHTML(), { timeout: 5_000 })
      .toBe('<mark>Chicken</mark> <mark>Burger</mark>');
    await expect.poll(() => page.locator('#results .hit').first().locator('.price').textContent()).toMatch(/9\.50/);
  });

  it('ticking a facet changes the result count and the facet counts', async () => {
    await typeQuery('burger');
    await expect.poll(found, { timeout: 5_000 }).toBe(5);
    const grill = page.locator('#facets input[name="brand"][value="Grill House"]');
    const grillCount = Number(await grill.locator('xpath=..').locator('.count').textContent());
    expect(grillCount).toBe(4);
    await grill.check();
    await expect.poll(found, { timeout: 5_000 }).toBe(4);
    // disjunctive: the other brand stays offered with its own count
    const green = page.locator('#facets input[name="brand"][value="Green Kitchen"]');
    expect(await green.locator('xpath=..').locator('.count').textContent()).toBe('1');
    // category counts now reflect the narrowed results
    const sides = page.locator('#facets input[name="category"][value="Sides"]').locator('xpath=..').locator('.count');
    await expect.poll(() => sides.textContent()).toBe('1');
    await page.locator('#in-stock').check();
    await expect.poll(found, { timeout: 5_000 }).toBe(3);
    await page.screenshot({ path: `${DOCS}storefront.png`, fullPage: true });
    await page.locator('#in-stock').uncheck();
    await grill.uncheck();
    await expect.poll(found, { timeout: 5_000 }).toBe(5);
  });

  it('filters by price range', async () => {
    await typeQuery('pizza');
    await expect.poll(found, { timeout: 5_000 }).toBe(4);
    await page.locator('#price-max').fill('11');
    await expect.poll(found, { timeout: 5_000 }).toBe(2);
    await page.locator('#price-max').fill('');
    await expect.poll(found, { timeout: 5_000 }).toBe(4);
  });

  it('drops a stale response that arrives after a newer one', async () => {
    // hold every response for q=chi back for 600 ms
    await page.route(/\/search\?/, async (route) => {
      if (new URL(route.request().url()).searchParams.get('q') === 'chi') await new Promise((r) => setTimeout(r, 600));
      await route.continue().catch(() => undefined);
    });
    await typeQuery('chi');
    await page.waitForRequest((r) => new URL(r.url()).searchParams.get('q') === 'chi');
    await page.locator('#q').pressSequentially('cken wings', { delay: 10 });
    await expect.poll(() => firstName().textContent(), { timeout: 5_000 }).toBe('Chicken Wings');
    await page.waitForTimeout(800);
    expect(await firstName().textContent()).toBe('Chicken Wings');
    expect(await found()).toBe(1);
    await page.unroute(/\/search\?/);
  });

  it('keeps the newer results when an older response is not aborted and arrives last', async () => {
    // this browser's fetch ignores the abort, so only the sequence number stands between the late
    // response and the screen; responses are logged (by query) as they reach the page
    const tab = await browser.newPage({ viewport: { width: 1100, height: 820 } });
    await tab.addInitScript(() => {
      const arrived: string[] = [];
      (window as unknown as { arrived: string[] }).arrived = arrived;
      const original = window.fetch.bind(window);
      window.fetch = async (input, init) => {
        const res = await original(input, { ...init, signal: null });
        const body = await res.text();
        arrived.push(new URL(String(input)).searchParams.get('q') ?? '');
        return new Response(body, { status: res.status, headers: res.headers });
      };
    });
    // the response for q=chi is held until the newer results are on the screen
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await tab.route(/\/search\?/, async (route) => {
      if (new URL(route.request().url()).searchParams.get('q') === 'chi') await held;
      await route.continue();
    });
    const arrived = () => tab.evaluate(() => (window as unknown as { arrived: string[] }).arrived);
    const first = () => tab.locator('#results .hit .name').first().textContent();
    const shown = async () => Number(await tab.locator('#status').getAttribute('data-found'));
    await tab.goto(`${base}/stores/demo-diner`);
    await expect.poll(shown, { timeout: 5_000 }).toBe(DEMO_PRODUCTS.length);

    await tab.locator('#q').pressSequentially('chi', { delay: 15 });
    await tab.waitForRequest((r) => new URL(r.url()).searchParams.get('q') === 'chi');
    await tab.locator('#q').pressSequentially('cken wings', { delay: 10 });
    await expect.poll(first, { timeout: 5_000 }).toBe('Chicken Wings');
    expect(await shown()).toBe(1);

    release();
    // the held response arrives last, after the newer one (a slow machine may let an in-between
    // prefix through the debounce too: that does not matter here)
    await expect.poll(async () => (await arrived()).at(-1), { timeout: 5_000 }).toBe('chi');
    const order = await arrived();
    expect(order.indexOf('chicken wings')).toBeGreaterThan(-1);
    expect(order.indexOf('chicken wings')).toBeLessThan(order.lastIndexOf('chi'));
    // the late response had time to be parsed and drawn; the screen still shows the newer query
    await tab.waitForTimeout(300);
    expect(await first()).toBe('Chicken Wings');
    expect(await shown()).toBe(1);
    await tab.close();
  });

  it('is keyboard friendly: arrow keys move from the box through results, / returns', async () => {
    await typeQuery('pizza');
    await expect.poll(found, { timeout: 5_000 }).toBe(4);
    await page.locator('#q').press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.classList.contains('hit'))).toBe(true);
    await page.keyboard.press('ArrowDown');
    const second = await page.evaluate(() => document.activeElement?.querySelector('.name')?.textContent);
    expect(second).toBe(await page.locator('#results .hit .name').nth(1).textContent());
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('q');
  });

  it('is usable on a phone-sized screen', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await phone.goto(`${base}/stores/demo-diner`);
    await phone.locator('#q').fill('marg');
    await expect
      .poll(() => phone.locator('#results .hit .name').first().textContent(), { timeout: 5_000 })
      .toBe('Margherita Pizza');
    // no horizontal scrolling; filters collapsed behind a summary
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await phone.locator('#filters').getAttribute('open')).toBeNull();
    await phone.screenshot({ path: `${DOCS}storefront-mobile.png` });
    await phone.close();
  });
});
