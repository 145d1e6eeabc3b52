import { isId, MAX_LINE_QUANTITY } from '@commerce/common';
import { z } from '@hono/zod-openapi';

/** Row ids travel as decimal strings (bigint would round past 2^53 as a JSON number). */
export const IdSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,18}$/, 'must be a positive integer id written as a decimal string')
  .refine(isId, 'is larger than a 64-bit id')
  .openapi({ example: '42', description: 'id as a decimal string' });

export const CurrencySchema = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO-4217 code (3 upper-case letters)')
  .openapi({ example: 'USD' });

/** Upper bound keeps 9,999 × 100 lines of the dearest item inside a safe JSON integer. */
export const MAX_PRICE_AMOUNT = 1_000_000_000;

export const MoneySchema = z
  .strictObject({
    amount: z.number().int().min(0).max(MAX_PRICE_AMOUNT).openapi({ example: 1250, description: 'minor units' }),
    currency: CurrencySchema,
  })
  .openapi('Money');

/** Money in responses: totals can exceed the price bound. */
export const MoneyOutSchema = z
  .object({ amount: z.number().int(), currency: z.string() })
  .openapi('MoneyAmount', { description: 'integer minor units with an ISO-4217 currency' });

export const TimestampSchema = z.string().openapi({ example: '2025-01-31T12:00:00.000Z', format: 'date-time' });

export const QuantitySchema = z.number().int().min(1).max(MAX_LINE_QUANTITY);

export const pathParam = (name: string) => IdSchema.openapi({ param: { name, in: 'path' } });

export const IdParams = z.object({ id: pathParam('id') });

export const PageQueryFields = {
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(20)
    .openapi({ param: { name: 'limit', in: 'query' } }),
  cursor: IdSchema.optional().openapi({
    param: { name: 'cursor', in: 'query' },
    description: 'next_cursor of the previous page',
  }),
};

export const page = <T extends z.ZodTypeAny>(item: T, name: string) =>
  z.object({ items: z.array(item), next_cursor: IdSchema.nullable() }).openapi(name);

export const ErrorSchema = z
  .object({
    error: z.object({
      kind: z.string().openapi({ example: 'conflict' }),
      code: z.string().openapi({ example: 'order.insufficient_stock' }),
      message: z.string(),
      issues: z
        .array(z.object({ path: z.string(), message: z.string() }))
        .optional()
        .openapi({ description: 'for invalid input: the field path and the reason' }),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .openapi('Error');
