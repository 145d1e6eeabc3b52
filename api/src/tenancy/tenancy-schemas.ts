import { ROLES } from '@commerce/common';
import { z } from '@hono/zod-openapi';
import { IdSchema, TimestampSchema } from '../http/schemas.ts';

export const MerchantSchema = z
  .object({ id: IdSchema, slug: z.string(), name: z.string(), currency: z.string() })
  .openapi('Merchant');

export const MeSchema = z
  .object({
    principal: z.object({
      kind: z.enum(['staff', 'terminal']),
      id: IdSchema,
      roles: z.array(z.enum(ROLES)),
      branch_ids: z.array(IdSchema),
      station_ids: z.array(IdSchema),
      expires_at: TimestampSchema,
    }),
    merchant: MerchantSchema,
  })
  .openapi('Me');

export const BranchSchema = z
  .object({ id: IdSchema, name: z.string(), timezone: z.string(), created_at: TimestampSchema })
  .openapi('Branch');

export const CreateBranchSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    timezone: z.string().min(1).max(64).default('UTC'),
  })
  .openapi('CreateBranch');

export const StationCodeSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,31}$/, 'must be lower-case letters, digits, _ or -, starting with a letter')
  .openapi({ example: 'grill' });

export const StationSchema = z
  .object({ id: IdSchema, branch_id: IdSchema, code: z.string(), name: z.string(), created_at: TimestampSchema })
  .openapi('Station');

export const CreateStationSchema = z
  .strictObject({ branch_id: IdSchema, code: StationCodeSchema, name: z.string().trim().min(1).max(200) })
  .openapi('CreateStation');

export const StationQuerySchema = z.strictObject({
  branch_id: IdSchema.optional().openapi({ param: { name: 'branch_id', in: 'query' } }),
});

export type Branch = z.infer<typeof BranchSchema>;
export type Station = z.infer<typeof StationSchema>;
export type Me = z.infer<typeof MeSchema>;
