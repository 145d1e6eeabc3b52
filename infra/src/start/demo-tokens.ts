import { createTokenSigner, type Role } from '@commerce/common';
import type { DemoIds } from '../seed/demo-seed.ts';

export interface DemoToken {
  label: string;
  token: string;
}

/**
 * Ready-to-use tokens for the demo: staff (by role) and the paired demo devices. A device acts
 * with the role of the job it was paired for (a KDS as kitchen, the POS board as cashier, the stock
 * feed as stock clerk), limited to its branch and stations.
 */
export async function mintDemoTokens(options: {
  privateKeyPem: string;
  issuer: string;
  audience: string;
  demo: DemoIds;
  ttlSeconds: number;
}): Promise<DemoToken[]> {
  const sign = await createTokenSigner(options);
  const { restaurant } = options.demo;
  const mid = restaurant.merchantId;
  const tokens: DemoToken[] = [];
  const staffRoles = ['owner', 'cashier', 'kitchen', 'stock_clerk'] as const;
  for (const role of staffRoles) {
    const staff = restaurant.staff[role];
    const branchIds = role === 'cashier' || role === 'kitchen' ? [restaurant.branches[0]!.id] : [];
    tokens.push({
      label: `staff ${role} (${staff.email})`,
      token: await sign({
        kind: 'staff',
        id: staff.id,
        merchantId: mid,
        roles: [role],
        branchIds,
        ttlSeconds: options.ttlSeconds,
      }),
    });
  }
  const deviceRole: Record<string, Role> = {
    kds: 'kitchen',
    pos: 'cashier',
    stock_feed: 'stock_clerk',
    staff: 'manager',
  };
  for (const terminal of restaurant.terminals) {
    tokens.push({
      label: `device ${terminal.name}`,
      token: await sign({
        kind: 'terminal',
        id: terminal.id,
        merchantId: mid,
        roles: ['terminal', deviceRole[terminal.kind] ?? 'terminal'],
        branchIds: terminal.branchId ? [terminal.branchId] : [],
        stationIds: terminal.stationIds,
        ttlSeconds: options.ttlSeconds,
      }),
    });
  }
  return tokens;
}
