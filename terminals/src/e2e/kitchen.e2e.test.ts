import { topics } from '@commerce/common';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DeviceRecord } from '../browser/device-store.ts';
import { connState, launchChromium, screenFor } from '../testing/browser.ts';
import { demoActions } from '../testing/demo-actions.ts';
import { startTestSystem, type TestSystem } from '../testing/test-system.ts';

/**
 * The kitchen displays in headless Chromium against the real api, cdc and hub (see test-system.ts):
 * routing by station, two screens of a station agreeing through the hub stream, a connection cut
 * while orders come in (recovered from the hub's history, or reloaded from the api when the gap is
 * larger than the hub replays).
 */
const MAX_RECOVER = 5;
// generous: the whole suite shares two cores with Chromium
const WAIT = 25_000;
vi.setConfig({ testTimeout: 120_000 });
let system: TestSystem;
let browser: Browser;
let act: ReturnType<typeof demoActions>;
let grillDevice: DeviceRecord;
let barDevice: DeviceRecord;
let grillItems: Array<{ id: string; name: string }>;
let barItems: Array<{ id: string; name: string }>;

beforeAll(async () => {
  system = await startTestSystem({ hub: { maxRecover: MAX_RECOVER, revocationRecheckS: 1 } });
  act = demoActions(system);
  browser = await launchChromium();
  grillDevice = await act.pair({
    kind: 'kds',
    name: 'Grill KDS',
    station_ids: [act.stations.grill],
    roles: ['kitchen'],
  });
  barDevice = await act.pair({ kind: 'kds', name: 'Bar KDS', station_ids: [act.stations.bar], roles: ['kitchen'] });
  grillItems = await act.menu('grill');
  barItems = await act.menu('bar');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

const ticket = (page: Page, orderId: string) =>
  page.locator('#board .ticket').filter({ has: page.locator('.ticket-no', { hasText: new RegExp(`^#${orderId}$`) }) });

async function openKds(device: DeviceRecord, path = '/kds') {
  const { page } = await screenFor(browser, device);
  await page.goto(`${system.baseUrl}${path}`);
  await expect.poll(() => connState(page), { timeout: WAIT }).toBe('connected');
  return page;
}

describe('kitchen display in a real browser', () => {
  it('a new order shows on the grill KDS and not on the bar KDS', async () => {
    const grill = await openKds(grillDevice);
    const bar = await openKds(barDevice);
    const order = await act.order(
      [{ variant_id: grillItems[0]!.id, quantity: 2, note: 'medium rare', modifiers: ['no onion', 'extra cheese'] }],
      '12',
    );
    const card = ticket(grill, order.id);
    await expect.poll(() => card.count(), { timeout: WAIT }).toBe(1);
    const text = await card.innerText();
    expect(text).toContain('Table 12');
    expect(text).toContain(grillItems[0]!.name);
    expect(text).toContain('no onion · extra cheese');
    expect(text).toContain('medium rare');
    expect(text).toMatch(/\b0:0\d\b/);

    // the bar screen is live (it shows its own order) and never got the grill ticket
    const barOrder = await act.order([{ variant_id: barItems[0]!.id, quantity: 1 }], '12');
    await expect.poll(() => ticket(bar, barOrder.id).count(), { timeout: WAIT }).toBe(1);
    expect(await ticket(bar, order.id).count()).toBe(0);
    expect(await ticket(grill, barOrder.id).count()).toBe(0);
    await grill.context().close();
    await bar.context().close();
  });

  it('a tap or a bump on one grill screen shows on the other grill screen from the hub stream', async () => {
    const a = await openKds(grillDevice);
    const b = await openKds(grillDevice);
    const order = await act.order([{ variant_id: grillItems[1]!.id, quantity: 1 }], 'T4');
    await expect.poll(() => ticket(b, order.id).count(), { timeout: WAIT }).toBe(1);
    await expect.poll(() => ticket(a, order.id).count(), { timeout: WAIT }).toBe(1);

    await ticket(a, order.id).locator('.item').first().click();
    await expect
      .poll(() => ticket(b, order.id).locator('.item').first().getAttribute('class'), { timeout: WAIT })
      .toContain('s-preparing');

    await ticket(a, order.id).locator('.bump').click();
    await expect.poll(() => ticket(b, order.id).count(), { timeout: WAIT }).toBe(0);
    await expect.poll(() => ticket(a, order.id).count(), { timeout: WAIT }).toBe(0);

    // recall from the other screen brings it back on both
    await b.locator('#recall-last').click();
    await expect.poll(() => ticket(a, order.id).count(), { timeout: WAIT }).toBe(1);
    await expect.poll(() => ticket(b, order.id).count(), { timeout: WAIT }).toBe(1);
    expect(await ticket(a, order.id).innerText()).toMatch(/recalled/i);
    await a.context().close();
    await b.context().close();
  });

  it('the tapping screen shows the tap as pending and moves the item only when the hub says so', async () => {
    const page = await openKds(grillDevice);
    const order = await act.order([{ variant_id: grillItems[0]!.id, quantity: 1 }], 'P1');
    const item = ticket(page, order.id).locator('.item').first();
    await expect.poll(() => item.count(), { timeout: WAIT }).toBe(1);
    const topic = topics.kitchen(system.demo.restaurant.merchantId, act.branch.id, act.stations.grill);
    const since = await system.bus.head(topic);
    const tapPublished = async () => {
      const history = await system.bus.history(topic, since);
      return (
        history.recovered &&
        history.entries.some(
          (e) => e.event.type === 'kitchen.ticket.updated' && JSON.stringify(e.event.entity).includes('"preparing"'),
        )
      );
    };
    // the connection stays up, but nothing the hub sends reaches the page until release()
    system.proxy.hold();
    try {
      await item.click();
      await expect.poll(() => item.getAttribute('class'), { timeout: WAIT }).toContain('pending');
      // the api took the tap and the hub has sent its event: the page still shows the old state
      await expect.poll(tapPublished, { timeout: WAIT }).toBe(true);
      await page.waitForTimeout(300);
      expect(await item.getAttribute('class')).toMatch(/\bs-queued\b.*\bpending\b/);
      expect(await connState(page)).toBe('connected');
    } finally {
      system.proxy.release();
    }
    await expect.poll(() => item.getAttribute('class'), { timeout: WAIT }).toContain('s-preparing');
    expect(await item.getAttribute('class')).not.toContain('pending');
    await page.context().close();
  });

  it('the timer colours follow the thresholds set in the screen menu, also after a reload', async () => {
    const order = await act.order([{ variant_id: grillItems[0]!.id, quantity: 1 }], 'C1');
    await act.age(order.id, 3);
    const page = await openKds(grillDevice);
    const card = ticket(page, order.id);
    await expect.poll(() => card.locator('.timer').innerText(), { timeout: WAIT }).toMatch(/^3:\d\d$/);
    expect(await card.getAttribute('class')).toContain('u-ok');
    const warn = page.locator('#settings-form input[name=warn]');
    const late = page.locator('#settings-form input[name=late]');
    const save = async (yellow: string, red: string) => {
      if (!(await page.locator('#menu').isVisible())) await page.locator('#menu-btn').click();
      await warn.fill(yellow);
      await late.fill(red);
      await page.locator('#settings-form button[type=submit]').click();
    };
    await page.locator('#menu-btn').click();
    expect([await warn.inputValue(), await late.inputValue()]).toEqual(['5', '8']);

    // red before yellow is refused and changes nothing
    await save('4', '2');
    await expect.poll(() => page.locator('#toast').innerText(), { timeout: WAIT }).toContain('Red must come after');
    expect(await card.getAttribute('class')).toContain('u-ok');

    await save('2', '6');
    await expect.poll(() => card.getAttribute('class'), { timeout: WAIT }).toContain('u-warn');
    expect(await page.locator('#menu').isVisible()).toBe(false);
    await save('1', '2.5');
    await expect.poll(() => card.getAttribute('class'), { timeout: WAIT }).toContain('u-late');

    // the setting belongs to this screen and survives a reload
    await page.reload();
    await expect.poll(() => connState(page), { timeout: WAIT }).toBe('connected');
    await expect.poll(() => card.getAttribute('class'), { timeout: WAIT }).toContain('u-late');
    await page.locator('#menu-btn').click();
    expect([await warn.inputValue(), await late.inputValue()]).toEqual(['1', '2.5']);
    await page.context().close();
  });

  it('a ticket placed while the connection is cut is there after the reconnect (recovered)', async () => {
    const page = await openKds(grillDevice);
    const topic = topics.kitchen(system.demo.restaurant.merchantId, act.branch.id, act.stations.grill);
    system.proxy.pause();
    system.proxy.cut();
    await expect.poll(() => connState(page), { timeout: WAIT }).toBe('reconnecting');
    expect(await page.locator('#stale-banner').isVisible()).toBe(true);

    const head = await act.headSeq(topic);
    const order = await act.order([{ variant_id: grillItems[2]!.id, quantity: 3 }], 'T9');
    await expect.poll(() => act.headSeq(topic), { timeout: WAIT }).toBeGreaterThan(head);
    expect(await ticket(page, order.id).count()).toBe(0);

    system.proxy.resume();
    await expect.poll(() => ticket(page, order.id).count(), { timeout: WAIT }).toBe(1);
    await expect.poll(() => connState(page), { timeout: WAIT }).toBe('recovered');
    expect(await page.locator('.conn').innerText()).toMatch(/1 missed event replayed/);
    expect(await page.locator('#stale-banner').isVisible()).toBe(false);
    await page.context().close();
  });

  it('when more was missed than the hub replays, the screen reloads from the api and says so', async () => {
    const page = await openKds(grillDevice);
    system.proxy.pause();
    system.proxy.cut();
    await expect.poll(() => connState(page), { timeout: WAIT }).toBe('reconnecting');
    const topic = topics.kitchen(system.demo.restaurant.merchantId, act.branch.id, act.stations.grill);
    const head = await act.headSeq(topic);
    const orders: string[] = [];
    for (let i = 0; i <= MAX_RECOVER; i++) {
      orders.push((await act.order([{ variant_id: grillItems[i % grillItems.length]!.id, quantity: 1 }], `R${i}`)).id);
    }
    // every ticket is on the bus while the page is away: more than the hub will replay
    await expect.poll(() => act.headSeq(topic), { timeout: WAIT }).toBeGreaterThanOrEqual(head + orders.length);

    system.proxy.resume();
    await expect.poll(() => connState(page), { timeout: WAIT }).toBe('reloaded');
    expect(await page.locator('.conn').innerText()).toContain('Reloaded: some events were missed');
    // the badge flips when the snapshot is applied; the cards render on the next frame
    for (const id of orders) await expect.poll(() => ticket(page, id).count(), { timeout: WAIT }).toBe(1);
    await page.context().close();
  });

  it('a revoked screen says it is offline instead of looking live', async () => {
    const device = await act.pair({
      kind: 'kds',
      name: 'Spare KDS',
      station_ids: [act.stations.fry],
      roles: ['kitchen'],
    });
    const page = await openKds(device);
    await act.revoke(device.terminalId);
    await expect.poll(() => connState(page), { timeout: WAIT }).toBe('offline');
    expect(await page.locator('body').getAttribute('data-live')).toBe('false');
    expect(await page.locator('#stale-banner').isVisible()).toBe(true);
    await page.context().close();
  });
});
