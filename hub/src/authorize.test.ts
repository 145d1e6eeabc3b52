import type { Principal } from '@commerce/common';
import { topics } from '@commerce/common';
import { describe, expect, it } from 'vitest';
import { authorizeTopic } from './authorize.ts';
import { REVOCATIONS_TOPIC } from './bus/control-topics.ts';

const principal = (over: Partial<Principal>): Principal => ({
  kind: 'terminal',
  id: '9',
  merchantId: '1',
  roles: ['terminal'],
  branchIds: [],
  stationIds: [],
  tokenId: 'j',
  expiresAt: Date.now() + 60_000,
  ...over,
});
const reason = (p: Principal, topic: string) => {
  const verdict = authorizeTopic(p, topic);
  return verdict.ok ? 'ok' : verdict.reason;
};

describe('authorizeTopic', () => {
  const grillKds = principal({ roles: ['terminal', 'kitchen'], branchIds: ['2'], stationIds: ['3'] });

  it("never lets anyone read the hub instances' internal topics (revocations)", () => {
    for (const roles of [['owner'], ['manager'], ['terminal', 'kitchen'], ['stock_clerk']] as const) {
      const p = principal({ kind: 'staff', roles: [...roles] });
      expect(reason(p, REVOCATIONS_TOPIC)).toBe('invalid_topic');
      expect(reason(p, `${REVOCATIONS_TOPIC}:m:1:stock`)).toBe('invalid_topic');
    }
  });

  it('keeps merchants apart whatever the role', () => {
    const owner = principal({ kind: 'staff', roles: ['owner'] });
    expect(reason(owner, topics.orders('1', '2'))).toBe('ok');
    expect(reason(owner, topics.orders('5', '2'))).toBe('forbidden_merchant');
    expect(reason(owner, topics.stockAlerts('5'))).toBe('forbidden_merchant');
    expect(reason(owner, topics.kitchen('1', '7', '8'))).toBe('ok');
  });

  it('gives a kitchen display its own stations only', () => {
    expect(reason(grillKds, topics.kitchen('1', '2', '3'))).toBe('ok');
    expect(reason(grillKds, topics.kitchen('1', '2', '4'))).toBe('forbidden_station');
    expect(reason(grillKds, topics.kitchen('1', '6', '3'))).toBe('forbidden_branch');
    expect(reason(grillKds, topics.orders('1', '2'))).toBe('forbidden_role');
    expect(reason(grillKds, topics.stockAlerts('1'))).toBe('forbidden_role');
    const allStations = principal({ roles: ['kitchen'], branchIds: ['2'] });
    expect(reason(allStations, topics.kitchen('1', '2', '4'))).toBe('ok');
  });

  it('gives cashiers their branches’ orders and clerks the stock topics', () => {
    const cashier = principal({ roles: ['terminal', 'cashier'], branchIds: ['2'] });
    expect(reason(cashier, topics.orders('1', '2'))).toBe('ok');
    expect(reason(cashier, topics.orders('1', '3'))).toBe('forbidden_branch');
    expect(reason(cashier, topics.kitchen('1', '2', '3'))).toBe('forbidden_role');
    expect(reason(cashier, topics.catalog('1'))).toBe('ok');
    const clerk = principal({ roles: ['stock_clerk'] });
    expect(reason(clerk, topics.stock('1'))).toBe('ok');
    expect(reason(clerk, topics.stockAlerts('1'))).toBe('ok');
    expect(reason(clerk, topics.orders('1', '2'))).toBe('forbidden_role');
  });

  it('lets a bare terminal read only the kitchen topics of the stations it names', () => {
    const bare = principal({ stationIds: ['3'] });
    expect(reason(bare, topics.kitchen('1', '2', '3'))).toBe('ok');
    expect(reason(bare, topics.kitchen('1', '2', '4'))).toBe('forbidden_station');
    expect(reason(bare, topics.orders('1', '2'))).toBe('forbidden_role');
    expect(reason(principal({}), topics.kitchen('1', '2', '3'))).toBe('forbidden_station');
  });

  it('refuses what is not a topic', () => {
    expect(reason(grillKds, 'm:1:secret')).toBe('invalid_topic');
    expect(reason(grillKds, '')).toBe('invalid_topic');
  });
});
