/**
 * The entities domain events carry: committed rows in camelCase, ids as decimal strings, money and
 * quantities as integer numbers (minor units), timestamps as ISO-8601 UTC strings. Exported for
 * the hub's clients (terminal SDK, pages) through @commerce/cdc.
 */
import type { ColumnValue, Id, Row } from '@commerce/common';

export interface OrderLineEntity {
  id: Id;
  orderId: Id;
  lineNo: number;
  variantId: Id;
  productId: Id;
  productName: string;
  variantName: string;
  sku: string;
  unitPriceAmount: number;
  currency: string;
  quantity: number;
  lineTotalAmount: number;
  stationCode: string | null;
  note: string | null;
  modifiers: ColumnValue;
}

export interface OrderEntity {
  id: Id;
  merchantId: Id;
  branchId: Id;
  locationId: Id;
  channel: string;
  status: string;
  tableLabel: string | null;
  customerNote: string | null;
  currency: string;
  subtotalAmount: number;
  totalAmount: number;
  lineCount: number;
  createdBy: Id | null;
  createdAt: string | null;
  updatedAt: string | null;
  paidAt: string | null;
  fulfilledAt: string | null;
  completedAt: string | null;
  cancelledAt: string | null;
}

/** order.created (with every line) and order.updated (with the lines changed in the same transaction). */
export interface OrderEventEntity extends OrderEntity {
  lines: OrderLineEntity[];
  previousStatus: string | null;
  removed: boolean;
}

export interface TicketEntity {
  id: Id;
  merchantId: Id;
  branchId: Id;
  stationId: Id;
  orderId: Id;
  status: string;
  channel: string;
  tableLabel: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  bumpedAt: string | null;
  recalledAt: string | null;
  /** set when the order was cancelled (status 'cancelled'; final) */
  cancelledAt: string | null;
}

export interface TicketItemEntity {
  id: Id;
  ticketId: Id;
  orderId: Id;
  orderLineId: Id;
  name: string;
  quantity: number;
  note: string | null;
  modifiers: ColumnValue;
  status: string;
  /** the status before this transaction, when it changed */
  previousStatus: string | null;
  queuedAt: string | null;
  preparingAt: string | null;
  readyAt: string | null;
  servedAt: string | null;
  cancelledAt: string | null;
  updatedAt: string | null;
}

/** `cancelled`: the order was cancelled; screens drop the ticket (it is not a bump: never recalled). */
export type TicketAction = 'created' | 'bumped' | 'recalled' | 'cancelled' | 'updated' | 'items' | 'removed';

/**
 * kitchen.ticket.created: the ticket and all its items. kitchen.ticket.updated: the ticket row when
 * it changed in the transaction (else null) and the items that changed.
 */
export interface KitchenTicketEventEntity {
  ticketId: Id;
  orderId: Id;
  branchId: Id;
  stationId: Id;
  action: TicketAction;
  ticket: TicketEntity | null;
  previousStatus: string | null;
  items: TicketItemEntity[];
  removedItemIds: Id[];
}

export interface StockLevelSnapshot {
  onHand: number;
  reserved: number;
  available: number;
  lowStockThreshold: number;
}

export interface StockEventEntity extends StockLevelSnapshot {
  levelId: Id;
  variantId: Id;
  locationId: Id;
  /** enrichment: null when the variant or location could not be found */
  sku: string | null;
  productName: string | null;
  variantName: string | null;
  locationName: string | null;
  previous: StockLevelSnapshot | null;
  removed: boolean;
  updatedAt: string | null;
}

export interface StockAlertEntity extends StockEventEntity {
  alert: 'low' | 'out' | 'restocked';
}

export interface ProductEntity {
  id: Id;
  merchantId: Id;
  name: string;
  description: string | undefined;
  brand: string | null;
  category: string | null;
  tags: ColumnValue;
  status: string;
  stationCode: string | null;
  publishedAt: string | null;
  archivedAt: string | null;
  updatedAt: string | null;
}

export interface VariantEntity {
  id: Id;
  productId: Id;
  sku: string;
  name: string;
  priceAmount: number;
  currency: string;
  active: boolean;
}

export interface ProductEventEntity {
  productId: Id;
  /** the product row when it changed in the transaction, else null (only variants changed) */
  product: ProductEntity | null;
  variants: VariantEntity[];
  removedVariantIds: Id[];
  removed: boolean;
}

// ---- row → entity --------------------------------------------------------------------------

export const id = (v: ColumnValue | undefined): Id => (v === null || v === undefined ? '' : String(v));
export const optId = (v: ColumnValue | undefined): Id | null => (v === null || v === undefined ? null : String(v));
export const text = (v: ColumnValue | undefined): string | null => (v === null || v === undefined ? null : String(v));
/** integers: int4 arrive as numbers, int8 money as decimal strings (safe far beyond any real amount) */
export const int = (v: ColumnValue | undefined): number => (typeof v === 'number' ? v : Number(v ?? 0));

export function toOrder(r: Row): OrderEntity {
  return {
    id: id(r.id),
    merchantId: id(r.merchant_id),
    branchId: id(r.branch_id),
    locationId: id(r.location_id),
    channel: String(r.channel),
    status: String(r.status),
    tableLabel: text(r.table_label),
    customerNote: text(r.customer_note),
    currency: String(r.currency),
    subtotalAmount: int(r.subtotal_amount),
    totalAmount: int(r.total_amount),
    lineCount: int(r.line_count),
    createdBy: optId(r.created_by),
    createdAt: text(r.created_at),
    updatedAt: text(r.updated_at),
    paidAt: text(r.paid_at),
    fulfilledAt: text(r.fulfilled_at),
    completedAt: text(r.completed_at),
    cancelledAt: text(r.cancelled_at),
  };
}

export function toOrderLine(r: Row): OrderLineEntity {
  return {
    id: id(r.id),
    orderId: id(r.order_id),
    lineNo: int(r.line_no),
    variantId: id(r.variant_id),
    productId: id(r.product_id),
    productName: String(r.product_name ?? ''),
    variantName: String(r.variant_name ?? ''),
    sku: String(r.sku ?? ''),
    unitPriceAmount: int(r.unit_price_amount),
    currency: String(r.currency ?? ''),
    quantity: int(r.quantity),
    lineTotalAmount: int(r.line_total_amount),
    stationCode: text(r.station_code),
    note: text(r.note),
    modifiers: r.modifiers ?? [],
  };
}

export function toTicket(r: Row): TicketEntity {
  return {
    id: id(r.id),
    merchantId: id(r.merchant_id),
    branchId: id(r.branch_id),
    stationId: id(r.station_id),
    orderId: id(r.order_id),
    status: String(r.status),
    channel: String(r.channel),
    tableLabel: text(r.table_label),
    createdAt: text(r.created_at),
    updatedAt: text(r.updated_at),
    bumpedAt: text(r.bumped_at),
    recalledAt: text(r.recalled_at),
    cancelledAt: text(r.cancelled_at),
  };
}

export function toTicketItem(r: Row, before: Row | null): TicketItemEntity {
  const status = String(r.status);
  const previous = before?.status === undefined || before.status === null ? null : String(before.status);
  return {
    id: id(r.id),
    ticketId: id(r.ticket_id),
    orderId: id(r.order_id),
    orderLineId: id(r.order_line_id),
    name: String(r.name ?? ''),
    quantity: int(r.quantity),
    note: text(r.note),
    modifiers: r.modifiers ?? [],
    status,
    previousStatus: previous !== status ? previous : null,
    queuedAt: text(r.queued_at),
    preparingAt: text(r.preparing_at),
    readyAt: text(r.ready_at),
    servedAt: text(r.served_at),
    cancelledAt: text(r.cancelled_at),
    updatedAt: text(r.updated_at),
  };
}

/** available = on_hand - reserved, computed here: generated columns are not replicated. */
export function toStockSnapshot(r: Row): StockLevelSnapshot {
  const onHand = int(r.on_hand);
  const reserved = int(r.reserved);
  return { onHand, reserved, available: onHand - reserved, lowStockThreshold: int(r.low_stock_threshold) };
}

export function toProduct(r: Row): ProductEntity {
  return {
    id: id(r.id),
    merchantId: id(r.merchant_id),
    name: String(r.name ?? ''),
    // absent when an unchanged TOAST description was not sent: consumers keep what they had
    description: r.description === undefined ? undefined : String(r.description ?? ''),
    brand: text(r.brand),
    category: text(r.category),
    tags: r.tags ?? [],
    status: String(r.status),
    stationCode: text(r.station_code),
    publishedAt: text(r.published_at),
    archivedAt: text(r.archived_at),
    updatedAt: text(r.updated_at),
  };
}

export function toVariant(r: Row): VariantEntity {
  return {
    id: id(r.id),
    productId: id(r.product_id),
    sku: String(r.sku ?? ''),
    name: String(r.name ?? ''),
    priceAmount: int(r.price_amount),
    currency: String(r.currency ?? ''),
    active: r.active === true,
  };
}
