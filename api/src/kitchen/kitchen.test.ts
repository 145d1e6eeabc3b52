import { createTestDatabase } from '@commerce/infra/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type SeededMerchant, seedMerchant, type TestApi } from '../testing/fixtures.ts';

const db = await createTestDatabase();
let t: TestApi;
let m: SeededMerchant;

beforeAll(async () => {
  t = await createTestApi(db.sql);
  m = await seedMerchant(db.sql, t.sign, 'kds');
});
afterAll(() => db.drop());

const cook = () => m.staff.kitchen.token;
const placeOrder = (table: string) =>
  t.call('POST', '/orders', {
    token: m.staff.cashier.token,
    body: {
      channel: 'pos',
      branch_id: m.branchId,
      table_label: table,
      lines: [
        { variant_id: m.products.burger.variantId, quantity: 2, note: 'medium', modifiers: ['no pickles'] },
        { variant_id: m.products.beer.variantId, quantity: 1 },
        { variant_id: m.products.mug.variantId, quantity: 1 },
      ],
    },
  });
const grillTickets = (status = 'open') =>
  t.call('GET', `/kitchen/tickets?station_id=${m.stations.grill}&status=${status}`, { token: cook() });

describe('kitchen tickets', () => {
  it('one ticket per station with the items it prepares, oldest first', async () => {
    const first = await placeOrder('T1');
    const second = await placeOrder('T2');
    const grill = await grillTickets();
    expect(grill.status).toBe(200);
    expect(grill.body.map((x: { order_id: string }) => x.order_id)).toEqual([first.body.id, second.body.id]);
    const ticket = grill.body[0];
    expect(ticket).toMatchObject({
      station_id: m.stations.grill,
      branch_id: m.branchId,
      table_label: 'T1',
      channel: 'pos',
      status: 'open',
    });
    expect(ticket.items).toHaveLength(1);
    expect(ticket.items[0]).toMatchObject({
      name: 'kds Burger',
      quantity: 2,
      note: 'medium',
      modifiers: ['no pickles'],
      status: 'queued',
      preparing_at: null,
    });
    const bar = await t.call('GET', `/kitchen/tickets?station_id=${m.stations.bar}`, { token: cook() });
    expect(bar.body.map((x: { items: Array<{ name: string }> }) => x.items.map((i) => i.name))).toEqual([
      ['kds Beer'],
      ['kds Beer'],
    ]);
    const branch = await t.call('GET', `/kitchen/tickets?branch_id=${m.branchId}`, { token: cook() });
    expect(branch.body).toHaveLength(4);
  });

  it('items move forward with a timestamp per step; never back', async () => {
    const [ticket] = (await grillTickets()).body;
    const itemId = ticket.items[0].id;
    const preparing = await t.call('POST', `/kitchen/items/${itemId}/advance`, { token: cook() });
    expect(preparing.status).toBe(200);
    const item = () => preparing.body.items.find((i: { id: string }) => i.id === itemId);
    expect(item()).toMatchObject({ status: 'preparing' });
    expect(item().preparing_at).not.toBeNull();
    const ready = await t.call('PATCH', `/kitchen/items/${itemId}`, { token: cook(), body: { status: 'ready' } });
    const readyItem = ready.body.items.find((i: { id: string }) => i.id === itemId);
    expect(readyItem.status).toBe('ready');
    expect(Date.parse(readyItem.ready_at)).toBeGreaterThanOrEqual(Date.parse(readyItem.preparing_at));
    const back = await t.call('PATCH', `/kitchen/items/${itemId}`, { token: cook(), body: { status: 'preparing' } });
    expect(back.status).toBe(409);
    expect(back.body.error.details.current_status).toBe('ready');
    await t.call('POST', `/kitchen/items/${itemId}/advance`, { token: cook() });
    const beyond = await t.call('POST', `/kitchen/items/${itemId}/advance`, { token: cook() });
    expect(beyond.status).toBe(409);
    expect(beyond.body.error.details.current_status).toBe('served');
  });

  it('bump takes a ticket off the open list; recall brings it back', async () => {
    const [oldest, next] = (await grillTickets()).body;
    const bumped = await t.call('POST', `/kitchen/tickets/${oldest.id}/bump`, { token: cook() });
    expect(bumped.body).toMatchObject({ status: 'bumped' });
    expect(bumped.body.bumped_at).not.toBeNull();
    expect((await grillTickets()).body.map((x: { id: string }) => x.id)).toEqual([next.id]);
    expect((await t.call('POST', `/kitchen/tickets/${oldest.id}/bump`, { token: cook() })).status).toBe(409);
    await t.call('POST', `/kitchen/tickets/${next.id}/bump`, { token: cook() });
    const recent = await grillTickets('bumped');
    expect(recent.body.map((x: { id: string }) => x.id)).toEqual([next.id, oldest.id]);
    const recalled = await t.call('POST', `/kitchen/tickets/${oldest.id}/recall`, { token: cook() });
    expect(recalled.body.status).toBe('open');
    expect(recalled.body.recalled_at).not.toBeNull();
    expect((await t.call('POST', `/kitchen/tickets/${oldest.id}/recall`, { token: cook() })).status).toBe(409);
    expect((await grillTickets()).body.map((x: { id: string }) => x.id)).toEqual([oldest.id]);
    const one = await t.call('GET', `/kitchen/tickets/${oldest.id}`, { token: cook() });
    expect(one.body.id).toBe(oldest.id);
  });

  it('two taps at once: one bump wins, the other is told the ticket is already bumped', async () => {
    const [ticket] = (await grillTickets()).body;
    const taps = await Promise.all(
      [1, 2].map(() => t.call('POST', `/kitchen/tickets/${ticket.id}/bump`, { token: cook() })),
    );
    expect(taps.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(taps.find((r) => r.status === 409)!.body.error.details.current_status).toBe('bumped');
    // an explicit move to a status the item already passed is refused the same way
    const tickets = [...(await grillTickets()).body, ...(await grillTickets('bumped')).body];
    const item = tickets
      .flatMap((x: { items: Array<{ id: string; status: string }> }) => x.items)
      .find((i) => i.status === 'queued')!.id;
    const ready = await t.call('PATCH', `/kitchen/items/${item}`, { token: cook(), body: { status: 'ready' } });
    expect(ready.status, JSON.stringify(ready.body)).toBe(200);
    expect(ready.body.items.find((i: { id: string }) => i.id === item)).toMatchObject({
      status: 'ready',
      preparing_at: null,
    });
    const back = await t.call('PATCH', `/kitchen/items/${item}`, { token: cook(), body: { status: 'preparing' } });
    expect(back.status).toBe(409);
    expect(back.body.error.details.current_status).toBe('ready');
  });
});

describe('cancelling an order closes its kitchen tickets', () => {
  it('open and bumped tickets become cancelled, unserved items too; served stays served', async () => {
    const order = await placeOrder('T9');
    const tickets = (await t.call('GET', `/kitchen/tickets?branch_id=${m.branchId}`, { token: cook() })).body.filter(
      (x: { order_id: string }) => x.order_id === order.body.id,
    );
    const grill = tickets.find((x: { station_id: string }) => x.station_id === m.stations.grill);
    const bar = tickets.find((x: { station_id: string }) => x.station_id === m.stations.bar);
    const beer = bar.items[0].id;
    await t.call('PATCH', `/kitchen/items/${beer}`, { token: cook(), body: { status: 'served' } });
    await t.call('POST', `/kitchen/tickets/${bar.id}/bump`, { token: cook() });
    await t.call('POST', `/kitchen/items/${grill.items[0].id}/advance`, { token: cook() });

    const cancelled = await t.call('POST', `/orders/${order.body.id}/cancel`, { token: m.staff.cashier.token });
    expect(cancelled.status).toBe(200);

    const grillNow = (await t.call('GET', `/kitchen/tickets/${grill.id}`, { token: cook() })).body;
    expect(grillNow).toMatchObject({ status: 'cancelled', bumped_at: null });
    expect(grillNow.cancelled_at).not.toBeNull();
    expect(grillNow.items.map((i: { status: string }) => i.status)).toEqual(['cancelled']);
    expect(grillNow.items[0].preparing_at).not.toBeNull();
    expect(grillNow.items[0].cancelled_at).toBe(grillNow.cancelled_at);
    const barNow = (await t.call('GET', `/kitchen/tickets/${bar.id}`, { token: cook() })).body;
    expect(barNow.status).toBe('cancelled');
    expect(barNow.bumped_at).not.toBeNull();
    expect(
      barNow.items.map((i: { status: string; cancelled_at: string | null }) => [i.status, i.cancelled_at]),
    ).toEqual([['served', null]]);

    const ids = async (status: string) =>
      (await t.call('GET', `/kitchen/tickets?branch_id=${m.branchId}&status=${status}`, { token: cook() })).body.map(
        (x: { id: string }) => x.id,
      );
    expect(await ids('open')).not.toContain(grill.id);
    expect(await ids('bumped')).not.toContain(bar.id);
    expect(await ids('cancelled')).toEqual(expect.arrayContaining([grill.id, bar.id]));
  });

  it('a cancelled ticket takes no bump, recall or item move (409 naming the status)', async () => {
    const order = await placeOrder('T10');
    const [ticket] = (await grillTickets()).body.filter((x: { order_id: string }) => x.order_id === order.body.id);
    await t.call('POST', `/orders/${order.body.id}/cancel`, { token: m.staff.cashier.token });
    const item = ticket.items[0].id;
    const attempts = [
      await t.call('POST', `/kitchen/tickets/${ticket.id}/bump`, { token: cook() }),
      await t.call('POST', `/kitchen/tickets/${ticket.id}/recall`, { token: cook() }),
      await t.call('POST', `/kitchen/items/${item}/advance`, { token: cook() }),
      await t.call('PATCH', `/kitchen/items/${item}`, { token: cook(), body: { status: 'served' } }),
    ];
    expect(attempts.map((r) => [r.status, r.body.error.details.current_status])).toEqual(
      Array(4).fill([409, 'cancelled']),
    );
    const [row] = await db.sql<{ status: string; items: string[] }[]>`
      select t.status, array_agg(i.status::text) as items from kitchen_tickets t
      join kitchen_ticket_items i on i.ticket_id = t.id where t.id = ${ticket.id} group by t.status`;
    expect(row).toEqual({ status: 'cancelled', items: ['cancelled'] });
  });
});
