import { z } from '@hono/zod-openapi';
import { IdSchema, TimestampSchema } from '../http/schemas.ts';
import { ORDER_CHANNELS } from '../orders/order-schemas.ts';

/** 'cancelled': the order was cancelled (see infra/migrations/0013); final, never on a screen. */
export const TICKET_STATUSES = ['open', 'bumped', 'cancelled'] as const;
/** The forward track an item moves along. */
export const ITEM_STATUSES = ['queued', 'preparing', 'ready', 'served'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];
/** What an item can be: on the track, or closed by its order's cancel (final). */
export const ITEM_STATES = [...ITEM_STATUSES, 'cancelled'] as const;
export type ItemState = (typeof ITEM_STATES)[number];

export const TicketItemSchema = z
  .object({
    id: IdSchema,
    order_line_id: IdSchema,
    name: z.string(),
    quantity: z.number().int(),
    note: z.string().nullable(),
    modifiers: z.array(z.string()),
    status: z.enum(ITEM_STATES),
    queued_at: TimestampSchema,
    preparing_at: TimestampSchema.nullable(),
    ready_at: TimestampSchema.nullable(),
    served_at: TimestampSchema.nullable(),
    cancelled_at: TimestampSchema.nullable(),
    updated_at: TimestampSchema,
  })
  .openapi('TicketItem');

export const TicketSchema = z
  .object({
    id: IdSchema,
    order_id: IdSchema,
    branch_id: IdSchema,
    station_id: IdSchema,
    status: z.enum(TICKET_STATUSES),
    channel: z.enum(ORDER_CHANNELS),
    table_label: z.string().nullable(),
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
    bumped_at: TimestampSchema.nullable(),
    recalled_at: TimestampSchema.nullable(),
    cancelled_at: TimestampSchema.nullable(),
    items: z.array(TicketItemSchema),
  })
  .openapi('KitchenTicket');

const q = (name: string) => ({ param: { name, in: 'query' as const } });
export const TicketQuerySchema = z.strictObject({
  station_id: IdSchema.optional().openapi(q('station_id')),
  branch_id: IdSchema.optional().openapi(q('branch_id')),
  status: z
    .enum(TICKET_STATUSES)
    .default('open')
    .openapi({
      ...q('status'),
      description:
        'open: oldest first; bumped: most recently bumped first (for recall); cancelled: most recently cancelled first',
    }),
  limit: z.coerce.number().int().min(1).max(200).default(100).openapi(q('limit')),
});

export const ItemStatusSchema = z
  .strictObject({ status: z.enum(['preparing', 'ready', 'served']) })
  .openapi('SetItemStatus', { description: 'forward only: queued → preparing → ready → served' });

export type Ticket = z.infer<typeof TicketSchema>;
export type TicketItem = z.infer<typeof TicketItemSchema>;
export type TicketQuery = z.infer<typeof TicketQuerySchema>;
