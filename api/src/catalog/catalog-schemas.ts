import { z } from '@hono/zod-openapi';
import { IdSchema, MoneyOutSchema, MoneySchema, PageQueryFields, page, TimestampSchema } from '../http/schemas.ts';
import { StationCodeSchema } from '../tenancy/tenancy-schemas.ts';

export const PRODUCT_STATUSES = ['draft', 'published', 'archived'] as const;

export const SkuSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/,
    'must be 1..64 letters, digits, . _ / - (starting with a letter or digit)',
  )
  .openapi({ example: 'BURGER-CLASSIC' });

const text = (max: number) => z.string().trim().max(max);
const TagsSchema = z.array(z.string().trim().min(1).max(50)).max(50);

export const VariantInputSchema = z
  .strictObject({
    sku: SkuSchema,
    name: text(200).default('').openapi({ example: 'Large' }),
    price: MoneySchema,
    active: z.boolean().default(true),
  })
  .openapi('VariantInput');

export const CreateProductSchema = z
  .strictObject({
    name: text(300).min(1).openapi({ example: 'Classic burger' }),
    description: text(5000).default(''),
    brand: text(200).min(1).nullable().default(null),
    category: text(200).min(1).nullable().default(null),
    tags: TagsSchema.default([]),
    station_code: StationCodeSchema.nullable()
      .default(null)
      .openapi({ description: 'station that prepares it (grill, bar...); null = nothing to prepare' }),
    variants: z.array(VariantInputSchema).max(100).default([]),
  })
  .openapi('CreateProduct');

export const UpdateProductSchema = z
  .strictObject({
    name: text(300).min(1).optional(),
    description: text(5000).optional(),
    brand: text(200).min(1).nullable().optional(),
    category: text(200).min(1).nullable().optional(),
    tags: TagsSchema.optional(),
    station_code: StationCodeSchema.nullable().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'give at least one field to change')
  .openapi('UpdateProduct');

export const UpdateVariantSchema = z
  .strictObject({
    name: text(200).optional(),
    price: MoneySchema.optional(),
    active: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'give at least one field to change')
  .openapi('UpdateVariant');

export const VariantSchema = z
  .object({
    id: IdSchema,
    product_id: IdSchema,
    sku: z.string(),
    name: z.string(),
    price: MoneyOutSchema,
    active: z.boolean(),
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
  })
  .openapi('Variant');

export const ProductSchema = z
  .object({
    id: IdSchema,
    name: z.string(),
    description: z.string(),
    brand: z.string().nullable(),
    category: z.string().nullable(),
    tags: z.array(z.string()),
    status: z.enum(PRODUCT_STATUSES),
    station_code: z.string().nullable(),
    published_at: TimestampSchema.nullable(),
    archived_at: TimestampSchema.nullable(),
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
    variants: z.array(VariantSchema),
  })
  .openapi('Product');

export const ProductPageSchema = page(ProductSchema, 'ProductPage');

const q = (name: string) => ({ param: { name, in: 'query' as const } });
export const ProductQuerySchema = z.strictObject({
  status: z.enum(PRODUCT_STATUSES).optional().openapi(q('status')),
  category: z.string().max(200).optional().openapi(q('category')),
  brand: z.string().max(200).optional().openapi(q('brand')),
  station_code: z.string().max(32).optional().openapi(q('station_code')),
  q: z
    .string()
    .max(100)
    .optional()
    .openapi({ ...q('q'), description: 'name contains (case-insensitive)' }),
  sku: z.string().max(64).optional().openapi(q('sku')),
  ...PageQueryFields,
});

export type Product = z.infer<typeof ProductSchema>;
export type Variant = z.infer<typeof VariantSchema>;
export type CreateProductInput = z.infer<typeof CreateProductSchema>;
export type UpdateProductInput = z.infer<typeof UpdateProductSchema>;
export type VariantInput = z.infer<typeof VariantInputSchema>;
export type UpdateVariantInput = z.infer<typeof UpdateVariantSchema>;
export type ProductQuery = z.infer<typeof ProductQuerySchema>;
