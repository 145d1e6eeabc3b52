/**
 * The router: normalized change events of whole transactions → domain events on tenant topics.
 * Pure: everything it needs is in the changes, except display names for stock events, which come
 * from `Enrichment` (filled beforehand by the bus sink). Rules:
 * - orders insert → order.created carrying the order_lines inserted in the same transaction;
 *   orders update/delete → order.updated (lines changed in the same transaction included).
 *   Lines changed without their order in the transaction are counted, not routed (the api writes
 *   lines only together with their order).
 * - kitchen_tickets insert → kitchen.ticket.created with its items from the same transaction;
 *   ticket update (bump, recall, cancel with the order...) and item changes → one
 *   kitchen.ticket.updated per ticket and transaction. Items carry branch/station/order, so item-only changes route without a lookup.
 * - inventory_levels → stock.changed when on_hand, reserved or the threshold changed, plus
 *   stock.low / stock.out / stock.restocked by stock-alerts.ts.
 * - products / product_variants → one product.changed per product and transaction.
 * - terminals whose revoked_at became set → terminal.revoked on the hub's internal revocations
 *   topic (revocations.ts), so every hub instance ends that terminal's sessions at once.
 * Snapshot reads (op r) describe state that existed before capture began: terminals load state
 * from the api, so they produce no events. Truncates carry no rows and are counted as skipped.
 */
import { type ChangeEvent, type DomainEvent, type DomainEventType, type Row, topics } from '@commerce/common';
import { REVOCATIONS_TOPIC } from '@commerce/hub/bus';
import {
  id,
  type KitchenTicketEventEntity,
  type OrderEventEntity,
  type ProductEventEntity,
  type StockAlertEntity,
  type StockEventEntity,
  type TicketAction,
  toOrder,
  toOrderLine,
  toProduct,
  toStockSnapshot,
  toTicket,
  toTicketItem,
  toVariant,
} from './entities.ts';
import { domainEventId } from './event-id.ts';
import { terminalRevocation } from './revocations.ts';
import { stockAlert } from './stock-alerts.ts';

export interface VariantInfo {
  sku: string;
  productName: string | null;
  variantName: string | null;
}

/** Display names for stock events; undefined when unknown (the event then carries nulls). */
export interface Enrichment {
  variant(variantId: string): VariantInfo | undefined;
  location(locationId: string): string | undefined;
}

export const noEnrichment: Enrichment = { variant: () => undefined, location: () => undefined };

export interface RouteResult {
  events: DomainEvent[];
  /** changes that produced nothing, by reason (for metrics) */
  skipped: Record<string, number>;
}

/** Routes a batch: events are split into transactions by txId (consecutive runs, in commit order). */
export function routeChanges(changes: readonly ChangeEvent[], enrichment: Enrichment = noEnrichment): RouteResult {
  const result: RouteResult = { events: [], skipped: {} };
  let start = 0;
  for (let i = 1; i <= changes.length; i++) {
    const prev = changes[i - 1]!;
    const next = changes[i];
    // a null txId (a source without transaction metadata) makes every change its own transaction
    if (next && next.txId !== null && next.txId === prev.txId) continue;
    routeTransaction(changes.slice(start, i), enrichment, result);
    start = i;
  }
  return result;
}

// every change's table is looked at several times per transaction: strip the schema once per name
const shortNames = new Map<string, string>();
const tableOf = (c: ChangeEvent) => {
  let name = shortNames.get(c.table);
  if (name === undefined) {
    name = c.table.startsWith('public.') ? c.table.slice(7) : c.table;
    if (shortNames.size < 1_000) shortNames.set(c.table, name);
  }
  return name;
};
/** The row as it is now; the after-image alone is complete unless TOAST values were left out of it. */
const rowOf = (c: ChangeEvent): Row =>
  c.op === 'd'
    ? (c.before ?? {})
    : c.after && c.unchanged.length === 0
      ? c.after
      : { ...(c.before ?? {}), ...(c.after ?? {}) };

function groupBy(changes: readonly ChangeEvent[], table: string, column: string): Map<string, ChangeEvent[]> {
  const groups = new Map<string, ChangeEvent[]>();
  for (const c of changes) {
    if (tableOf(c) !== table || c.op === 'r' || c.op === 't') continue;
    const key = id(rowOf(c)[column]);
    const group = groups.get(key);
    if (group) group.push(c);
    else groups.set(key, [c]);
  }
  return groups;
}

function routeTransaction(tx: readonly ChangeEvent[], enrichment: Enrichment, out: RouteResult) {
  const skip = (reason: string) => {
    out.skipped[reason] = (out.skipped[reason] ?? 0) + 1;
  };
  const emit = (
    type: DomainEventType,
    key: string,
    merchantId: string,
    topic: string,
    change: ChangeEvent,
    entity: object,
  ) => {
    out.events.push({
      v: 1,
      type,
      id: domainEventId(type, key, change.position),
      merchantId,
      topic,
      entity: entity as Record<string, unknown>,
      position: change.position,
      occurredAt: change.commitTs,
    });
  };
  // folding is by key, whatever the statement order inside the transaction
  const lines = groupBy(tx, 'order_lines', 'order_id');
  const items = groupBy(tx, 'kitchen_ticket_items', 'ticket_id');
  const variants = groupBy(tx, 'product_variants', 'product_id');
  const orderIds = new Set(groupBy(tx, 'orders', 'id').keys());
  const ticketIds = new Set(groupBy(tx, 'kitchen_tickets', 'id').keys());
  const productIds = new Set(groupBy(tx, 'products', 'id').keys());
  const taken = new Set<string>();
  const takeOnce = (kind: string, key: string) => {
    if (taken.has(`${kind}:${key}`)) return false;
    taken.add(`${kind}:${key}`);
    return true;
  };

  for (const change of tx) {
    if (change.op === 'r') {
      skip('snapshot_read');
      continue;
    }
    if (change.op === 't') {
      skip('truncate');
      continue;
    }
    const row = rowOf(change);
    switch (tableOf(change)) {
      case 'orders': {
        const order = toOrder(row);
        const orderLines = takeOnce('lines', order.id) ? (lines.get(order.id) ?? []) : [];
        const entity: OrderEventEntity = {
          ...order,
          lines: orderLines
            .filter((l) => l.op !== 'd')
            .map((l) => toOrderLine(rowOf(l)))
            .sort((a, b) => a.lineNo - b.lineNo),
          previousStatus: change.op === 'u' && change.before?.status != null ? String(change.before.status) : null,
          removed: change.op === 'd',
        };
        const type = change.op === 'c' ? 'order.created' : 'order.updated';
        emit(type, order.id, order.merchantId, topics.orders(order.merchantId, order.branchId), change, entity);
        break;
      }
      case 'order_lines':
        if (!orderIds.has(id(row.order_id))) skip('order_lines_without_order');
        break;
      case 'kitchen_tickets': {
        const ticket = toTicket(row);
        const ticketItems = takeOnce('items', ticket.id) ? (items.get(ticket.id) ?? []) : [];
        const action = ticketAction(change);
        const entity = ticketEntity(ticket.id, row, action, change.op === 'd' ? null : ticket, ticketItems);
        entity.previousStatus =
          change.op === 'u' && change.before?.status != null ? String(change.before.status) : null;
        const type = change.op === 'c' ? 'kitchen.ticket.created' : 'kitchen.ticket.updated';
        emit(
          type,
          ticket.id,
          ticket.merchantId,
          topics.kitchen(ticket.merchantId, ticket.branchId, ticket.stationId),
          change,
          entity,
        );
        break;
      }
      case 'kitchen_ticket_items': {
        const ticketId = id(row.ticket_id);
        if (ticketIds.has(ticketId) || !takeOnce('items', ticketId)) break;
        const entity = ticketEntity(ticketId, row, 'items', null, items.get(ticketId) ?? []);
        const merchantId = id(row.merchant_id);
        const topic = topics.kitchen(merchantId, id(row.branch_id), id(row.station_id));
        emit('kitchen.ticket.updated', ticketId, merchantId, topic, change, entity);
        break;
      }
      case 'inventory_levels':
        routeStock(change, row, enrichment, emit);
        break;
      case 'products': {
        const productId = id(row.id);
        const changed = takeOnce('variants', productId) ? (variants.get(productId) ?? []) : [];
        const entity = productEntity(productId, change.op === 'd' ? null : toProduct(row), changed, change.op === 'd');
        const merchantId = id(row.merchant_id);
        emit('product.changed', productId, merchantId, topics.catalog(merchantId), change, entity);
        break;
      }
      case 'product_variants': {
        const productId = id(row.product_id);
        if (productIds.has(productId) || !takeOnce('variants', productId)) break;
        const merchantId = id(row.merchant_id);
        const entity = productEntity(productId, null, variants.get(productId) ?? [], false);
        emit('product.changed', productId, merchantId, topics.catalog(merchantId), change, entity);
        break;
      }
      case 'terminals': {
        const revocation = terminalRevocation(change, row);
        if (revocation)
          emit('terminal.revoked', revocation.subject.id, id(row.merchant_id), REVOCATIONS_TOPIC, change, revocation);
        break;
      }
      default:
        break;
    }
  }
}

function ticketAction(change: ChangeEvent): TicketAction {
  if (change.op === 'c') return 'created';
  if (change.op === 'd') return 'removed';
  const from = change.before?.status;
  const to = change.after?.status;
  if (to === 'cancelled' && from !== 'cancelled') return 'cancelled';
  if (from === 'open' && to === 'bumped') return 'bumped';
  if (from === 'bumped' && to === 'open') return 'recalled';
  return 'updated';
}

function ticketEntity(
  ticketId: string,
  row: Row,
  action: TicketAction,
  ticket: ReturnType<typeof toTicket> | null,
  itemChanges: ChangeEvent[],
): KitchenTicketEventEntity {
  return {
    ticketId,
    orderId: id(row.order_id),
    branchId: id(row.branch_id),
    stationId: id(row.station_id),
    action,
    ticket,
    previousStatus: null,
    items: itemChanges
      .filter((c) => c.op !== 'd')
      .map((c) => toTicketItem(rowOf(c), c.before))
      .sort((a, b) => Number(BigInt(a.id) - BigInt(b.id))),
    removedItemIds: itemChanges.filter((c) => c.op === 'd').map((c) => id(c.before?.id)),
  };
}

function productEntity(
  productId: string,
  product: ReturnType<typeof toProduct> | null,
  variantChanges: ChangeEvent[],
  removed: boolean,
): ProductEventEntity {
  return {
    productId,
    product,
    variants: variantChanges.filter((c) => c.op !== 'd').map((c) => toVariant(rowOf(c))),
    removedVariantIds: variantChanges.filter((c) => c.op === 'd').map((c) => id(c.before?.id)),
    removed,
  };
}

type Emit = (
  type: DomainEventType,
  key: string,
  merchantId: string,
  topic: string,
  change: ChangeEvent,
  entity: object,
) => void;

function routeStock(change: ChangeEvent, row: Row, enrichment: Enrichment, emit: Emit) {
  const before =
    change.op === 'c' || !change.before || !('on_hand' in change.before) ? null : toStockSnapshot(change.before);
  const after = change.op === 'd' ? null : toStockSnapshot(row);
  if (
    before &&
    after &&
    before.onHand === after.onHand &&
    before.reserved === after.reserved &&
    before.lowStockThreshold === after.lowStockThreshold
  )
    return;
  const levelId = id(row.id);
  const merchantId = id(row.merchant_id);
  const variantId = id(row.variant_id);
  const locationId = id(row.location_id);
  const variant = enrichment.variant(variantId);
  const current = after ?? before ?? toStockSnapshot(row);
  const entity: StockEventEntity = {
    levelId,
    variantId,
    locationId,
    ...current,
    sku: variant?.sku ?? null,
    productName: variant?.productName ?? null,
    variantName: variant?.variantName ?? null,
    locationName: enrichment.location(locationId) ?? null,
    previous: before,
    removed: change.op === 'd',
    updatedAt: typeof row.updated_at === 'string' ? row.updated_at : null,
  };
  emit('stock.changed', levelId, merchantId, topics.stock(merchantId), change, entity);
  const alert = stockAlert(before, after);
  if (alert) {
    const alertEntity: StockAlertEntity = { ...entity, alert };
    emit(`stock.${alert}`, levelId, merchantId, topics.stockAlerts(merchantId), change, alertEntity);
  }
}
