import type { ChangeEvent, ChangeOp, Row } from '@commerce/common';
import { describe, expect, it } from 'vitest';
import type { KitchenTicketEventEntity, OrderEventEntity, ProductEventEntity, StockAlertEntity } from './entities.ts';
import { routeChanges } from './route.ts';

let seq = 0;
function change(
  table: string,
  op: ChangeOp,
  before: Row | null,
  after: Row | null,
  txId: string | null = 'tx1',
): ChangeEvent {
  seq++;
  return {
    source: 'pg',
    table: `public.${table}`,
    op,
    key: { id: String((after ?? before)?.id ?? '') },
    before,
    after,
    unchanged: [],
    txId,
    commitTs: 1_700_000_000_000,
    position: `00000000000000AA/${seq.toString(16).toUpperCase().padStart(8, '0')}`,
  };
}

const order = (over: Row = {}): Row => ({
  id: '42',
  merchant_id: '1',
  branch_id: '2',
  location_id: '3',
  channel: 'pos',
  status: 'created',
  table_label: 'T4',
  customer_note: null,
  currency: 'USD',
  subtotal_amount: '1250',
  total_amount: '1250',
  line_count: 2,
  created_by: null,
  created_at: '2026-11-22T10:00:00.000000Z',
  updated_at: '2026-11-22T10:00:00.000000Z',
  paid_at: null,
  fulfilled_at: null,
  completed_at: null,
  cancelled_at: null,
  ...over,
});
const line = (id: string, lineNo: number, orderId = '42'): Row => ({
  id,
  merchant_id: '1',
  order_id: orderId,
  line_no: lineNo,
  variant_id: '7',
  product_id: '6',
  product_name: 'Burger',
  variant_name: 'Large',
  sku: 'BRG-L',
  unit_price_amount: '625',
  currency: 'USD',
  quantity: 1,
  line_total_amount: '625',
  station_code: 'grill',
  note: null,
  modifiers: [{ name: 'no onion' }],
});
const ticket = (over: Row = {}): Row => ({
  id: '70',
  merchant_id: '1',
  branch_id: '2',
  station_id: '5',
  order_id: '42',
  status: 'open',
  channel: 'pos',
  table_label: 'T4',
  created_at: '2026-11-22T10:00:00.000000Z',
  updated_at: '2026-11-22T10:00:00.000000Z',
  bumped_at: null,
  recalled_at: null,
  ...over,
});
const item = (id: string, over: Row = {}): Row => ({
  id,
  merchant_id: '1',
  ticket_id: '70',
  branch_id: '2',
  station_id: '5',
  order_id: '42',
  order_line_id: '100',
  name: 'Burger',
  quantity: 1,
  note: null,
  modifiers: [],
  status: 'queued',
  queued_at: '2026-11-22T10:00:00.000000Z',
  preparing_at: null,
  ready_at: null,
  served_at: null,
  updated_at: '2026-11-22T10:00:00.000000Z',
  ...over,
});
const level = (onHand: number, reserved: number, threshold = 5): Row => ({
  id: '900',
  merchant_id: '1',
  variant_id: '7',
  location_id: '3',
  on_hand: onHand,
  reserved,
  low_stock_threshold: threshold,
  created_at: '2026-11-22T10:00:00.000000Z',
  updated_at: '2026-11-22T10:00:00.000000Z',
});

describe('orders', () => {
  it('folds the lines of the same transaction into order.created, in line order', () => {
    const changes = [
      change('orders', 'c', null, order()),
      change('order_lines', 'c', null, line('101', 2)),
      change('order_lines', 'c', null, line('100', 1)),
    ];
    const { events, skipped } = routeChanges(changes);
    expect(skipped).toEqual({});
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event).toMatchObject({
      v: 1,
      type: 'order.created',
      merchantId: '1',
      topic: 'm:1:b:2:orders',
      position: changes[0]!.position,
      occurredAt: 1_700_000_000_000,
      id: `order.created:42@${changes[0]!.position}`,
    });
    const entity = event!.entity as unknown as OrderEventEntity;
    expect(entity).toMatchObject({
      id: '42',
      subtotalAmount: 1250,
      totalAmount: 1250,
      previousStatus: null,
      removed: false,
    });
    expect(entity.lines.map((l) => [l.id, l.lineNo, l.unitPriceAmount, l.sku])).toEqual([
      ['100', 1, 625, 'BRG-L'],
      ['101', 2, 625, 'BRG-L'],
    ]);
  });

  it('emits order.updated with the previous status, and does not attach lines of another order', () => {
    const { events, skipped } = routeChanges([
      change('orders', 'u', order(), order({ status: 'paid', paid_at: '2026-11-22T10:05:00.000000Z' })),
      change('order_lines', 'u', null, line('200', 1, '43')),
    ]);
    expect(events.map((e) => e.type)).toEqual(['order.updated']);
    expect(events[0]!.entity).toMatchObject({
      status: 'paid',
      previousStatus: 'created',
      lines: [],
      paidAt: '2026-11-22T10:05:00.000000Z',
    });
    expect(skipped).toEqual({ order_lines_without_order: 1 });
  });

  it('keeps unchanged columns from the before image when a source left them out', () => {
    const after = order({ status: 'paid' });
    delete after.customer_note;
    const c = change('orders', 'u', order({ customer_note: 'long note' }), after);
    c.unchanged = ['customer_note'];
    expect(routeChanges([c]).events[0]!.entity).toMatchObject({ customerNote: 'long note', status: 'paid' });
  });
});

describe('kitchen tickets', () => {
  it('creates a ticket with its items on the station topic', () => {
    const { events } = routeChanges([
      change('kitchen_tickets', 'c', null, ticket()),
      change('kitchen_ticket_items', 'c', null, item('501')),
      change('kitchen_ticket_items', 'c', null, item('500')),
    ]);
    expect(events.map((e) => [e.type, e.topic])).toEqual([['kitchen.ticket.created', 'm:1:b:2:kitchen:5']]);
    const entity = events[0]!.entity as unknown as KitchenTicketEventEntity;
    expect(entity.action).toBe('created');
    expect(entity.ticket?.status).toBe('open');
    expect(entity.items.map((i) => i.id)).toEqual(['500', '501']);
  });

  it('names bumps and recalls', () => {
    const bump = routeChanges([change('kitchen_tickets', 'u', ticket(), ticket({ status: 'bumped' }))]).events[0]!;
    expect(bump.type).toBe('kitchen.ticket.updated');
    expect(bump.entity).toMatchObject({ action: 'bumped', previousStatus: 'open', items: [] });
    const recall = routeChanges([
      change('kitchen_tickets', 'u', ticket({ status: 'bumped' }), ticket({ recalled_at: 'x' })),
    ]).events[0]!;
    expect(recall.entity).toMatchObject({ action: 'recalled', previousStatus: 'bumped' });
  });

  it('names a cancel (from open or bumped) apart from a bump, with the items it closed', () => {
    const at = '2026-11-22T10:05:00.000000Z';
    const { events } = routeChanges([
      change('kitchen_tickets', 'u', ticket(), ticket({ status: 'cancelled', cancelled_at: at, updated_at: at })),
      change(
        'kitchen_ticket_items',
        'u',
        item('500', { status: 'preparing' }),
        item('500', { status: 'cancelled', cancelled_at: at, updated_at: at }),
      ),
      change(
        'kitchen_tickets',
        'u',
        ticket({ id: '71', station_id: '6', status: 'bumped' }),
        ticket({ id: '71', station_id: '6', status: 'cancelled', cancelled_at: at }),
      ),
    ]);
    expect(events.map((e) => [e.type, e.topic])).toEqual([
      ['kitchen.ticket.updated', 'm:1:b:2:kitchen:5'],
      ['kitchen.ticket.updated', 'm:1:b:2:kitchen:6'],
    ]);
    const [open, bumped] = events.map((e) => e.entity as unknown as KitchenTicketEventEntity);
    expect(open).toMatchObject({ action: 'cancelled', previousStatus: 'open' });
    expect(open!.ticket).toMatchObject({ status: 'cancelled', cancelledAt: at });
    expect(open!.items.map((i) => [i.id, i.status, i.previousStatus, i.cancelledAt])).toEqual([
      ['500', 'cancelled', 'preparing', at],
    ]);
    expect(bumped).toMatchObject({ action: 'cancelled', previousStatus: 'bumped', items: [] });
  });

  it('routes item status changes without their ticket, one event per ticket and transaction', () => {
    const changes = [
      change('kitchen_ticket_items', 'u', item('500'), item('500', { status: 'preparing' })),
      change('kitchen_ticket_items', 'u', item('501'), item('501', { status: 'preparing' })),
      change(
        'kitchen_ticket_items',
        'u',
        item('600', { ticket_id: '71', station_id: '6' }),
        item('600', { ticket_id: '71', station_id: '6', status: 'ready' }),
      ),
    ];
    const { events } = routeChanges(changes);
    expect(events.map((e) => [e.type, e.topic, e.position])).toEqual([
      ['kitchen.ticket.updated', 'm:1:b:2:kitchen:5', changes[0]!.position],
      ['kitchen.ticket.updated', 'm:1:b:2:kitchen:6', changes[2]!.position],
    ]);
    const first = events[0]!.entity as unknown as KitchenTicketEventEntity;
    expect(first).toMatchObject({ ticketId: '70', action: 'items', ticket: null });
    expect(first.items.map((i) => [i.id, i.status, i.previousStatus])).toEqual([
      ['500', 'preparing', 'queued'],
      ['501', 'preparing', 'queued'],
    ]);
  });

  it('splits a batch into transactions by txId: the same ticket in two transactions makes two events', () => {
    const { events } = routeChanges([
      change('kitchen_ticket_items', 'u', item('500'), item('500', { status: 'preparing' }), 'a'),
      change('kitchen_ticket_items', 'u', item('500', { status: 'preparing' }), item('500', { status: 'ready' }), 'b'),
    ]);
    expect(events.map((e) => (e.entity as unknown as KitchenTicketEventEntity).items[0]!.status)).toEqual([
      'preparing',
      'ready',
    ]);
    expect(new Set(events.map((e) => e.id)).size).toBe(2);
  });
});

describe('stock', () => {
  const enrichment = {
    variant: (id: string) => (id === '7' ? { sku: 'OAT-1L', productName: 'Oat milk', variantName: '1 l' } : undefined),
    location: (id: string) => (id === '3' ? 'Downtown Kitchen' : undefined),
  };

  it('emits stock.changed with available computed, and stock.out on the crossing, enriched', () => {
    const { events } = routeChanges([change('inventory_levels', 'u', level(10, 2), level(10, 10))], enrichment);
    expect(events.map((e) => [e.type, e.topic])).toEqual([
      ['stock.changed', 'm:1:stock'],
      ['stock.out', 'm:1:stock-alerts'],
    ]);
    const alert = events[1]!.entity as unknown as StockAlertEntity;
    expect(alert).toMatchObject({
      alert: 'out',
      levelId: '900',
      available: 0,
      onHand: 10,
      reserved: 10,
      sku: 'OAT-1L',
      productName: 'Oat milk',
      locationName: 'Downtown Kitchen',
      previous: { onHand: 10, reserved: 2, available: 8, lowStockThreshold: 5 },
    });
    expect(events[0]!.id).not.toBe(events[1]!.id);
  });

  it('emits low and restocked, and carries null names when enrichment does not know them', () => {
    const low = routeChanges([change('inventory_levels', 'u', level(10, 0), level(4, 0))]).events;
    expect(low.map((e) => e.type)).toEqual(['stock.changed', 'stock.low']);
    expect(low[1]!.entity).toMatchObject({ sku: null, locationName: null });
    const restocked = routeChanges([change('inventory_levels', 'u', level(0, 0), level(50, 0))]).events;
    expect(restocked.map((e) => e.type)).toEqual(['stock.changed', 'stock.restocked']);
  });

  it('stays quiet when nothing about the stock changed, and fires no alert on insert', () => {
    expect(
      routeChanges([change('inventory_levels', 'u', level(5, 0), { ...level(5, 0), updated_at: 'later' })]).events,
    ).toEqual([]);
    const inserted = routeChanges([change('inventory_levels', 'c', null, level(0, 0))]).events;
    expect(inserted.map((e) => e.type)).toEqual(['stock.changed']);
    expect(inserted[0]!.entity).toMatchObject({ previous: null, available: 0 });
  });
});

describe('catalog', () => {
  it('folds variants into product.changed, and routes variant-only changes by product', () => {
    const product = {
      id: '6',
      merchant_id: '1',
      name: 'Burger',
      description: 'x',
      brand: null,
      category: 'mains',
      tags: ['beef'],
      status: 'published',
      station_code: 'grill',
      published_at: null,
      archived_at: null,
      updated_at: null,
    };
    const variant = (id: string, price: string) => ({
      id,
      merchant_id: '1',
      product_id: '6',
      sku: `B-${id}`,
      name: id,
      price_amount: price,
      currency: 'USD',
      active: true,
    });
    const both = routeChanges([
      change('products', 'u', product, { ...product, name: 'Cheeseburger' }),
      change('product_variants', 'u', null, variant('7', '700')),
    ]).events;
    expect(both).toHaveLength(1);
    const entity = both[0]!.entity as unknown as ProductEventEntity;
    expect(both[0]!.topic).toBe('m:1:catalog');
    expect(entity.product?.name).toBe('Cheeseburger');
    expect(entity.variants.map((v) => [v.id, v.priceAmount])).toEqual([['7', 700]]);

    const variantsOnly = routeChanges([
      change('product_variants', 'u', null, variant('7', '800')),
      change('product_variants', 'd', variant('8', '1'), null),
    ]).events;
    expect(variantsOnly).toHaveLength(1);
    expect(variantsOnly[0]!.entity).toMatchObject({ productId: '6', product: null, removedVariantIds: ['8'] });
  });
});

describe('what the router leaves alone', () => {
  it('skips snapshot reads, truncates and tables that carry no domain events', () => {
    const { events, skipped } = routeChanges([
      change('orders', 'r', null, order()),
      change('orders', 't', null, null),
      change('payments', 'c', null, { id: '1', merchant_id: '1' }),
      change('stock_movements', 'c', null, { id: '1', merchant_id: '1' }),
    ]);
    expect(events).toEqual([]);
    expect(skipped).toEqual({ snapshot_read: 1, truncate: 1 });
  });

  it('derives the same ids from the same changes (replays dedupe)', () => {
    const changes = [change('orders', 'c', null, order()), change('inventory_levels', 'u', level(10, 0), level(0, 0))];
    expect(routeChanges(changes).events.map((e) => e.id)).toEqual(
      routeChanges(structuredClone(changes)).events.map((e) => e.id),
    );
  });
});
