import { createRoute } from '@hono/zod-openapi';
import type { Sql } from 'postgres';
import { conflict, notFound } from '../errors.ts';
import { inTransaction } from '../http/db.ts';
import { json, jsonBody, MUTATION_ERRORS } from '../http/route-helpers.ts';
import type { Scope } from '../http/scope.ts';
import { scope } from '../http/scope.ts';
import type { ApiApp, MountContext } from '../index.ts';
import { type CreateOrderInput, CreateOrderSchema, OrderSchema } from '../orders/order-schemas.ts';

/**
 * The baseline the bench compares against: the same order creation (same validation, snapshots,
 * tickets, all-or-nothing conditional reservations) written the usual way, one statement per
 * round trip inside a transaction. Bench-only; never mounted by the api itself.
 */
async function createOrderNaively(sql: Sql, s: Scope, input: CreateOrderInput) {
  return inTransaction(sql, async (tx) => {
    const [branch] = await tx<{ currency: string; location_id: string | null }[]>`
      select m.currency, (select id from locations where merchant_id = b.merchant_id and branch_id = b.id order by id limit 1) as location_id
      from branches b join merchants m on m.id = b.merchant_id where b.merchant_id = ${s.merchantId} and b.id = ${input.branch_id}`;
    if (!branch?.location_id) throw notFound('branch', input.branch_id);
    const ids = input.lines.map((l) => l.variant_id);
    const snaps = await tx<
      {
        id: string;
        product_id: string;
        name: string;
        vname: string;
        sku: string;
        price: string;
        station_code: string | null;
      }[]
    >`
      select v.id, p.id as product_id, p.name, v.name as vname, v.sku, v.price_amount as price, p.station_code
      from product_variants v join products p on p.merchant_id = v.merchant_id and p.id = v.product_id
      where v.merchant_id = ${s.merchantId} and v.id = any(${ids}::bigint[]) and v.active and p.status = 'published'`;
    const byId = new Map(snaps.map((v) => [v.id, v]));
    const missing = ids.filter((id) => !byId.has(id));
    if (missing.length) throw notFound('variant', missing.join(', '));
    const total = input.lines.reduce((n, l) => n + Number(byId.get(l.variant_id)!.price) * l.quantity, 0);
    const [order] = await tx<{ id: string }[]>`
      insert into orders (merchant_id, branch_id, location_id, channel, table_label, customer_note, currency, subtotal_amount, total_amount, line_count, created_by)
      values (${s.merchantId}, ${input.branch_id}, ${branch.location_id}, ${input.channel}, ${input.table_label}, ${input.customer_note},
              ${branch.currency}, ${total}, ${total}, ${input.lines.length}, ${s.staffId}) returning id`;
    const lines = await tx<{ id: string; station_code: string | null; quantity: number; name: string }[]>`
      insert into order_lines ${tx(
        input.lines.map((l, i) => {
          const v = byId.get(l.variant_id)!;
          return {
            merchant_id: s.merchantId,
            order_id: order!.id,
            line_no: i + 1,
            variant_id: v.id,
            product_id: v.product_id,
            product_name: v.name,
            variant_name: v.vname,
            sku: v.sku,
            unit_price_amount: v.price,
            currency: branch.currency,
            quantity: l.quantity,
            line_total_amount: Number(v.price) * l.quantity,
            station_code: v.station_code,
            note: l.note,
          };
        }),
      )} returning id, station_code, quantity, product_name as name`;
    const codes = [...new Set(lines.map((l) => l.station_code).filter((c): c is string => c !== null))];
    if (codes.length) {
      const stations = await tx<{ id: string; code: string }[]>`
        select id, code from stations where merchant_id = ${s.merchantId} and branch_id = ${input.branch_id} and code = any(${codes})`;
      for (const st of stations) {
        const [ticket] = await tx<{ id: string }[]>`
          insert into kitchen_tickets (merchant_id, branch_id, station_id, order_id, channel, table_label)
          values (${s.merchantId}, ${input.branch_id}, ${st.id}, ${order!.id}, ${input.channel}, ${input.table_label}) returning id`;
        const items = lines
          .filter((l) => l.station_code === st.code)
          .map((l) => ({
            merchant_id: s.merchantId,
            ticket_id: ticket!.id,
            branch_id: input.branch_id,
            station_id: st.id,
            order_id: order!.id,
            order_line_id: l.id,
            name: l.name,
            quantity: l.quantity,
          }));
        await tx`insert into kitchen_ticket_items ${tx(items)}`;
      }
    }
    await tx`insert into reservations ${tx(
      input.lines.map((l) => ({
        merchant_id: s.merchantId,
        order_id: order!.id,
        variant_id: l.variant_id,
        location_id: branch.location_id,
        quantity: l.quantity,
      })),
    )}`;
    const perSku = new Map<string, number>();
    for (const l of input.lines) perSku.set(l.variant_id, (perSku.get(l.variant_id) ?? 0) + l.quantity);
    for (const [variantId, qty] of [...perSku].sort(([a], [b]) => (BigInt(a) < BigInt(b) ? -1 : 1))) {
      const reserved = await tx`
        update inventory_levels set reserved = reserved + ${qty}
        where merchant_id = ${s.merchantId} and variant_id = ${variantId} and location_id = ${branch.location_id}
          and on_hand - reserved >= ${qty} returning 1`;
      if (reserved.length === 0)
        throw conflict('order.insufficient_stock', `insufficient stock for ${byId.get(variantId)!.sku}`);
    }
    const [row] = await tx<{ order: unknown }[]>`select api_order_json(${s.merchantId}, ${order!.id}) as order`;
    return row!.order;
  });
}

const route = createRoute({
  method: 'post',
  path: '/bench/naive-orders',
  tags: ['bench'],
  summary: 'Baseline for the bench: order creation one round trip per statement',
  request: { body: jsonBody(CreateOrderSchema) },
  responses: { 201: json(OrderSchema, 'created'), ...MUTATION_ERRORS },
});

export function mountNaiveOrders(app: ApiApp, ctx: MountContext): void {
  app.openapi({ ...route, middleware: ctx.requires('orders:write') }, async (c) => {
    const order = await createOrderNaively(ctx.sql, scope(c), c.req.valid('json'));
    return c.json(order as never, 201);
  });
}
