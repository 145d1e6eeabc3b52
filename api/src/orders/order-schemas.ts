import { MAX_ORDER_LINES } from '@commerce/common';
import { z } from '@hono/zod-openapi';
import { IdSchema, MoneyOutSchema, PageQueryFields, page, QuantitySchema, TimestampSchema } from '../http/schemas.ts';

export const ORDER_STATUSES = ['created', 'paid', 'fulfilled', 'completed', 'cancelled'] as const;
export const ORDER_CHANNELS = ['pos', 'online'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const OrderLineInputSchema = z
  .strictObject({
    variant_id: IdSchema,
    quantity: QuantitySchema.openapi({ example: 2, description: '1..9,999' }),
    note: z.string().trim().max(500).nullable().default(null).openapi({ example: 'no onions' }),
    modifiers: z
      .array(z.string().trim().min(1).max(100))
      .max(20)
      .default([])
      .openapi({ example: ['extra cheese'], description: 'shown to the kitchen; never changes the price' }),
  })
  .openapi('OrderLineInput');

export const CreateOrderSchema = z
  .strictObject({
    channel: z.enum(ORDER_CHANNELS),
    branch_id: IdSchema,
    location_id: IdSchema.optional().openapi({ description: 'stock location; default: the branch’s first location' }),
    table_label: z.string().trim().min(1).max(40).nullable().default(null).openapi({ example: 'T12' }),
    customer_note: z.string().trim().max(1000).nullable().default(null),
    lines: z
      .array(OrderLineInputSchema)
      .min(1, 'an order needs at least one line')
      .max(MAX_ORDER_LINES, `an order has at most ${MAX_ORDER_LINES} lines`),
  })
  .openapi('CreateOrder', {
    description: 'Prices, names and SKUs are taken from the catalog; clients never send them.',
  });

export const OrderLineSchema = z
  .object({
    id: IdSchema,
    line_no: z.number().int(),
    variant_id: IdSchema,
    product_id: IdSchema,
    product_name: z.string(),
    variant_name: z.string(),
    sku: z.string(),
    unit_price: MoneyOutSchema,
    quantity: z.number().int(),
    line_total: MoneyOutSchema,
    station_code: z.string().nullable(),
    note: z.string().nullable(),
    modifiers: z.array(z.string()),
  })
  .openapi('OrderLine');

export const OrderSchema = z
  .object({
    id: IdSchema,
    branch_id: IdSchema,
    location_id: IdSchema,
    channel: z.enum(ORDER_CHANNELS),
    status: z.enum(ORDER_STATUSES),
    table_label: z.string().nullable(),
    customer_note: z.string().nullable(),
    subtotal: MoneyOutSchema,
    total: MoneyOutSchema,
    line_count: z.number().int(),
    created_by: IdSchema.nullable().openapi({ description: 'staff user id; null when placed by a device' }),
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
    paid_at: TimestampSchema.nullable(),
    fulfilled_at: TimestampSchema.nullable(),
    completed_at: TimestampSchema.nullable(),
    cancelled_at: TimestampSchema.nullable(),
    lines: z.array(OrderLineSchema),
  })
  .openapi('Order');

export const OrderPageSchema = page(OrderSchema, 'OrderPage');

const q = (name: string) => ({ param: { name, in: 'query' as const } });
export const OrderQuerySchema = z.strictObject({
  branch_id: IdSchema.optional().openapi(q('branch_id')),
  status: z.enum(ORDER_STATUSES).optional().openapi(q('status')),
  channel: z.enum(ORDER_CHANNELS).optional().openapi(q('channel')),
  ...PageQueryFields,
});

export type CreateOrderInput = z.infer<typeof CreateOrderSchema>;
export type Order = z.infer<typeof OrderSchema>;
export type OrderQuery = z.infer<typeof OrderQuerySchema>;
