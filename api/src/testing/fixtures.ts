import { createLogger, createTokenSigner, createTokenVerifier, type Role, type TokenSigner } from '@commerce/common';
import { exportPKCS8, exportSPKI, generateKeyPair } from 'jose';
import type { Sql } from 'postgres';
import { type Api, type ApiDeps, createApi } from '../create-api.ts';

export const ISSUER = 'test-issuer';
export const AUDIENCE = 'test-audience';

export interface KeyPairPem {
  publicKeyPem: string;
  privateKeyPem: string;
}

export async function es256Keys(): Promise<KeyPairPem> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  return { publicKeyPem: await exportSPKI(publicKey), privateKeyPem: await exportPKCS8(privateKey) };
}

export interface TestApi {
  api: Api;
  sign: TokenSigner;
  keys: KeyPairPem;
  call: (method: string, path: string, options?: CallOptions) => Promise<CallResult>;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** raw body text (sent as is) */
  raw?: string;
  headers?: Record<string, string>;
  idempotencyKey?: string;
}

export interface CallResult {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: test responses are inspected freely
  body: any;
  headers: Headers;
}

/** The api on a test database, responses checked against their schemas. */
export async function createTestApi(sql: Sql, overrides: Partial<ApiDeps> = {}): Promise<TestApi> {
  const keys = await es256Keys();
  const sign = await createTokenSigner({ privateKeyPem: keys.privateKeyPem, issuer: ISSUER, audience: AUDIENCE });
  const verify = await createTokenVerifier({ publicKeyPem: keys.publicKeyPem, issuer: ISSUER, audience: AUDIENCE });
  const api = createApi({
    config: { API_VALIDATE_RESPONSES: true, AUTH_PRINCIPAL_RECHECK_MS: 0, API_PORT: 0 },
    logger: createLogger('api-test', process.env.TEST_LOG_LEVEL ?? 'silent'),
    sql,
    tokenVerifier: verify,
    tokenSigner: sign,
    ...overrides,
  });
  const call = async (method: string, path: string, options: CallOptions = {}): Promise<CallResult> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
    let body: string | undefined = options.raw;
    if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    const response = await api.app.request(path, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON (metrics, html)
    }
    return { status: response.status, body: parsed, headers: response.headers };
  };
  return { api, sign, keys, call };
}

export interface SeededMerchant {
  merchantId: string;
  slug: string;
  branchId: string;
  stations: { grill: string; bar: string };
  locationId: string;
  /** a second location of the same branch, for transfers */
  backroomId: string;
  staff: Record<Exclude<Role, 'terminal'>, { id: string; token: string }>;
  products: { burger: Product; beer: Product; mug: Product };
}

interface Product {
  productId: string;
  variantId: string;
  sku: string;
  price: number;
}

const STAFF_ROLES = ['owner', 'manager', 'cashier', 'kitchen', 'stock_clerk'] as const;

/**
 * A merchant with one branch (grill + bar stations, a store and a backroom location), one staff
 * user per role with a token, and three published products: a burger (grill), a beer (bar) and a
 * mug (no station, retail), stocked at the store.
 */
export async function seedMerchant(
  sql: Sql,
  sign: TokenSigner,
  slug: string,
  stock: { burger?: number; beer?: number; mug?: number } = {},
): Promise<SeededMerchant> {
  const [m] = await sql<{ id: string }[]>`insert into merchants (slug, name) values (${slug}, ${slug}) returning id`;
  const merchantId = m!.id;
  const [b] = await sql<{ id: string }[]>`
    insert into branches (merchant_id, name) values (${merchantId}, ${`${slug} main`}) returning id`;
  const branchId = b!.id;
  const stations = await sql<{ id: string; code: string }[]>`
    insert into stations (merchant_id, branch_id, code, name)
    values (${merchantId}, ${branchId}, 'grill', ${`${slug} grill`}), (${merchantId}, ${branchId}, 'bar', ${`${slug} bar`})
    returning id, code`;
  const [loc, back] = await sql<{ id: string }[]>`
    insert into locations (merchant_id, branch_id, name) values (${merchantId}, ${branchId}, ${`${slug} store`}),
      (${merchantId}, ${branchId}, ${`${slug} backroom`}) returning id`;
  const staff = {} as SeededMerchant['staff'];
  for (const role of STAFF_ROLES) {
    const [row] = await sql<{ id: string }[]>`
      insert into staff_users (merchant_id, email, name, roles)
      values (${merchantId}, ${`${role}@${slug}.test`}, ${role}, ${sql.array([role])}::staff_role[]) returning id`;
    const token = await sign({ kind: 'staff', id: row!.id, merchantId, roles: [role], ttlSeconds: 3600 });
    staff[role] = { id: row!.id, token };
  }
  const product = async (name: string, sku: string, price: number, station: string | null, onHand: number) => {
    const [p] = await sql<{ id: string }[]>`
      insert into products (merchant_id, name, status, station_code, published_at)
      values (${merchantId}, ${`${slug} ${name}`}, 'published', ${station}, now()) returning id`;
    const [v] = await sql<{ id: string }[]>`
      insert into product_variants (merchant_id, product_id, sku, price_amount, currency)
      values (${merchantId}, ${p!.id}, ${sku}, ${price}, 'USD') returning id`;
    await sql`insert into inventory_levels (merchant_id, variant_id, location_id, on_hand)
              values (${merchantId}, ${v!.id}, ${loc!.id}, ${onHand})`;
    return { productId: p!.id, variantId: v!.id, sku, price };
  };
  return {
    merchantId,
    slug,
    branchId,
    stations: {
      grill: stations.find((s) => s.code === 'grill')!.id,
      bar: stations.find((s) => s.code === 'bar')!.id,
    },
    locationId: loc!.id,
    backroomId: back!.id,
    staff,
    products: {
      burger: await product('Burger', `${slug}-BURGER`, 1250, 'grill', stock.burger ?? 50),
      beer: await product('Beer', `${slug}-BEER`, 600, 'bar', stock.beer ?? 50),
      mug: await product('Mug', `${slug}-MUG`, 900, null, stock.mug ?? 10),
    },
  };
}

export async function stockOf(sql: Sql, variantId: string, locationId: string) {
  const [row] = await sql<{ on_hand: number; reserved: number; available: number }[]>`
    select on_hand, reserved, available from inventory_levels where variant_id = ${variantId} and location_id = ${locationId}`;
  return row ?? { on_hand: 0, reserved: 0, available: 0 };
}
