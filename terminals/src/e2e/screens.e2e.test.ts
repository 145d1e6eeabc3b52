import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEVICE_KEY, type DeviceRecord } from '../browser/device-store.ts';
import { connState, launchChromium, screenFor, TABLET } from '../testing/browser.ts';
import { demoActions } from '../testing/demo-actions.ts';
import { MANAGER_PIN, startTestSystem, type TestSystem } from '../testing/test-system.ts';

/**
 * Pairing, the expo, the POS order board and the stock feed in headless Chromium against the real
 * api, cdc and hub. Also saves the screenshots in docs/ (the pages with demo data).
 */
// docs/ only when asked (npm run screenshots -w @commerce/terminals): a plain test run must not
// rewrite tracked pictures; otherwise they go to the temp dir and the flow is still exercised
const DOCS =
  process.env.TERMINALS_SCREENSHOTS === 'docs'
    ? fileURLToPath(new URL('../../../docs/', import.meta.url))
    : `${tmpdir()}/`;
// generous: the whole suite shares two cores with Chromium
const WAIT = 25_000;
vi.setConfig({ testTimeout: 120_000 });
let system: TestSystem;
let browser: Browser;
let act: ReturnType<typeof demoActions>;

beforeAll(async () => {
  system = await startTestSystem();
  act = demoActions(system);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

async function open(device: DeviceRecord, path: string): Promise<Page> {
  const { page } = await screenFor(browser, device);
  await page.goto(`${system.baseUrl}${path}`);
  await expect.poll(() => connState(page), { timeout: WAIT }).toBe('connected');
  return page;
}

const card = (page: Page, selector: string, id: string) =>
  page.locator(selector).filter({ has: page.locator(':scope > header', { hasText: new RegExp(`#${id}\\b`) }) });

describe('pairing a screen', () => {
  it('a manager signs in with a PIN, pairs the screen as the grill KDS, and it goes live', async () => {
    const context = await browser.newContext({ viewport: TABLET });
    const page = await context.newPage();
    await page.goto(`${system.baseUrl}/pair`);
    await page.locator('input[name=email]').fill('manager@demo-bistro.test');
    await page.locator('input[name=pin]').fill('0000');
    await page.locator('#signin-form button[type=submit]').click();
    await expect.poll(() => page.locator('#toast').innerText(), { timeout: WAIT }).toContain('Wrong');

    await page.locator('input[name=pin]').fill(MANAGER_PIN);
    await page.locator('#signin-form button[type=submit]').click();
    await expect.poll(() => page.locator('body').getAttribute('data-step'), { timeout: WAIT }).toBe('setup');
    await page.locator('#stations label', { hasText: 'Grill' }).click();
    await expect.poll(() => page.locator('input[name=name]').inputValue()).toBe('Grill KDS');
    await page.locator('#toast').evaluate((el) => {
      (el as HTMLElement).hidden = true;
    });
    await page.screenshot({ path: `${DOCS}pairing.png` });

    await page.locator('#setup-form button[type=submit]').click();
    await page.waitForURL(/\/kds$/, { timeout: WAIT });
    await expect.poll(() => connState(page), { timeout: WAIT }).toBe('connected');
    const stored = JSON.parse((await page.evaluate((key) => localStorage.getItem(key), DEVICE_KEY)) ?? '{}');
    expect(stored).toMatchObject({
      kind: 'kds',
      name: 'Grill KDS',
      stationIds: [act.stations.grill],
      hub: { url: system.hubUrl, publicKey: system.hubPublicKey },
    });
    expect(await page.locator('#screen-sub').innerText()).toBe('Grill');
    await context.close();
  });
});

describe('expo, POS board and stock feed', () => {
  it('the expo groups an order across stations and shows when every station is ready', async () => {
    const expo = await act.pair({
      kind: 'kds',
      name: 'Expo KDS',
      station_ids: [act.stations.grill, act.stations.fry, act.stations.bar, act.stations.expo],
      roles: ['kitchen'],
    });
    const page = await open(expo, '/expo');
    const order = await act.order(
      [
        { variant_id: await act.variant('Chicken Burger'), quantity: 1 },
        { variant_id: await act.variant('French Fries', 'Regular'), quantity: 2 },
      ],
      '5',
    );
    const orderCard = card(page, '#board .ticket', order.id);
    await expect.poll(() => orderCard.locator('.expo-station').count(), { timeout: WAIT }).toBe(2);
    expect(await orderCard.locator('.expo-progress').innerText()).toBe('0 / 2 stations ready');
    for (const item of await orderCard.locator('.item').all()) {
      await item.click(); // queued → preparing
      await expect.poll(() => item.getAttribute('class'), { timeout: WAIT }).toContain('s-preparing');
      await item.click(); // preparing → ready
      await expect.poll(() => item.getAttribute('class'), { timeout: WAIT }).toContain('s-ready');
    }
    await expect
      .poll(() => orderCard.locator('.expo-progress').innerText(), { timeout: WAIT })
      .toBe('2 / 2 stations ready');
    await orderCard.locator('.bump').click();
    await expect.poll(() => orderCard.count(), { timeout: WAIT }).toBe(0);
    await page.context().close();
  });

  it('the POS board shows new orders with totals and follows payment and cancellation', async () => {
    const pos = await act.pair({ kind: 'pos', name: 'POS Board', roles: ['cashier'] });
    const page = await open(pos, '/pos');
    const burger = await act.variant('Classic Beef Burger');
    const a = await act.order([{ variant_id: burger, quantity: 2 }], '3');
    const b = await act.order([{ variant_id: burger, quantity: 1 }], null, 'online');
    const inOpen = (id: string) => card(page, '#col-open .order', id);
    await expect.poll(() => inOpen(a.id).count(), { timeout: WAIT }).toBe(1);
    await expect.poll(() => inOpen(b.id).count(), { timeout: WAIT }).toBe(1);
    expect(await inOpen(a.id).innerText()).toMatch(/Table 3[\s\S]*\$27\.00[\s\S]*unpaid/i);
    expect(await inOpen(b.id).innerText()).toContain('Online');

    await act.payOrder(a.id);
    await expect.poll(() => card(page, '#col-paid .order', a.id).count(), { timeout: WAIT }).toBe(1);
    expect(await card(page, '#col-paid .order', a.id).locator('.pill').first().innerText()).toMatch(/paid/i);
    await act.cancelOrder(b.id);
    await expect.poll(() => card(page, '#col-done .order', b.id).count(), { timeout: WAIT }).toBe(1);
    expect(await card(page, '#col-done .order', b.id).innerText()).toMatch(/void[\s\S]*cancelled/i);
    expect(await inOpen(a.id).count()).toBe(0);
    await page.context().close();
  });

  it('stock going low, out and back puts low, out and restocked alerts on the feed; problems are acknowledged', async () => {
    const feedDevice = await act.pair({ kind: 'stock_feed', name: 'Stock Feed', roles: ['stock_clerk'] });
    const page = await open(feedDevice, '/stock');
    const variant = await act.variant('Ribeye Steak');
    const level = await act.level(variant);
    expect(level.available).toBeGreaterThan(level.low_stock_threshold);
    await act.adjust(variant, -(level.available - 3));
    const alert = page.locator('#alerts .alert', { hasText: level.sku });
    await expect.poll(() => alert.count(), { timeout: WAIT }).toBe(1);
    const text = await alert.innerText();
    expect(text).toContain('Low stock');
    expect(text).toContain('Downtown Kitchen');
    expect(text).toMatch(/3\s+available/);
    expect(text).toContain(`threshold ${level.low_stock_threshold}`);
    expect(await page.locator('#unacked').innerText()).toBe('1');

    await act.adjust(variant, -3);
    await expect
      .poll(() => page.locator('#alerts .alert.k-out', { hasText: level.sku }).count(), { timeout: WAIT })
      .toBe(1);
    await page.locator('#alerts .alert.k-out .ack').click();
    await expect.poll(() => page.locator('#unacked').innerText()).toBe('0');
    expect(await page.locator('#alerts .alert.k-out').innerText()).toContain('seen');
    // an acknowledgement survives a reload of the page
    await page.reload();
    await expect.poll(() => connState(page), { timeout: WAIT }).toBe('connected');
    await expect.poll(() => page.locator('#unacked').innerText()).toBe('0');

    // back above the threshold: restocked, on top, with its numbers, news that asks for no ack
    await act.adjust(variant, level.low_stock_threshold + 5);
    const restocked = await act.level(variant);
    expect(restocked.available).toBe(level.low_stock_threshold + 5);
    const restockedCard = page.locator('#alerts .alert.k-restocked', { hasText: level.sku });
    await expect.poll(() => restockedCard.count(), { timeout: WAIT }).toBe(1);
    const news = await restockedCard.innerText();
    expect(news).toContain('Restocked');
    expect(news).toContain('Ribeye Steak');
    expect(news).toContain('Downtown Kitchen');
    expect(news).toMatch(new RegExp(`${restocked.available}\\s+available`));
    expect(news).toContain(`${restocked.on_hand} on hand`);
    expect(news).toContain(`${restocked.reserved} reserved`);
    expect(news).toContain(`threshold ${level.low_stock_threshold}`);
    expect(news).toContain('back in stock');
    expect(await restockedCard.locator('.ack').count()).toBe(0);
    // newest first: the restocked news above the (reloaded, acknowledged) out level of the same SKU
    const kinds = await page
      .locator('#alerts .alert', { hasText: level.sku })
      .evaluateAll((cards) => cards.map((c) => (c as HTMLElement).dataset.kind));
    expect(kinds).toEqual(['restocked', 'out']);
    expect(await page.locator('#unacked').innerText()).toBe('0');
    await page.context().close();
  });
});
