import type { Id } from './ids.ts';

export const DOMAIN_EVENT_TYPES = [
  'order.created',
  'order.updated',
  'kitchen.ticket.created',
  'kitchen.ticket.updated',
  'stock.changed',
  'stock.low',
  'stock.out',
  'stock.restocked',
  'product.changed',
  /** control event for hub instances (internal topic, never sent to terminals): a terminal's access was revoked */
  'terminal.revoked',
] as const;

export type DomainEventType = (typeof DOMAIN_EVENT_TYPES)[number];

/**
 * What cdc's router emits and the hub fans out. `id` is derived from the source position, so a
 * replayed change yields the same id and sinks can deduplicate on it.
 */
export interface DomainEvent<E = Record<string, unknown>> {
  v: 1;
  type: DomainEventType;
  id: string;
  merchantId: Id;
  topic: string;
  /** the entity as committed (ids as decimal strings, money as integer minor units) */
  entity: E;
  /** the source position of the change that produced it (commit LSN or Kafka offset) */
  position: string;
  /** commit time, ms since epoch, when the source knows it */
  occurredAt: number | null;
}
