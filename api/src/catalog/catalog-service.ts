import { illegalTransition, notFound } from '../errors.ts';
import { type Db, iso } from '../http/db.ts';
import type { Scope } from '../http/scope.ts';
import type {
  CreateProductInput,
  Product,
  ProductQuery,
  UpdateProductInput,
  UpdateVariantInput,
  Variant,
  VariantInput,
} from './catalog-schemas.ts';

interface ProductRow {
  id: string;
  name: string;
  description: string;
  brand: string | null;
  category: string | null;
  tags: string[];
  status: Product['status'];
  station_code: string | null;
  published_at: Date | null;
  archived_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

interface VariantRow {
  id: string;
  product_id: string;
  sku: string;
  name: string;
  price_amount: string;
  currency: string;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

const PRODUCT_COLUMNS = (db: Db) =>
  db`id, name, description, brand, category, tags, status, station_code, published_at, archived_at, created_at, updated_at`;
const VARIANT_COLUMNS = (db: Db) =>
  db`id, product_id, sku, name, price_amount, currency, active, created_at, updated_at`;

export const toVariant = (r: VariantRow): Variant => ({
  id: r.id,
  product_id: r.product_id,
  sku: r.sku,
  name: r.name,
  price: { amount: Number(r.price_amount), currency: r.currency },
  active: r.active,
  created_at: iso(r.created_at),
  updated_at: iso(r.updated_at),
});

const toProduct = (r: ProductRow, variants: VariantRow[]): Product => ({
  id: r.id,
  name: r.name,
  description: r.description,
  brand: r.brand,
  category: r.category,
  tags: r.tags,
  status: r.status,
  station_code: r.station_code,
  published_at: iso(r.published_at),
  archived_at: iso(r.archived_at),
  created_at: iso(r.created_at),
  updated_at: iso(r.updated_at),
  variants: variants.filter((v) => v.product_id === r.id).map(toVariant),
});

async function variantsOf(db: Db, s: Scope, productIds: string[]): Promise<VariantRow[]> {
  if (productIds.length === 0) return [];
  return db<VariantRow[]>`
    select ${VARIANT_COLUMNS(db)} from product_variants
    where merchant_id = ${s.merchantId} and product_id = any(${productIds}::bigint[]) order by id`;
}

async function insertVariants(db: Db, s: Scope, productId: string, inputs: VariantInput[]): Promise<VariantRow[]> {
  if (inputs.length === 0) return [];
  const rows = inputs.map((v) => ({
    merchant_id: s.merchantId,
    product_id: productId,
    sku: v.sku,
    name: v.name,
    price_amount: v.price.amount,
    currency: v.price.currency,
    active: v.active,
  }));
  return db<VariantRow[]>`insert into product_variants ${db(rows)} returning ${VARIANT_COLUMNS(db)}`;
}

/** New products start as drafts: invisible to shoppers until published. */
export async function createProduct(db: Db, s: Scope, input: CreateProductInput): Promise<Product> {
  const [row] = await db<ProductRow[]>`
    insert into products (merchant_id, name, description, brand, category, tags, station_code)
    values (${s.merchantId}, ${input.name}, ${input.description}, ${input.brand}, ${input.category},
            ${input.tags}::text[], ${input.station_code})
    returning ${PRODUCT_COLUMNS(db)}`;
  const variants = await insertVariants(db, s, row!.id, input.variants);
  return toProduct(row!, variants);
}

export async function getProduct(db: Db, s: Scope, id: string, lock = false): Promise<Product> {
  const [row] = await db<ProductRow[]>`
    select ${PRODUCT_COLUMNS(db)} from products where merchant_id = ${s.merchantId} and id = ${id}
    ${lock ? db`for update` : db``}`;
  if (!row) throw notFound('product', id);
  return toProduct(row, await variantsOf(db, s, [id]));
}

export async function listProducts(
  db: Db,
  s: Scope,
  query: ProductQuery,
): Promise<{ items: Product[]; next_cursor: string | null }> {
  const rows = await db<ProductRow[]>`
    select ${PRODUCT_COLUMNS(db)} from products p
    where merchant_id = ${s.merchantId}
      ${query.cursor ? db`and id > ${query.cursor}` : db``}
      ${query.status ? db`and status = ${query.status}` : db``}
      ${query.category ? db`and category = ${query.category}` : db``}
      ${query.brand ? db`and brand = ${query.brand}` : db``}
      ${query.station_code ? db`and station_code = ${query.station_code}` : db``}
      ${query.q ? db`and name ilike ${`%${query.q.replace(/[\\%_]/g, '\\$&')}%`}` : db``}
      ${query.sku ? db`and exists (select 1 from product_variants v where v.merchant_id = p.merchant_id and v.product_id = p.id and v.sku = ${query.sku})` : db``}
    order by id limit ${query.limit + 1}`;
  const pageRows = rows.slice(0, query.limit);
  const variants = await variantsOf(
    db,
    s,
    pageRows.map((r) => r.id),
  );
  return {
    items: pageRows.map((r) => toProduct(r, variants)),
    next_cursor: rows.length > query.limit ? pageRows[pageRows.length - 1]!.id : null,
  };
}

export async function updateProduct(db: Db, s: Scope, id: string, input: UpdateProductInput): Promise<Product> {
  const [row] = await db<ProductRow[]>`
    update products set
      name = coalesce(${input.name ?? null}, name),
      description = coalesce(${input.description ?? null}, description),
      brand = ${input.brand === undefined ? db`brand` : input.brand},
      category = ${input.category === undefined ? db`category` : input.category},
      tags = coalesce(${input.tags ?? null}::text[], tags),
      station_code = ${input.station_code === undefined ? db`station_code` : input.station_code}
    where merchant_id = ${s.merchantId} and id = ${id}
    returning ${PRODUCT_COLUMNS(db)}`;
  if (!row) throw notFound('product', id);
  return toProduct(row, await variantsOf(db, s, [id]));
}

/** draft|archived → published; needs at least one active variant to sell. */
export async function publishProduct(db: Db, s: Scope, id: string): Promise<Product> {
  const product = await getProduct(db, s, id, true);
  if (product.status === 'published') throw illegalTransition('product', id, product.status, 'publish');
  if (!product.variants.some((v) => v.active)) {
    throw illegalTransition('product', id, product.status, 'publish without an active variant');
  }
  const [row] = await db<ProductRow[]>`
    update products set status = 'published', published_at = now(), archived_at = null
    where merchant_id = ${s.merchantId} and id = ${id} returning ${PRODUCT_COLUMNS(db)}`;
  return toProduct(row!, await variantsOf(db, s, [id]));
}

/** draft|published → archived: no longer sold or shown. */
export async function archiveProduct(db: Db, s: Scope, id: string): Promise<Product> {
  const product = await getProduct(db, s, id, true);
  if (product.status === 'archived') throw illegalTransition('product', id, product.status, 'archive');
  const [row] = await db<ProductRow[]>`
    update products set status = 'archived', archived_at = now()
    where merchant_id = ${s.merchantId} and id = ${id} returning ${PRODUCT_COLUMNS(db)}`;
  return toProduct(row!, await variantsOf(db, s, [id]));
}

export async function addVariant(db: Db, s: Scope, productId: string, input: VariantInput): Promise<Variant> {
  const [product] = await db`select id from products where merchant_id = ${s.merchantId} and id = ${productId}`;
  if (!product) throw notFound('product', productId);
  const [row] = await insertVariants(db, s, productId, [input]);
  return toVariant(row!);
}

export async function getVariant(db: Db, s: Scope, id: string): Promise<Variant> {
  const [row] = await db<VariantRow[]>`
    select ${VARIANT_COLUMNS(db)} from product_variants where merchant_id = ${s.merchantId} and id = ${id}`;
  if (!row) throw notFound('variant', id);
  return toVariant(row);
}

export async function updateVariant(db: Db, s: Scope, id: string, input: UpdateVariantInput): Promise<Variant> {
  const [row] = await db<VariantRow[]>`
    update product_variants set
      name = coalesce(${input.name ?? null}, name),
      price_amount = coalesce(${input.price?.amount ?? null}::bigint, price_amount),
      currency = coalesce(${input.price?.currency ?? null}, currency),
      active = coalesce(${input.active ?? null}::boolean, active)
    where merchant_id = ${s.merchantId} and id = ${id}
    returning ${VARIANT_COLUMNS(db)}`;
  if (!row) throw notFound('variant', id);
  return toVariant(row);
}
