import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DeviceRecord } from '../browser/device-store.ts';
import { connState, launchChromium, screenFor } from '../testing/browser.ts';
import { demoActions } from '../testing/demo-actions.ts';
import { startTestSystem, type TestSystem } from '../testing/test-system.ts';

/**
 * A lunch service on the demo restaurant, then a screenshot of each screen for docs/ (kds.png,
 * expo.png, pos-board.png, stock-feed.png). The assertions check the pages show what was set up.
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
const orders: Record<string, string> = {};

async function open(device: DeviceRecord, path: string): Promise<Page> {
  const { page } = await screenFor(browser, device);
  await page.goto(`${system.baseUrl}${path}`);
  await expect.poll(() => connState(page), { timeout: WAIT }).toBe('connected');
  return page;
}

async function lunch() {
  const v = (name: string, variant?: string) => act.variant(name, variant);
  const place = async (
    key: string,
    table: string | null,
    lines: Array<[string, number, string?, string[]?]>,
    channel: 'pos' | 'online' = 'pos',
  ) => {
    const body = [];
    for (const [name, quantity, note, modifiers] of lines) {
      body.push({
        variant_id: await v(name),
        quantity,
        ...(note ? { note } : {}),
        ...(modifiers ? { modifiers } : {}),
      });
    }
    orders[key] = (await act.order(body, table, channel)).id;
  };
  await place('done', '9', [
    ['Chicken Skewers', 2],
    ['French Fries', 2],
  ]);
  await place('late', '4', [
    ['Ribeye Steak', 2, 'medium rare'],
    ['Chicken Burger', 1],
    ['Sweet Potato Fries', 2],
  ]);
  await place('warn', '7', [
    ['BBQ Bacon Burger', 1, undefined, ['no pickles']],
    ['Margherita Pizza', 1],
    ['Onion Rings', 1],
  ]);
  await place(
    'online',
    null,
    [
      ['Pepperoni Pizza', 2],
      ['French Fries', 1],
    ],
    'online',
  );
  await place('fresh', '12', [
    ['Grilled Salmon', 1, 'sauce on the side'],
    ['Veggie Burger', 1, undefined, ['vegan bun', 'no mayo']],
  ]);
  await place('new', '2', [
    ['Classic Beef Burger', 3],
    ['French Fries', 3],
  ]);
  await act.age(orders.done!, 14);
  await act.age(orders.late!, 9.2);
  await act.age(orders.warn!, 6.4);
  await act.age(orders.online!, 3.1);
  await act.age(orders.fresh!, 1.3);

  const items = async (key: string) => act.items(orders[key]!);
  const [steak, chicken, sweetFries] = await items('late');
  await act.setItem(steak!.id, 'preparing');
  await act.setItem(chicken!.id, 'preparing');
  await act.setItem(chicken!.id, 'ready');
  await act.setItem(sweetFries!.id, 'preparing');
  await act.setItem(sweetFries!.id, 'ready');
  const [bacon, , rings] = await items('warn');
  await act.setItem(bacon!.id, 'preparing');
  await act.setItem(rings!.id, 'preparing');
  const [onlinePizza] = await items('online');
  await act.setItem(onlinePizza!.id, 'preparing');
  for (const item of await items('done')) {
    await act.setItem(item.id, 'preparing');
    await act.setItem(item.id, 'ready');
  }
  for (const ticketId of new Set((await items('done')).map((i) => i.ticketId))) await act.bump(ticketId);

  await act.payOrder(orders.done!);
  await act.completeOrder(orders.done!);
  await act.payOrder(orders.late!);
  await act.payOrder(orders.online!);
  const cancelled = await act.order([{ variant_id: await v('Diavola Pizza'), quantity: 1 }], '15');
  await act.cancelOrder(cancelled.id);
  orders.cancelled = cancelled.id;
}

beforeAll(async () => {
  system = await startTestSystem();
  act = demoActions(system);
  browser = await launchChromium();
  await lunch();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

describe('screenshots of the screens with demo data', () => {
  it('grill KDS: open tickets oldest first, red and yellow timers, all-day counts, recall', async () => {
    const device = await act.pair({
      kind: 'kds',
      name: 'Grill KDS',
      station_ids: [act.stations.grill],
      roles: ['kitchen'],
    });
    const page = await open(device, '/kds');
    await expect.poll(() => page.locator('#board .ticket').count(), { timeout: WAIT }).toBe(5);
    const numbers = await page.locator('#board .ticket .ticket-no').allInnerTexts();
    expect(numbers).toEqual(['late', 'warn', 'online', 'fresh', 'new'].map((k) => `#${orders[k]}`));
    expect(await page.locator('#board .ticket').first().getAttribute('class')).toContain('u-late');
    expect(await page.locator('#board .ticket').nth(1).getAttribute('class')).toContain('u-warn');
    expect(await page.locator('#allday').innerText()).toMatch(/3\s+Classic Beef Burger/);
    // the bumped ticket is offered for recall; the cancelled order's ticket is closed, not bumped
    expect(await page.locator('#recall .ticket-no').allInnerTexts()).toEqual([`#${orders.done}`]);
    await page.screenshot({ path: `${DOCS}kds.png` });
    await page.context().close();
  });

  it('expo: every station of an order together', async () => {
    const device = await act.pair({
      kind: 'kds',
      name: 'Expo KDS',
      station_ids: Object.values(act.stations),
      roles: ['kitchen'],
    });
    const page = await open(device, '/expo');
    await expect.poll(() => page.locator('#board .ticket').count(), { timeout: WAIT }).toBe(5);
    expect(await page.locator('#board .ticket').first().locator('.expo-station').count()).toBe(2);
    await page.screenshot({ path: `${DOCS}expo.png` });
    await page.context().close();
  });

  it('POS board: orders by payment state with totals', async () => {
    const device = await act.pair({ kind: 'pos', name: 'POS Board', roles: ['cashier'] });
    const page = await open(device, '/pos');
    await expect.poll(() => page.locator('#col-open .order').count(), { timeout: WAIT }).toBe(3);
    expect(await page.locator('#col-paid .order').count()).toBe(2);
    expect(await page.locator('#col-done .order').count()).toBe(2);
    await page.screenshot({ path: `${DOCS}pos-board.png` });
    await page.context().close();
  });

  it('stock feed: low, out and restocked alerts with SKU, location and numbers', async () => {
    const device = await act.pair({ kind: 'stock_feed', name: 'Stock Feed', roles: ['stock_clerk'] });
    const page = await open(device, '/stock');
    const lowerTo = async (name: string, available: number) => {
      const variant = await act.variant(name);
      const level = await act.level(variant);
      await act.adjust(variant, available - level.available);
      return { variant, level };
    };
    const salmon = await lowerTo('Halloumi Skewers', 0);
    await act.adjust(salmon.variant, 40); // restocked
    await lowerTo('Sweet Potato Fries', 4);
    await lowerTo('Ribeye Steak', 0);
    await lowerTo('Onion Rings', 2);
    await expect.poll(() => page.locator('#alerts .alert').count(), { timeout: WAIT }).toBe(5);
    await page.locator('#alerts .alert', { hasText: 'Restocked' }).first().waitFor();
    await page.locator('#alerts .alert.k-low .ack').last().click();
    await expect.poll(() => page.locator('#unacked').innerText()).toBe('2');
    expect(await page.locator('#alerts .alert.k-restocked .ack').count()).toBe(0);
    // the picture live and without the arrival flash in the header (a loaded machine can make the
    // screen reconnect meanwhile; the connection dot's pulse is infinite, so only the flash counts)
    await expect
      .poll(
        async () => ({
          conn: await connState(page),
          flashing: await page.evaluate(
            () =>
              document
                .getAnimations()
                .filter((a) => a.playState === 'running' && (a as CSSAnimation).animationName === 'flash').length,
          ),
        }),
        { timeout: WAIT },
      )
      .toEqual({ conn: 'connected', flashing: 0 });
    await page.screenshot({ path: `${DOCS}stock-feed.png` });
    await page.context().close();
  });
});
