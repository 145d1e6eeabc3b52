import { describe, expect, it } from 'vitest';
import { ackRecord, emptyStockFeed, reduceStock, type StockAction, unacknowledged } from './stock-alerts.ts';

/** stock.low / stock.out / stock.restocked entity as cdc sends it */
const alertEntity = (alert: string, over: Record<string, unknown> = {}) => {
  const onHand = (over.onHand as number | undefined) ?? 12;
  const reserved = (over.reserved as number | undefined) ?? 4;
  return {
    levelId: '77',
    variantId: '500',
    locationId: '9',
    onHand,
    reserved,
    available: onHand - reserved,
    lowStockThreshold: 10,
    sku: 'BIS-BURGER-REGULAR',
    productName: 'Burger',
    variantName: 'Regular',
    locationName: 'Downtown Kitchen',
    previous: { onHand: 20, reserved: 4, available: 16, lowStockThreshold: 10 },
    removed: false,
    updatedAt: '2026-01-01T12:00:00.000001Z',
    alert,
    ...over,
  };
};

/** an inventory level as the api lists it */
const level = (over: Record<string, unknown> = {}) => ({
  variant_id: '500',
  location_id: '9',
  sku: 'BIS-BURGER-REGULAR',
  on_hand: 12,
  reserved: 4,
  available: 8,
  low_stock_threshold: 10,
  updated_at: '2026-01-01T12:00:00.000Z',
  ...over,
});

const ev = (eventType: string, eventId: string, entity: unknown, at: number): StockAction => ({
  type: 'event',
  eventType,
  eventId,
  entity,
  occurredAt: at,
  now: at,
});

describe('stock alerts feed', () => {
  it('adds low / out / restocked alerts newest first with computed availability', () => {
    let feed = reduceStock(emptyStockFeed(), ev('stock.low', 'e1', alertEntity('low'), 1000));
    feed = reduceStock(feed, ev('stock.out', 'e2', alertEntity('out', { onHand: 4, available: undefined }), 2000));
    feed = reduceStock(feed, ev('stock.changed', 'e3', alertEntity('low'), 3000));
    expect(feed.alerts.map((a) => [a.id, a.kind, a.available, a.threshold, a.superseded])).toEqual([
      ['e2', 'out', 0, 10, false],
      ['e1', 'low', 8, 10, true],
    ]);
    expect(feed.alerts[0]).toMatchObject({ sku: 'BIS-BURGER-REGULAR', locationName: 'Downtown Kitchen', onHand: 4 });
    expect(unacknowledged(feed).map((a) => a.id)).toEqual(['e2']);
  });

  it('ignores a replayed event', () => {
    const feed = reduceStock(emptyStockFeed(), ev('stock.low', 'e1', alertEntity('low'), 1000));
    expect(reduceStock(feed, ev('stock.low', 'e1', alertEntity('low'), 1000))).toBe(feed);
  });

  it('acknowledges one or all, and restores remembered acknowledgements', () => {
    let feed = reduceStock(emptyStockFeed(), ev('stock.low', 'e1', alertEntity('low'), 1000));
    feed = reduceStock(feed, ev('stock.low', 'e2', alertEntity('low', { variantId: '501' }), 2000));
    expect(unacknowledged(reduceStock(feed, { type: 'ack', id: 'e1' })).map((a) => a.id)).toEqual(['e2']);
    expect(unacknowledged(reduceStock(feed, { type: 'ack-all' }))).toEqual([]);
    expect(
      unacknowledged(reduceStock(feed, { type: 'restore-acks', acks: [ackRecord(feed.alerts[0]!)] })).map((a) => a.id),
    ).toEqual(['e1']);
  });

  it('lists current low and out levels from the api, without repeating what the feed already says', () => {
    let feed = reduceStock(emptyStockFeed(), ev('stock.low', 'e1', alertEntity('low'), 1000));
    feed = reduceStock(feed, {
      type: 'levels',
      now: 5000,
      levels: [
        level(),
        level({ variant_id: '600', on_hand: 3, reserved: 3, available: undefined }),
        level({ variant_id: '700', on_hand: 50, available: 46 }),
      ],
    });
    expect(feed.alerts.map((a) => [a.variantId, a.kind, a.fromSnapshot])).toEqual([
      ['600', 'out', true],
      ['500', 'low', false],
    ]);
  });

  it('after a reload, a listed level counts as seen if it was acknowledged and has not changed since', () => {
    const live = reduceStock(emptyStockFeed(), ev('stock.out', 'e9', alertEntity('out', { onHand: 4 }), 5000));
    const ack = ackRecord(live.alerts[0]!);
    const listed = (updated: string) =>
      reduceStock(emptyStockFeed(), {
        type: 'levels',
        now: 9000,
        levels: [level({ on_hand: 4, reserved: 4, available: 0, updated_at: updated })],
      });
    const same = reduceStock(listed(new Date(4000).toISOString()), { type: 'restore-acks', acks: [ack] });
    expect(unacknowledged(same)).toEqual([]);
    const changed = reduceStock(listed(new Date(7000).toISOString()), { type: 'restore-acks', acks: [ack] });
    expect(unacknowledged(changed)).toHaveLength(1);
  });
});
