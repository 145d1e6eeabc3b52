import type { DomainEventType } from '@commerce/common';

/**
 * A domain event's id: the same change replayed after a crash yields the same id, which is what the
 * bus deduplicates on. `position` is the source position of the change that produced the event, the
 * entity key disambiguates several events of one type from one change (never the case today, kept
 * so the rule does not depend on it). Example: `order.created:42@0000000001A2B3C4/00000000`.
 */
export function domainEventId(type: DomainEventType, entityKey: string, position: string): string {
  return `${type}:${entityKey}@${position}`;
}
