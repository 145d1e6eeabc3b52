import { z } from '@hono/zod-openapi';
import { IdSchema, MoneyOutSchema, TimestampSchema } from '../http/schemas.ts';

export const PAYMENT_STATUSES = ['pending', 'succeeded', 'failed'] as const;

export const PaymentSchema = z
  .object({
    id: IdSchema,
    order_id: IdSchema,
    amount: MoneyOutSchema,
    status: z.enum(PAYMENT_STATUSES),
    provider: z.string(),
    provider_ref: z.string().nullable(),
    failure_reason: z.string().nullable(),
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
  })
  .openapi('Payment');

export const CreatePaymentSchema = z
  .strictObject({ order_id: IdSchema })
  .openapi('CreatePayment', { description: 'the amount is the order’s total; clients never send it' });

export const FailPaymentSchema = z
  .strictObject({ reason: z.string().trim().min(1).max(200).default('declined') })
  .openapi('FailPayment');

export const PaymentQuerySchema = z.strictObject({
  order_id: IdSchema.openapi({ param: { name: 'order_id', in: 'query' } }),
});

export type Payment = z.infer<typeof PaymentSchema>;
