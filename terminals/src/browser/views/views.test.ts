import { describe, expect, it } from 'vitest';
import { connectionView, initialConnection } from '../../state/connection-state.ts';
import { emptyKitchenBoard, openTickets, reduceKitchen } from '../../state/kitchen-board.ts';
import { ticketEvent } from '../../state/kitchen-fixtures.ts';
import { emptyOrderBoard, reduceOrders } from '../../state/order-board.ts';
import { emptyStockFeed, reduceStock } from '../../state/stock-alerts.ts';
import { DEFAULT_THRESHOLDS } from '../../state/ticket-timer.ts';
import { connectionBadge } from './connection-view.ts';
import { esc, html, raw } from './html.ts';
import { type KitchenViewContext, ticketCard } from './kitchen-view.ts';
import { orderCard } from './order-view.ts';
import { alertCard } from './stock-view.ts';

const T0 = Date.parse('2026-01-01T12:00:01.123Z');

function ctx(over: Partial<KitchenViewContext> = {}): KitchenViewContext {
  return {
    now: T0,
    thresholds: DEFAULT_THRESHOLDS,
    stationName: (id) => (id === '11' ? 'Grill' : id),
    showStation: false,
    mode: 'station',
    pending: new Set(),
    ...over,
  };
}

describe('html', () => {
  it('escapes every value unless marked raw', () => {
    expect(esc(`<img src=x onerror="a">'&`)).toBe('&lt;img src=x onerror=&quot;a&quot;&gt;&#39;&amp;');
    expect(html`<b>${'<i>'}</b>${raw('<br>')}${['<', 1]}${null}${false}`.toString()).toBe('<b>&lt;i&gt;</b><br>&lt;1');
  });
});

describe('kitchen card', () => {
  const board = reduceKitchen(emptyKitchenBoard(null), {
    type: 'event',
    eventType: 'kitchen.ticket.created',
    entity: ticketEvent('1', {
      ticket: { tableLabel: '12' },
      items: [
        { id: '100', name: 'Burger <b>', note: 'well done', modifiers: ['no onion', 'extra cheese'] },
        { id: '101', name: 'Fries', status: 'ready' },
      ],
    }),
  });
  const ticket = openTickets(board)[0]!;

  it('shows table, items with modifiers and notes, the next step of each item, escaped', () => {
    const out = ticketCard(ticket, ctx()).toString();
    expect(out).toContain('Table 12');
    expect(out).toContain('Burger &lt;b&gt;');
    expect(out).toContain('no onion · extra cheese');
    expect(out).toContain('well done');
    expect(out).toMatch(/data-item="100"\s+data-next="preparing"/);
    expect(out).toMatch(/data-item="101"\s+aria-disabled="true"/);
    expect(out).toContain('class="ticket u-ok"');
  });

  it('colours by the time since the order and shows pending actions', () => {
    const late = ticketCard(
      ticket,
      ctx({ now: T0 + 8 * 60_000, pending: new Set(['item:100', 'ticket:1']) }),
    ).toString();
    expect(late).toContain('u-late');
    expect(late).toContain('>8:00<');
    expect(late).toContain('class="item s-queued pending"');
    expect(late).toContain('class="bump pending"');
    expect(ticketCard(ticket, ctx({ now: T0 + 5 * 60_000 })).toString()).toContain('u-warn');
  });

  it('lets the expo serve a ready item', () => {
    expect(ticketCard(ticket, ctx({ mode: 'expo', showStation: true })).toString()).toMatch(
      /data-item="101"\s+data-next="served"/,
    );
  });
});

describe('order card and stock alert', () => {
  it('shows total, payment state and status of an order', () => {
    const board = reduceOrders(emptyOrderBoard(null), {
      type: 'event',
      eventType: 'order.created',
      entity: {
        id: '42',
        branchId: '2',
        status: 'created',
        channel: 'online',
        tableLabel: null,
        currency: 'USD',
        totalAmount: 2350,
        lineCount: 3,
        createdAt: new Date(T0).toISOString(),
        updatedAt: new Date(T0).toISOString(),
        paidAt: null,
      },
    });
    const out = orderCard(board.orders['42']!, T0 + 120_000).toString();
    expect(out).toContain('$23.50');
    expect(out).toContain('pay-unpaid');
    expect(out).toContain('Online');
    expect(out).toContain('3 lines');
    expect(out).toContain('2 min ago');
  });

  it('shows an alert with SKU, location and numbers, and an acknowledge button until acknowledged', () => {
    let feed = reduceStock(emptyStockFeed(), {
      type: 'event',
      eventType: 'stock.out',
      eventId: 'e1',
      now: T0,
      occurredAt: T0,
      entity: {
        variantId: '5',
        locationId: '9',
        onHand: 2,
        reserved: 2,
        available: 0,
        lowStockThreshold: 10,
        sku: 'BIS-FRIES',
      },
    });
    const sctx = { now: T0, locationName: () => 'Downtown Kitchen', pending: new Set<string>() };
    const out = alertCard(feed.alerts[0]!, sctx).toString();
    expect(out).toContain('Out of stock');
    expect(out).toContain('BIS-FRIES');
    expect(out).toContain('Downtown Kitchen');
    expect(out).toContain('<b>0</b> available');
    expect(out).toContain('data-ack="e1"');
    feed = reduceStock(feed, { type: 'ack', id: 'e1' });
    expect(alertCard(feed.alerts[0]!, sctx).toString()).not.toContain('data-ack');
  });
});

describe('connection badge', () => {
  it('names the state for people and for tests', () => {
    const out = connectionBadge(connectionView(initialConnection(['t']), 0)).toString();
    expect(out).toContain('data-conn="connecting"');
    expect(out).toContain('Connecting…');
  });
});
