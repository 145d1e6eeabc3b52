import { createRoute } from '@hono/zod-openapi';
import { requires } from '../http/guard.ts';
import { IdempotencyHeaders, mutate } from '../http/idempotency.ts';
import type { ApiApp, RouteDeps } from '../http/route-deps.ts';
import { BEARER_SECURITY, COMMON_ERRORS, json, jsonBody, MUTATION_ERRORS } from '../http/route-helpers.ts';
import { IdParams } from '../http/schemas.ts';
import { scope } from '../http/scope.ts';
import {
  CreateProductSchema,
  ProductPageSchema,
  ProductQuerySchema,
  ProductSchema,
  UpdateProductSchema,
  UpdateVariantSchema,
  VariantInputSchema,
  VariantSchema,
} from './catalog-schemas.ts';
import {
  addVariant,
  archiveProduct,
  createProduct,
  getProduct,
  getVariant,
  listProducts,
  publishProduct,
  updateProduct,
  updateVariant,
} from './catalog-service.ts';

const tags = ['catalog'];
const read = { tags, security: BEARER_SECURITY, middleware: requires('catalog:read') };
const write = { tags, security: BEARER_SECURITY, middleware: requires('catalog:write') };

const routes = {
  create: createRoute({
    method: 'post',
    path: '/products',
    summary: 'Create a product (as draft) with its variants',
    ...write,
    request: { headers: IdempotencyHeaders, body: jsonBody(CreateProductSchema) },
    responses: { 201: json(ProductSchema, 'created'), ...MUTATION_ERRORS },
  }),
  list: createRoute({
    method: 'get',
    path: '/products',
    summary: 'List products, filtered, by id with a cursor',
    ...read,
    request: { query: ProductQuerySchema },
    responses: { 200: json(ProductPageSchema, 'a page of products'), ...COMMON_ERRORS },
  }),
  get: createRoute({
    method: 'get',
    path: '/products/{id}',
    summary: 'One product with its variants',
    ...read,
    request: { params: IdParams },
    responses: { 200: json(ProductSchema, 'the product'), ...COMMON_ERRORS },
  }),
  update: createRoute({
    method: 'patch',
    path: '/products/{id}',
    summary: 'Change product fields',
    ...write,
    request: { params: IdParams, headers: IdempotencyHeaders, body: jsonBody(UpdateProductSchema) },
    responses: { 200: json(ProductSchema, 'updated'), ...MUTATION_ERRORS },
  }),
  publish: createRoute({
    method: 'post',
    path: '/products/{id}/publish',
    summary: 'Publish (draft or archived → published)',
    ...write,
    request: { params: IdParams, headers: IdempotencyHeaders },
    responses: { 200: json(ProductSchema, 'published'), ...MUTATION_ERRORS },
  }),
  archive: createRoute({
    method: 'post',
    path: '/products/{id}/archive',
    summary: 'Archive (draft or published → archived)',
    ...write,
    request: { params: IdParams, headers: IdempotencyHeaders },
    responses: { 200: json(ProductSchema, 'archived'), ...MUTATION_ERRORS },
  }),
  addVariant: createRoute({
    method: 'post',
    path: '/products/{id}/variants',
    summary: 'Add a variant (SKU unique per merchant)',
    ...write,
    request: { params: IdParams, headers: IdempotencyHeaders, body: jsonBody(VariantInputSchema) },
    responses: { 201: json(VariantSchema, 'created'), ...MUTATION_ERRORS },
  }),
  getVariant: createRoute({
    method: 'get',
    path: '/variants/{id}',
    summary: 'One variant',
    ...read,
    request: { params: IdParams },
    responses: { 200: json(VariantSchema, 'the variant'), ...COMMON_ERRORS },
  }),
  updateVariant: createRoute({
    method: 'patch',
    path: '/variants/{id}',
    summary: 'Change a variant’s name, price or active flag',
    ...write,
    request: { params: IdParams, headers: IdempotencyHeaders, body: jsonBody(UpdateVariantSchema) },
    responses: { 200: json(VariantSchema, 'updated'), ...MUTATION_ERRORS },
  }),
};

export function registerCatalogRoutes(app: ApiApp, deps: RouteDeps): void {
  const { sql } = deps;
  app.openapi(routes.create, async (c) => {
    const input = c.req.valid('json');
    return c.json(await mutate(sql, c, 201, input, (tx) => createProduct(tx, scope(c), input)), 201);
  });
  app.openapi(routes.list, async (c) => c.json(await listProducts(sql, scope(c), c.req.valid('query')), 200));
  app.openapi(routes.get, async (c) => c.json(await getProduct(sql, scope(c), c.req.valid('param').id), 200));
  app.openapi(routes.update, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    return c.json(await mutate(sql, c, 200, input, (tx) => updateProduct(tx, scope(c), id, input)), 200);
  });
  app.openapi(routes.publish, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(await mutate(sql, c, 200, null, (tx) => publishProduct(tx, scope(c), id)), 200);
  });
  app.openapi(routes.archive, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(await mutate(sql, c, 200, null, (tx) => archiveProduct(tx, scope(c), id)), 200);
  });
  app.openapi(routes.addVariant, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    return c.json(await mutate(sql, c, 201, input, (tx) => addVariant(tx, scope(c), id, input)), 201);
  });
  app.openapi(routes.getVariant, async (c) => c.json(await getVariant(sql, scope(c), c.req.valid('param').id), 200));
  app.openapi(routes.updateVariant, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    return c.json(await mutate(sql, c, 200, input, (tx) => updateVariant(tx, scope(c), id, input)), 200);
  });
}
