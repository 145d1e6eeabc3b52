import { type DeviceRecord, deviceFromPairing } from '../browser/device-store.ts';
import type { TestSystem } from './test-system.ts';

/** What the e2e tests do to the demo restaurant, through the real api. */
export function demoActions(system: TestSystem) {
  const r = system.demo.restaurant;
  const branch = r.branches[0]!;
  const stations = branch.stations as Record<'grill' | 'fry' | 'bar' | 'expo', string>;
  const owner = system.token({ kind: 'staff', id: r.staff.owner.id, roles: ['owner'] });
  const cashier = system.token({ kind: 'staff', id: r.staff.cashier.id, roles: ['cashier'], branchIds: [branch.id] });
  const cook = system.token({ kind: 'staff', id: r.staff.kitchen.id, roles: ['kitchen'], branchIds: [branch.id] });
  const clerk = system.token({ kind: 'staff', id: r.staff.stock_clerk.id, roles: ['stock_clerk'] });

  const expectOk = (what: string, res: { status: number; body: unknown }) => {
    if (res.status >= 300) throw new Error(`${what}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Record<string, unknown>;
  };

  return {
    branch,
    stations,
    /** pairs a screen through POST /terminals as the owner, as the pairing page does */
    async pair(input: {
      kind: 'kds' | 'pos' | 'stock_feed';
      name: string;
      station_ids?: string[];
      roles: Array<'kitchen' | 'cashier' | 'stock_clerk'>;
    }): Promise<DeviceRecord> {
      const body = {
        ...input,
        ...(input.kind === 'stock_feed' ? {} : { branch_id: branch.id }),
        station_ids: input.station_ids ?? [],
      };
      const paired = expectOk('pair', await system.call(await owner, 'POST', '/terminals', body));
      const device = deviceFromPairing(paired, null);
      if ('error' in device) throw new Error(device.error);
      return device;
    },
    async revoke(terminalId: string) {
      return expectOk('revoke', await system.call(await owner, 'POST', `/terminals/${terminalId}/revoke`));
    },
    /** published menu variants prepared at a station (by code) */
    async menu(stationCode: string, count = 3): Promise<Array<{ id: string; name: string; sku: string }>> {
      return system.sql<{ id: string; name: string; sku: string }[]>`
        select v.id::text as id, p.name || case when v.name = '' then '' else ' (' || v.name || ')' end as name, v.sku
        from product_variants v join products p on p.id = v.product_id
        where p.merchant_id = ${r.merchantId} and p.station_code = ${stationCode} and p.status = 'published'
        order by v.id limit ${count}`;
    },
    /** one menu variant by its product name (first variant unless named) */
    async variant(productName: string, variantName?: string): Promise<string> {
      const [row] = await system.sql<{ id: string }[]>`
        select v.id::text as id from product_variants v join products p on p.id = v.product_id
        where p.merchant_id = ${r.merchantId} and p.name = ${productName}
          and (${variantName ?? null}::text is null or v.name = ${variantName ?? null})
        order by v.id limit 1`;
      if (!row) throw new Error(`no menu item ${productName}`);
      return row.id;
    },
    /** makes an order look older (screenshots show the timer colours) */
    async age(orderId: string, minutes: number) {
      await system.sql`update kitchen_tickets set created_at = created_at - make_interval(secs => ${minutes * 60})
                       where merchant_id = ${r.merchantId} and order_id = ${orderId}`;
      await system.sql`update orders set created_at = created_at - make_interval(secs => ${minutes * 60})
                       where merchant_id = ${r.merchantId} and id = ${orderId}`;
    },
    async order(
      lines: Array<{ variant_id: string; quantity: number; note?: string; modifiers?: string[] }>,
      table: string | null = null,
      channel: 'pos' | 'online' = 'pos',
    ): Promise<{ id: string }> {
      const body = { channel, branch_id: branch.id, table_label: table, lines };
      return expectOk('order', await system.call(await cashier, 'POST', '/orders', body)) as { id: string };
    },
    /** ticket items of an order, in line order */
    async items(orderId: string): Promise<Array<{ id: string; ticketId: string; name: string }>> {
      return system.sql<{ id: string; ticketId: string; name: string }[]>`
        select id::text as id, ticket_id::text as "ticketId", name from kitchen_ticket_items
        where merchant_id = ${r.merchantId} and order_id = ${orderId} order by id`;
    },
    async setItem(itemId: string, status: 'preparing' | 'ready' | 'served') {
      return expectOk('item', await system.call(await cook, 'PATCH', `/kitchen/items/${itemId}`, { status }));
    },
    async bump(ticketId: string) {
      return expectOk('bump', await system.call(await cook, 'POST', `/kitchen/tickets/${ticketId}/bump`));
    },
    async completeOrder(id: string) {
      return expectOk('complete', await system.call(await cashier, 'POST', `/orders/${id}/complete`));
    },
    async payOrder(id: string) {
      return expectOk('pay', await system.call(await cashier, 'POST', `/orders/${id}/pay`));
    },
    async cancelOrder(id: string) {
      return expectOk('cancel', await system.call(await cashier, 'POST', `/orders/${id}/cancel`));
    },
    async level(variantId: string) {
      const res = expectOk(
        'level',
        await system.call(
          await clerk,
          'GET',
          `/inventory/levels?variant_id=${variantId}&location_id=${branch.locationId}`,
        ),
      );
      return (
        res.items as Array<{
          sku: string;
          on_hand: number;
          reserved: number;
          available: number;
          low_stock_threshold: number;
        }>
      )[0]!;
    },
    async adjust(variantId: string, delta: number) {
      const body = {
        variant_id: variantId,
        location_id: branch.locationId,
        delta,
        reason: delta < 0 ? 'damage' : 'return',
      };
      return expectOk('adjust', await system.call(await clerk, 'POST', '/inventory/adjust', body));
    },
    /** the head of a bus topic: proves an event was published (while a page was cut off) */
    async headSeq(topic: string) {
      return (await system.bus.head(topic)).seq;
    },
  };
}
