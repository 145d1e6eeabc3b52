import { type Principal, parseTopic, type Role, type Topic } from '@commerce/common';
import type { RefusalReason } from '@commerce/sdk/wire';
import { isInternalTopic } from './bus/control-topics.ts';

export type Verdict = { ok: true; topic: Topic } | { ok: false; reason: RefusalReason };

/** Which roles may read each kind of topic (owner and manager read everything of their merchant). */
const READERS: Record<Topic['kind'], readonly Role[]> = {
  orders: ['owner', 'manager', 'cashier'],
  kitchen: ['owner', 'manager', 'kitchen'],
  stock: ['owner', 'manager', 'stock_clerk'],
  'stock-alerts': ['owner', 'manager', 'stock_clerk'],
  catalog: ['owner', 'manager', 'cashier', 'stock_clerk'],
};

/**
 * May this principal subscribe to this topic? The merchant must match; the branch must be one of
 * the principal's (empty list = all branches); a kitchen topic's station must be one of its stations
 * (empty = all stations of its branches) unless it is an owner or manager; and one of its roles must
 * read that kind of topic. A token whose only role is `terminal` is a bare station display: it reads
 * the kitchen topics of the stations it names, nothing else.
 */
export function authorizeTopic(principal: Principal, topicName: string): Verdict {
  // the hub's own control topics (revocations) are for hub instances only, whoever asks
  if (isInternalTopic(topicName)) return { ok: false, reason: 'invalid_topic' };
  const topic = parseTopic(topicName);
  if (!topic) return { ok: false, reason: 'invalid_topic' };
  if (topic.merchantId !== principal.merchantId) return { ok: false, reason: 'forbidden_merchant' };
  if ('branchId' in topic && principal.branchIds.length > 0 && !principal.branchIds.includes(topic.branchId)) {
    return { ok: false, reason: 'forbidden_branch' };
  }
  const roles = principal.roles;
  const bareTerminal = roles.every((role) => role === 'terminal');
  if (bareTerminal) {
    if (topic.kind !== 'kitchen') return { ok: false, reason: 'forbidden_role' };
    return principal.stationIds.includes(topic.stationId)
      ? { ok: true, topic }
      : { ok: false, reason: 'forbidden_station' };
  }
  const readers = READERS[topic.kind];
  if (!roles.some((role) => readers.includes(role))) return { ok: false, reason: 'forbidden_role' };
  if (topic.kind === 'kitchen') {
    const seesAllStations = roles.includes('owner') || roles.includes('manager');
    if (!seesAllStations && principal.stationIds.length > 0 && !principal.stationIds.includes(topic.stationId)) {
      return { ok: false, reason: 'forbidden_station' };
    }
  }
  return { ok: true, topic };
}
