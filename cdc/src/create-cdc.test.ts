import { type ChangeBatch, type ChangeSink, type DomainEvent, parseConfig } from '@commerce/common';
import { type BusEntry, MemoryBus } from '@commerce/hub/bus';
import { createTestDatabase } from '@commerce/infra/testing';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cdcConfigSchema } from './config.ts';
import { type Cdc, createCdc } from './create-cdc.ts';
import type {
  KitchenTicketEventEntity,
  OrderEventEntity,
  ProductEventEntity,
  StockAlertEntity,
  StockEventEntity,
} from './router/entities.ts';

const db = await createTestDatabase();
const bus = new MemoryBus({ historyMax: 1000, dedupeWindow: 2000 });
let cdc: Cdc;
// stands in for the search indexer: any ChangeSink after the bus sink gets every batch
const extraBatches: ChangeBatch[] = [];
const extraSink: ChangeSink = {
  name: 'search',
  async handle(batch) {
    extraBatches.push(batch);
  },
};
const ids = { merchant: '', branch: '', station: '', location: '' };

beforeAll(async () => {
  const config = parseConfig(cdcConfigSchema, {
    DATABASE_URL: db.url,
    CDC_SLOT: 'cdc_events',
    BUS_DRIVER: 'memory',
    CDC_SLOT_CHECK_MS: '100000',
  });
  cdc = createCdc({ config, logger: pino({ level: 'silent' }), bus, sql: db.sql, sinks: [extraSink] });
  await cdc.start();

  const [m] = await db.sql<
    { id: string }[]
  >`insert into merchants (slug, name) values ('bistro', 'Bistro') returning id`;
  ids.merchant = m!.id;
  const [b] = await db.sql<
    { id: string }[]
  >`insert into branches (merchant_id, name) values (${ids.merchant}, 'Downtown') returning id`;
  ids.branch = b!.id;
  const [s] = await db.sql<{ id: string }[]>`
    insert into stations (merchant_id, branch_id, code, name) values (${ids.merchant}, ${ids.branch}, 'grill', 'Grill') returning id`;
  ids.station = s!.id;
  const [l] = await db.sql<{ id: string }[]>`
    insert into locations (merchant_id, branch_id, name, kind) values (${ids.merchant}, ${ids.branch}, 'Downtown Kitchen', 'kitchen') returning id`;
  ids.location = l!.id;
});

afterAll(async () => {
  await cdc?.stop();
  await db.drop();
});

async function topicEntries(topic: string): Promise<BusEntry[]> {
  const result = await bus.history(topic, { epoch: (await bus.head(topic)).epoch, seq: 0 }, 1000);
  if (!result.recovered) throw new Error(`history of ${topic} lost: ${result.reason}`);
  return result.entries;
}

async function waitForEvents(topic: string, count: number): Promise<DomainEvent[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const entries = await topicEntries(topic);
    if (entries.length >= count) return entries.map((e) => e.event);
    if (Date.now() > deadline) throw new Error(`expected ${count} events on ${topic}, got ${entries.length}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('every domain event type from real commits', () => {
  let productId: string;
  let variantId: string;
  let levelId: string;

  it('product.changed: a product with its variant in one transaction, then a price change alone', async () => {
    await db.sql.begin(async (tx) => {
      const [p] = await tx<{ id: string }[]>`
        insert into products (merchant_id, name, status, station_code, tags)
        values (${ids.merchant}, 'Oat milk', 'published', null, ${['dairy-free']}) returning id`;
      productId = p!.id;
      const [v] = await tx<{ id: string }[]>`
        insert into product_variants (merchant_id, product_id, sku, name, price_amount, currency)
        values (${ids.merchant}, ${productId}, 'OAT-1L', '1 l', 349, 'USD') returning id`;
      variantId = v!.id;
    });
    await db.sql`update product_variants set price_amount = 399 where id = ${variantId}`;
    const events = await waitForEvents(`m:${ids.merchant}:catalog`, 2);
    expect(events.map((e) => e.type)).toEqual(['product.changed', 'product.changed']);
    const [created, repriced] = events.map((e) => e.entity as unknown as ProductEventEntity);
    expect(created!.product).toMatchObject({
      id: productId,
      name: 'Oat milk',
      status: 'published',
      tags: ['dairy-free'],
    });
    expect(created!.variants).toEqual([
      { id: variantId, productId, sku: 'OAT-1L', name: '1 l', priceAmount: 349, currency: 'USD', active: true },
    ]);
    expect(repriced).toMatchObject({ productId, product: null, variants: [{ priceAmount: 399 }] });
  });

  it('stock.changed and stock.low / stock.out / stock.restocked from crossings, with names', async () => {
    const [level] = await db.sql<{ id: string }[]>`
      insert into inventory_levels (merchant_id, variant_id, location_id, on_hand, reserved, low_stock_threshold)
      values (${ids.merchant}, ${variantId}, ${ids.location}, 20, 0, 5) returning id`;
    levelId = level!.id;
    // a reservation the way the api takes it: one conditional update
    await db.sql`update inventory_levels set reserved = reserved + 16 where id = ${levelId} and on_hand - reserved >= 16`;
    await db.sql`update inventory_levels set reserved = reserved + 4 where id = ${levelId} and on_hand - reserved >= 4`;
    await db.sql`update inventory_levels set on_hand = on_hand + 30 where id = ${levelId}`;
    await db.sql`update inventory_levels set updated_at = now() where id = ${levelId}`; // no stock change: no event

    const changes = await waitForEvents(`m:${ids.merchant}:stock`, 4);
    expect(changes.map((e) => (e.entity as unknown as StockEventEntity).available)).toEqual([20, 4, 0, 30]);
    expect(changes[1]!.entity).toMatchObject({
      levelId,
      sku: 'OAT-1L',
      productName: 'Oat milk',
      locationName: 'Downtown Kitchen',
      onHand: 20,
      reserved: 16,
      previous: { available: 20 },
    });
    const alerts = await waitForEvents(`m:${ids.merchant}:stock-alerts`, 3);
    expect(alerts.map((e) => e.type)).toEqual(['stock.low', 'stock.out', 'stock.restocked']);
    expect(alerts.map((e) => (e.entity as unknown as StockAlertEntity).alert)).toEqual(['low', 'out', 'restocked']);
    // an alert carries the position of the stock change that caused it
    expect(alerts[1]!.position).toBe(changes[2]!.position);
    await new Promise((r) => setTimeout(r, 200));
    expect(await topicEntries(`m:${ids.merchant}:stock`)).toHaveLength(4);
  });

  it('order.created with its lines, kitchen.ticket.created with its items, then updates of both', async () => {
    let orderId = '';
    let ticketId = '';
    const itemIds: string[] = [];
    await db.sql.begin(async (tx) => {
      const [o] = await tx<{ id: string }[]>`
        insert into orders (merchant_id, branch_id, location_id, channel, currency, subtotal_amount, total_amount, line_count, table_label)
        values (${ids.merchant}, ${ids.branch}, ${ids.location}, 'pos', 'USD', 1197, 1197, 2, 'T4') returning id`;
      orderId = o!.id;
      const lines = await tx<{ id: string }[]>`
        insert into order_lines (merchant_id, order_id, line_no, variant_id, product_id, product_name, variant_name, sku,
                                 unit_price_amount, currency, quantity, line_total_amount, station_code, modifiers)
        values (${ids.merchant}, ${orderId}, 1, ${variantId}, ${productId}, 'Oat milk', '1 l', 'OAT-1L', 399, 'USD', 2, 798, 'grill', '[{"name":"warm"}]'),
               (${ids.merchant}, ${orderId}, 2, ${variantId}, ${productId}, 'Oat milk', '1 l', 'OAT-1L', 399, 'USD', 1, 399, 'grill', '[]')
        returning id`;
      const [t] = await tx<{ id: string }[]>`
        insert into kitchen_tickets (merchant_id, branch_id, station_id, order_id, channel, table_label)
        values (${ids.merchant}, ${ids.branch}, ${ids.station}, ${orderId}, 'pos', 'T4') returning id`;
      ticketId = t!.id;
      for (const [i, line] of lines.entries()) {
        const [item] = await tx<{ id: string }[]>`
          insert into kitchen_ticket_items (merchant_id, ticket_id, branch_id, station_id, order_id, order_line_id, name, quantity)
          values (${ids.merchant}, ${ticketId}, ${ids.branch}, ${ids.station}, ${orderId}, ${line.id}, 'Oat milk', ${2 - i}) returning id`;
        itemIds.push(item!.id);
      }
    });
    await db.sql`update kitchen_ticket_items set status = 'preparing', preparing_at = now() where id = ${itemIds[0]!}`;
    await db.sql.begin(async (tx) => {
      await tx`update kitchen_ticket_items set status = 'ready', ready_at = now() where ticket_id = ${ticketId}`;
      await tx`update kitchen_tickets set status = 'bumped', bumped_at = now() where id = ${ticketId}`;
    });
    await db.sql`update kitchen_tickets set status = 'open', recalled_at = now() where id = ${ticketId}`;
    await db.sql`update orders set status = 'paid', paid_at = now() where id = ${orderId}`;

    const orders = await waitForEvents(`m:${ids.merchant}:b:${ids.branch}:orders`, 2);
    expect(orders.map((e) => e.type)).toEqual(['order.created', 'order.updated']);
    const created = orders[0]!.entity as unknown as OrderEventEntity;
    expect(created).toMatchObject({
      id: orderId,
      status: 'created',
      totalAmount: 1197,
      lineCount: 2,
      tableLabel: 'T4',
    });
    expect(created.lines.map((l) => [l.lineNo, l.quantity, l.lineTotalAmount, l.modifiers])).toEqual([
      [1, 2, 798, [{ name: 'warm' }]],
      [2, 1, 399, []],
    ]);
    expect(orders[1]!.entity).toMatchObject({ status: 'paid', previousStatus: 'created', lines: [] });
    expect((orders[1]!.entity as unknown as OrderEventEntity).paidAt).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/,
    );

    const kitchen = await waitForEvents(`m:${ids.merchant}:b:${ids.branch}:kitchen:${ids.station}`, 4);
    expect(kitchen.map((e) => [e.type, (e.entity as unknown as KitchenTicketEventEntity).action])).toEqual([
      ['kitchen.ticket.created', 'created'],
      ['kitchen.ticket.updated', 'items'],
      ['kitchen.ticket.updated', 'bumped'],
      ['kitchen.ticket.updated', 'recalled'],
    ]);
    const [ticketCreated, preparing, bumped] = kitchen.map((e) => e.entity as unknown as KitchenTicketEventEntity);
    expect(ticketCreated!.items.map((i) => [i.id, i.quantity, i.status])).toEqual([
      [itemIds[0], 2, 'queued'],
      [itemIds[1], 1, 'queued'],
    ]);
    expect(preparing!.items.map((i) => [i.id, i.status, i.previousStatus])).toEqual([
      [itemIds[0], 'preparing', 'queued'],
    ]);
    expect(bumped!.ticket?.status).toBe('bumped');
    expect(bumped!.items.map((i) => i.status)).toEqual(['ready', 'ready']);
    for (const e of [...orders, ...kitchen]) {
      expect(e.merchantId).toBe(ids.merchant);
      expect(e.id).toContain(e.position);
      expect(e.occurredAt).toBeGreaterThan(Date.now() - 60_000);
    }
  });

  it('hands every change batch to the extra sinks too, whole transactions in commit order', async () => {
    const events = extraBatches.flatMap((b) => b.events);
    expect(events.filter((e) => e.table === 'public.merchants')).toHaveLength(1);
    expect(events.filter((e) => e.table === 'public.kitchen_ticket_items' && e.op === 'c')).toHaveLength(2);
    const positions = events.map((e) => e.position);
    expect([...positions].sort()).toEqual(positions);
    for (const batch of extraBatches) expect(batch.position).toBe(batch.events.at(-1)!.position);
  });

  it('exposes slot lag and retained WAL in /metrics', async () => {
    const status = await cdc.slotMonitor!.check();
    expect(status?.active).toBe(true);
    const text = await cdc.metrics.registry.metrics();
    expect(text).toMatch(/cdc_slot_lag_bytes \d+/);
    expect(text).toMatch(/cdc_slot_retained_wal_bytes [1-9]\d*/);
    expect(text).toMatch(/cdc_domain_events_total\{type="kitchen.ticket.created"\} 1/);
  });
});
