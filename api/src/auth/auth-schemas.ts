import { ROLES } from '@commerce/common';
import { z } from '@hono/zod-openapi';
import { IdSchema, TimestampSchema } from '../http/schemas.ts';
import { MerchantSchema } from '../tenancy/tenancy-schemas.ts';

export const LoginSchema = z
  .strictObject({
    merchant: z.string().min(2).max(63).openapi({ example: 'demo-diner', description: 'the merchant’s slug' }),
    email: z.string().trim().min(3).max(254).openapi({ example: 'cashier@demo.test' }),
    pin: z
      .string()
      .regex(/^[0-9]{4,12}$/, 'must be 4 to 12 digits')
      .openapi({ example: '1234' }),
  })
  .openapi('Login');

export const LoginResultSchema = z
  .object({
    token: z.string(),
    token_type: z.literal('Bearer'),
    expires_at: TimestampSchema,
    staff: z.object({
      id: IdSchema,
      name: z.string(),
      email: z.string(),
      roles: z.array(z.enum(ROLES)),
      branch_ids: z.array(IdSchema),
    }),
    merchant: MerchantSchema,
  })
  .openapi('LoginResult');

export const TERMINAL_KINDS = ['pos', 'kds', 'stock_feed', 'staff'] as const;
/** Working roles a device may carry besides `terminal`; never owner or manager. */
export const DEVICE_ROLES = ['cashier', 'kitchen', 'stock_clerk'] as const;

export const PairTerminalSchema = z
  .strictObject({
    kind: z.enum(TERMINAL_KINDS),
    name: z.string().trim().min(1).max(100).openapi({ example: 'Grill screen 1' }),
    branch_id: IdSchema.optional().openapi({ description: 'required for pos and kds' }),
    station_ids: z.array(IdSchema).max(50).default([]).openapi({ description: 'kds only; empty = every station' }),
    roles: z
      .array(z.enum(DEVICE_ROLES))
      .max(3)
      .optional()
      .openapi({ description: 'default by kind: pos → cashier, kds → kitchen, others → read-only' }),
  })
  .openapi('PairTerminal');

export const TerminalSchema = z
  .object({
    id: IdSchema,
    kind: z.enum(TERMINAL_KINDS),
    name: z.string(),
    branch_id: IdSchema.nullable(),
    station_ids: z.array(IdSchema),
    paired_by: IdSchema.nullable(),
    revoked_at: TimestampSchema.nullable(),
    last_seen_at: TimestampSchema.nullable(),
    created_at: TimestampSchema,
  })
  .openapi('Terminal');

export const PairedTerminalSchema = z
  .object({
    terminal: TerminalSchema,
    token: z.string().openapi({ description: 'the device token; keep it on the device' }),
    token_type: z.literal('Bearer'),
    roles: z.array(z.enum(ROLES)),
    expires_at: TimestampSchema,
    hub: z.object({
      url: z.string().nullable().openapi({ description: 'hub WebSocket URL' }),
      public_key: z.string().nullable().openapi({ description: 'hub long-term public key to pin' }),
    }),
  })
  .openapi('PairedTerminal');

export const TerminalQuerySchema = z.strictObject({
  include_revoked: z
    .enum(['true', 'false'])
    .default('false')
    .openapi({ param: { name: 'include_revoked', in: 'query' } }),
});

export type Terminal = z.infer<typeof TerminalSchema>;
export type PairTerminalInput = z.infer<typeof PairTerminalSchema>;
export type PairedTerminal = z.infer<typeof PairedTerminalSchema>;
export type LoginResult = z.infer<typeof LoginResultSchema>;
