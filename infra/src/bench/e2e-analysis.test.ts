import { describe, expect, it } from 'vitest';
import { analyze, apiTail, gcTail, SATURATED_SHARE, saturationWarning } from './e2e-analysis.ts';
import type { Delivery } from './e2e-protocol.ts';
import { type OrderRecord, parseServerTiming } from './e2e-protocol.ts';

const order = (id: string, sentAt: number, stationIds: string[], measured = true): OrderRecord => ({
  id,
  branchId: 'B1',
  stationIds,
  sentAt,
  ackAt: sentAt + 4,
  measured,
  server: null,
});
const subscribers = {
  orders: new Map([['B1', ['pos1', 'pos2']]]),
  kitchen: new Map([
    ['S1', ['kds1']],
    ['S2', ['kds2', 'kds3', 'kds4']],
  ]),
};

describe('end-to-end join', () => {
  it('measures every delivery of measured orders from send, ack and commit', () => {
    const result = analyze(
      [order('1', 1000, ['S1']), order('2', 2000, [], false)],
      [
        { key: 'o:1', at: [1010, 1012], terminals: ['pos1', 'pos2'], committedAt: 1003 },
        { key: 'k:1:S1', at: [1011], terminals: ['kds1'], committedAt: 1003 },
        { key: 'o:2', at: [2100, 2100], terminals: ['pos2', 'pos1'], committedAt: 2001 },
      ],
      subscribers,
    );
    expect(result).toMatchObject({
      orders: 2,
      measuredOrders: 1,
      expectedDeliveries: 5,
      deliveries: 5,
      lost: 0,
      duplicates: 0,
    });
    // warm-up order 2 is checked for loss but not timed
    expect(result.fromSend).toMatchObject({ count: 3, p50: 11, max: 12 });
    expect(result.fromAck).toMatchObject({ count: 3, p50: 7 });
    expect(result.sendToAck).toMatchObject({ count: 1, p50: 4, max: 4 });
    expect(result.fromCommit).toMatchObject({ count: 3, max: 9 });
  });

  it('splits the path at the bus: commit → bus once per event, bus → decrypted per delivery', () => {
    const result = analyze(
      [order('1', 1000, ['S1'])],
      [
        { key: 'o:1', at: [1010, 1012], terminals: ['pos1', 'pos2'], committedAt: 1003 },
        { key: 'k:1:S1', at: [1011], terminals: ['kds1'], committedAt: 1003 },
      ],
      subscribers,
      new Map([
        ['o:1', 1005],
        ['k:1:S1', 1007],
      ]),
    );
    expect(result.commitToBus).toMatchObject({ count: 2, p50: 2, max: 4 });
    expect(result.busToDecrypted).toMatchObject({ count: 3, p50: 5, max: 7 });
  });

  it('counts an order lost when any subscribed terminal missed one of its events', () => {
    const result = analyze(
      [order('1', 0, ['S2']), order('2', 0, ['S1']), order('3', 0, [])],
      [
        { key: 'o:1', at: [1, 1], terminals: ['pos1', 'pos2'], committedAt: null },
        { key: 'k:1:S2', at: [1, 1], terminals: ['kds2', 'kds4'], committedAt: null }, // 2 of 3 kitchen screens
        { key: 'o:2', at: [1, 1, 1], terminals: ['pos1', 'pos2', 'pos2'], committedAt: null }, // a duplicate
        { key: 'k:2:S1', at: [1], terminals: ['kds1'], committedAt: null },
      ],
      subscribers,
    );
    expect(result.lost).toBe(2);
    expect(result.missingDeliveries).toBe(3);
    expect(result.duplicates).toBe(1);
    expect(result.lostExamples).toEqual(['k:1:S2 reached 2/3 terminals', 'o:3 reached 0/2 terminals']);
    expect(result.fromCommit.count).toBe(0);
  });

  it('counts per terminal: a duplicate on one terminal does not make up for a miss on another', () => {
    const result = analyze(
      [order('1', 0, ['S2']), order('2', 0, [])],
      [
        // pos1 got order 1 twice, pos2 never: as many arrivals as subscribers, yet one terminal missed it
        { key: 'o:1', at: [1, 2], terminals: ['pos1', 'pos1'], committedAt: null },
        { key: 'k:1:S2', at: [1, 1, 1], terminals: ['kds2', 'kds3', 'kds4'], committedAt: null },
        // a kitchen screen that does not follow the orders topic got order 2: not a delivery that counts
        { key: 'o:2', at: [1, 1, 1], terminals: ['pos1', 'kds1', 'pos2'], committedAt: null },
      ],
      subscribers,
    );
    expect(result).toMatchObject({
      lost: 1,
      expectedDeliveries: 7,
      deliveries: 6,
      missingDeliveries: 1,
      duplicates: 1,
      unexpected: 1,
    });
    expect(result.lostExamples).toEqual(['o:1 reached 1/2 terminals']);
  });
});

describe('the api tail', () => {
  it('reads the Server-Timing the api sends, and nothing from a header without it', () => {
    expect(parseServerTiming('wait;dur=0.50, db;dur=2.31;desc="batch of 3", app;dur=3.10')).toEqual({
      waitMs: 0.5,
      dbMs: 2.31,
      batch: 3,
      appMs: 3.1,
    });
    expect(parseServerTiming('wait;dur=0.50, db;dur=2.31;desc="batch of 3", app;dur=3.10, total;dur=3.40')).toEqual({
      waitMs: 0.5,
      dbMs: 2.31,
      batch: 3,
      appMs: 3.1,
      totalMs: 3.4,
    });
    expect(parseServerTiming(undefined)).toBeNull();
    expect(parseServerTiming('cache;dur=1')).toBeNull();
  });

  it('takes apart the slowest 1% of answers by where their time went', () => {
    // 200 orders: 198 fast ones alone, two slow ones, one slow in the database, one outside the handler
    const orders: OrderRecord[] = Array.from({ length: 200 }, (_, i) => ({
      ...order(`o${i}`, i * 10, []),
      ackAt: i * 10 + 3,
      server: { waitMs: 0, dbMs: 2, batch: 1, appMs: 2.5 },
    }));
    orders[50] = { ...orders[50]!, ackAt: 500 + 40, server: { waitMs: 10, dbMs: 25, batch: 4, appMs: 36 } };
    orders[90] = { ...orders[90]!, ackAt: 900 + 30, server: { waitMs: 0, dbMs: 2, batch: 1, appMs: 3 } };
    orders[91] = { ...orders[91]!, measured: false, ackAt: 910 + 99 }; // warm-up: not counted
    const tail = apiTail(orders)!;
    expect(tail.orders).toBe(2);
    expect(tail.fromMs).toBe(30);
    expect(tail.totalMs).toBe(35);
    expect(tail.waitMs).toBe(5);
    expect(tail.dbMs).toBe(13.5);
    expect(tail.handlerMs).toBe(1);
    expect(tail.outsideMs).toBe((4 + 27) / 2);
    expect(tail.batchedShare).toBe(0.5);
    expect(tail.middlewareMs).toBeNull(); // no `total` in these
    const withTotal = orders.map((o) =>
      o.server ? { ...o, server: { ...o.server, totalMs: o.server.appMs + 1 } } : o,
    );
    expect(apiTail(withTotal)!.middlewareMs).toBe(1);
    expect(apiTail(orders.map((o) => ({ ...o, server: null })))).toBeNull();
  });
});

describe('the tail against GC pauses', () => {
  // 100 orders sent 10 ms apart, each decrypted 5 ms later; o30 and its kitchen ticket arrive 60 and
  // 50 ms after it was sent, the slowest two (the 1% tail of 101 deliveries is its 2 slowest)
  const orders = Array.from({ length: 100 }, (_, i) => order(`o${i}`, i * 10, []));
  const deliveries: Delivery[] = orders.map((o) => ({
    key: `o:${o.id}`,
    at: [o.sentAt + 5],
    terminals: ['pos1'],
    committedAt: null,
  }));
  deliveries[30] = { ...deliveries[30]!, at: [300 + 60] };
  deliveries.push({ key: 'k:o30:S1', at: [300 + 50], terminals: ['kds1'], committedAt: null });

  it('counts the slowest 1% of deliveries whose path a long pause of the server or the terminals overlapped', () => {
    const tail = gcTail(orders, deliveries, {
      // inside o30's path (300..360) but not its ticket's (300..350); and one on a fast delivery only
      server: [
        { at: 352, ms: 6 },
        { at: 500, ms: 20 },
      ],
      // inside both
      terminals: [{ at: 310, ms: 8 }],
    })!;
    expect(tail).toEqual({ deliveries: 2, fromMs: 50, server: 1, terminals: 2, either: 2 });
  });

  it('does not count a pause that ends when the path starts, or one after it; skips warm-up orders', () => {
    const tail = gcTail(orders, deliveries, { server: [{ at: 290, ms: 10 }], terminals: [{ at: 361, ms: 30 }] })!;
    expect(tail).toMatchObject({ deliveries: 2, server: 0, terminals: 0, either: 0 });
    // o30 in warm-up: its two deliveries are not counted, and the tail of the 99 left is one ordinary one
    const warm = orders.map((o) => (o.id === 'o30' ? { ...o, measured: false } : o));
    expect(gcTail(warm, deliveries, { server: [], terminals: [] })).toMatchObject({ deliveries: 1, fromMs: 5 });
    expect(gcTail(orders, [], { server: [], terminals: [] })).toBeNull();
  });
});

describe('saturation warning', () => {
  it('warns from SATURATED_SHARE of the cores busy, with the share, and not below it', () => {
    expect(saturationWarning(1.93, 2)).toMatch(/^ {2}saturated: 97% of the 2 cores were busy/);
    expect(saturationWarning(SATURATED_SHARE * 4, 4)).toMatch(/85% of the 4 cores/);
    expect(saturationWarning(1.6, 2)).toBeNull();
    expect(saturationWarning(Number.NaN, 2)).toBeNull();
  });
});
