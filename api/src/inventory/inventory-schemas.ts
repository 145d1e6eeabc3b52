import { z } from '@hono/zod-openapi';
import { IdSchema, PageQueryFields, page, TimestampSchema } from '../http/schemas.ts';

export const LOCATION_KINDS = ['store', 'warehouse', 'kitchen'] as const;
export const MOVEMENT_REASONS = [
  'receipt',
  'sale',
  'return',
  'adjustment',
  'transfer_out',
  'transfer_in',
  'count',
  'damage',
] as const;

/** One stock operation moves at most a million units (on_hand is a 32-bit integer). */
const MAX_STOCK_STEP = 1_000_000;
const StockQuantity = z.number().int().min(1).max(MAX_STOCK_STEP);
const Note = z.string().trim().max(500).nullable().default(null);
const q = (name: string) => ({ param: { name, in: 'query' as const } });

export const LocationSchema = z
  .object({
    id: IdSchema,
    name: z.string(),
    kind: z.enum(LOCATION_KINDS),
    branch_id: IdSchema.nullable(),
    created_at: TimestampSchema,
  })
  .openapi('Location');

export const CreateLocationSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    kind: z.enum(LOCATION_KINDS).default('store'),
    branch_id: IdSchema.nullable().default(null).openapi({ description: 'null = not tied to a branch (warehouse)' }),
  })
  .openapi('CreateLocation');

export const StockLevelSchema = z
  .object({
    variant_id: IdSchema,
    sku: z.string(),
    location_id: IdSchema,
    on_hand: z.number().int(),
    reserved: z.number().int(),
    available: z.number().int().openapi({ description: 'on_hand - reserved' }),
    low_stock_threshold: z.number().int(),
    updated_at: TimestampSchema,
  })
  .openapi('StockLevel');

export const MovementSchema = z
  .object({
    id: IdSchema,
    variant_id: IdSchema,
    location_id: IdSchema,
    reason: z.enum(MOVEMENT_REASONS),
    quantity: z.number().int().openapi({ description: 'signed change of on_hand' }),
    on_hand_after: z.number().int(),
    order_id: IdSchema.nullable(),
    transfer_id: z.string().nullable(),
    note: z.string().nullable(),
    actor_id: IdSchema.nullable(),
    created_at: TimestampSchema,
  })
  .openapi('StockMovement');

export const StockChangeSchema = z.object({ level: StockLevelSchema, movement: MovementSchema }).openapi('StockChange');

export const ReceiveSchema = z
  .strictObject({ variant_id: IdSchema, location_id: IdSchema, quantity: StockQuantity, note: Note })
  .openapi('ReceiveStock');

export const ADJUST_REASONS = ['adjustment', 'damage', 'return'] as const;
export const AdjustSchema = z
  .strictObject({
    variant_id: IdSchema,
    location_id: IdSchema,
    delta: z
      .number()
      .int()
      .min(-MAX_STOCK_STEP)
      .max(MAX_STOCK_STEP)
      .refine((d) => d !== 0, 'must not be 0'),
    reason: z.enum(ADJUST_REASONS).openapi({ description: 'damage lowers stock, return raises it' }),
    note: Note,
  })
  .superRefine((v, ctx) => {
    if (v.reason === 'damage' && v.delta > 0)
      ctx.addIssue({ code: 'custom', path: ['delta'], message: 'damage must be negative' });
    if (v.reason === 'return' && v.delta < 0)
      ctx.addIssue({ code: 'custom', path: ['delta'], message: 'a return must be positive' });
  })
  .openapi('AdjustStock');

export const TransferSchema = z
  .strictObject({
    variant_id: IdSchema,
    from_location_id: IdSchema,
    to_location_id: IdSchema,
    quantity: StockQuantity,
    note: Note,
  })
  .refine((v) => v.from_location_id !== v.to_location_id, {
    path: ['to_location_id'],
    message: 'must differ from from_location_id',
  })
  .openapi('TransferStock');

export const TransferResultSchema = z
  .object({
    transfer_id: z.string(),
    from: StockLevelSchema,
    to: StockLevelSchema,
    movements: z.array(MovementSchema),
  })
  .openapi('StockTransfer');

export const CountSchema = z
  .strictObject({
    variant_id: IdSchema,
    location_id: IdSchema,
    counted: z
      .number()
      .int()
      .min(0)
      .max(10 * MAX_STOCK_STEP),
    note: Note,
  })
  .openapi('CountStock');

export const ThresholdSchema = z
  .strictObject({
    variant_id: IdSchema,
    location_id: IdSchema.optional().openapi({ description: 'omit to set it at every location of the SKU' }),
    threshold: z.number().int().min(0).max(MAX_STOCK_STEP),
  })
  .openapi('SetThreshold');

export const StockSummarySchema = z
  .object({
    variant_id: IdSchema,
    sku: z.string(),
    total: z.object({ on_hand: z.number().int(), reserved: z.number().int(), available: z.number().int() }),
    locations: z.array(StockLevelSchema),
  })
  .openapi('StockSummary');

export const LevelQuerySchema = z.strictObject({
  variant_id: IdSchema.optional().openapi(q('variant_id')),
  location_id: IdSchema.optional().openapi(q('location_id')),
  sku: z.string().max(64).optional().openapi(q('sku')),
  below_threshold: z
    .enum(['true', 'false'])
    .optional()
    .openapi({ ...q('below_threshold'), description: 'available ≤ threshold' }),
  ...PageQueryFields,
});

export const MovementQuerySchema = z.strictObject({
  variant_id: IdSchema.optional().openapi(q('variant_id')),
  location_id: IdSchema.optional().openapi(q('location_id')),
  reason: z.enum(MOVEMENT_REASONS).optional().openapi(q('reason')),
  order_id: IdSchema.optional().openapi(q('order_id')),
  transfer_id: z.uuid().optional().openapi(q('transfer_id')),
  ...PageQueryFields,
});

export const StockLevelPageSchema = page(StockLevelSchema, 'StockLevelPage');
export const MovementPageSchema = page(MovementSchema, 'StockMovementPage');

export type Location = z.infer<typeof LocationSchema>;
export type StockLevel = z.infer<typeof StockLevelSchema>;
export type Movement = z.infer<typeof MovementSchema>;
export type StockChange = z.infer<typeof StockChangeSchema>;
