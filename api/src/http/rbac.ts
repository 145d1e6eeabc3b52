import type { Principal, Role } from '@commerce/common';
import { forbidden } from '../errors.ts';

export const PERMISSIONS = [
  'tenancy:read',
  'tenancy:write',
  'catalog:read',
  'catalog:write',
  'inventory:read',
  'inventory:write',
  'orders:read',
  'orders:write',
  'kitchen:read',
  'kitchen:write',
  'payments:read',
  'payments:write',
  'terminals:manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const ALL: readonly Permission[] = PERMISSIONS;

/**
 * Role → permissions: the whole access policy in one table. A device token carries `terminal`
 * (read what its screen shows) plus the working role of its kind (pos → cashier, kds → kitchen).
 */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  owner: ALL,
  manager: ALL,
  cashier: [
    'tenancy:read',
    'catalog:read',
    'inventory:read',
    'orders:read',
    'orders:write',
    'kitchen:read',
    'payments:read',
    'payments:write',
  ],
  kitchen: ['tenancy:read', 'catalog:read', 'inventory:read', 'orders:read', 'kitchen:read', 'kitchen:write'],
  stock_clerk: ['tenancy:read', 'catalog:read', 'inventory:read', 'inventory:write'],
  terminal: ['tenancy:read', 'catalog:read', 'inventory:read', 'orders:read', 'kitchen:read', 'payments:read'],
};

/** Pairing devices is for people: a device token can never mint another device token. */
const STAFF_ONLY: ReadonlySet<Permission> = new Set(['terminals:manage']);

export function can(principal: Principal, permission: Permission): boolean {
  if (STAFF_ONLY.has(permission) && principal.kind !== 'staff') return false;
  return principal.roles.some((role) => ROLE_PERMISSIONS[role].includes(permission));
}

export function authorize(principal: Principal, permission: Permission): void {
  if (!can(principal, permission)) {
    throw forbidden(`roles ${principal.roles.join(', ')} do not allow ${permission}`);
  }
}
