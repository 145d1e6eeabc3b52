import type { Id } from './ids.ts';

/**
 * Topics are tenant-prefixed strings. A terminal may only subscribe to topics its token allows;
 * the hub decides that with `parseTopic`, so the grammar lives here, once.
 */
export type Topic =
  | { kind: 'orders'; merchantId: Id; branchId: Id }
  | { kind: 'kitchen'; merchantId: Id; branchId: Id; stationId: Id }
  | { kind: 'stock'; merchantId: Id }
  | { kind: 'stock-alerts'; merchantId: Id }
  | { kind: 'catalog'; merchantId: Id };

export const topics = {
  orders: (merchantId: Id, branchId: Id) => `m:${merchantId}:b:${branchId}:orders`,
  kitchen: (merchantId: Id, branchId: Id, stationId: Id) => `m:${merchantId}:b:${branchId}:kitchen:${stationId}`,
  stock: (merchantId: Id) => `m:${merchantId}:stock`,
  stockAlerts: (merchantId: Id) => `m:${merchantId}:stock-alerts`,
  catalog: (merchantId: Id) => `m:${merchantId}:catalog`,
} as const;

const ID = '([1-9][0-9]{0,18})';
const PATTERNS: Array<[RegExp, (m: RegExpExecArray) => Topic]> = [
  [new RegExp(`^m:${ID}:b:${ID}:orders$`), (m) => ({ kind: 'orders', merchantId: m[1]!, branchId: m[2]! })],
  [
    new RegExp(`^m:${ID}:b:${ID}:kitchen:${ID}$`),
    (m) => ({ kind: 'kitchen', merchantId: m[1]!, branchId: m[2]!, stationId: m[3]! }),
  ],
  [new RegExp(`^m:${ID}:stock$`), (m) => ({ kind: 'stock', merchantId: m[1]! })],
  [new RegExp(`^m:${ID}:stock-alerts$`), (m) => ({ kind: 'stock-alerts', merchantId: m[1]! })],
  [new RegExp(`^m:${ID}:catalog$`), (m) => ({ kind: 'catalog', merchantId: m[1]! })],
];

export function parseTopic(topic: string): Topic | null {
  for (const [pattern, build] of PATTERNS) {
    const m = pattern.exec(topic);
    if (m) return build(m);
  }
  return null;
}
