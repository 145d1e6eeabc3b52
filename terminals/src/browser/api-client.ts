/**
 * The api as the pages use it: same origin, bearer token, an Idempotency-Key on every mutation
 * (a retried tap never acts twice). Response bodies are returned as the api sends them; the state
 * modules read them. Every call the pages make is listed here, in one place.
 */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

export type Json = Record<string, unknown>;
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  baseUrl?: string;
  token?: string | null;
  fetch?: FetchLike;
  /** called with the server's clock minus ours (ms) whenever a response carries a Date header */
  onClock?: (skewMs: number) => void;
  newKey?: () => string;
}

export interface LoginInput {
  merchant: string;
  email: string;
  pin: string;
}

export interface PairInput {
  kind: 'pos' | 'kds' | 'stock_feed';
  name: string;
  branch_id?: string;
  station_ids?: string[];
  roles?: Array<'cashier' | 'kitchen' | 'stock_clerk'>;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** A random UUID v4; getRandomValues works where randomUUID does not (plain-http pages). */
export function randomKey(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function createApiClient(options: ApiClientOptions = {}) {
  const base = options.baseUrl ?? '';
  const doFetch: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const newKey = options.newKey ?? randomKey;
  let token = options.token ?? null;

  async function call<T>(method: string, path: string, body?: unknown, auth = true): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (auth && token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET') headers['idempotency-key'] = newKey();
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      throw new ApiRequestError(0, 'network', `cannot reach the server (${(error as Error).message})`);
    }
    const date = response.headers.get('date');
    if (date && options.onClock) {
      const server = Date.parse(date);
      if (!Number.isNaN(server)) options.onClock(server - Date.now());
    }
    const text = await response.text();
    let data: unknown = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
    if (!response.ok) {
      const error = (data as { error?: { code?: string; message?: string } } | null)?.error;
      throw new ApiRequestError(
        response.status,
        error?.code ?? `http.${response.status}`,
        error?.message ?? `HTTP ${response.status}`,
      );
    }
    return data as T;
  }

  const query = (params: Record<string, string | number | undefined>) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
    const s = q.toString();
    return s ? `?${s}` : '';
  };

  return {
    setToken(next: string | null) {
      token = next;
    },
    login: (input: LoginInput) => call<Json>('POST', '/auth/login', input, false),
    me: () => call<Json>('GET', '/me'),
    branches: () => call<Json[]>('GET', '/branches'),
    stations: (branchId?: string) => call<Json[]>('GET', `/stations${query({ branch_id: branchId })}`),
    pair: (input: PairInput) => call<Json>('POST', '/terminals', input),
    tickets: (params: { station_id?: string; branch_id?: string; status?: 'open' | 'bumped'; limit?: number }) =>
      call<Json[]>('GET', `/kitchen/tickets${query(params)}`),
    ticket: (id: string) => call<Json>('GET', `/kitchen/tickets/${encodeURIComponent(id)}`),
    bump: (id: string) => call<Json>('POST', `/kitchen/tickets/${encodeURIComponent(id)}/bump`),
    recall: (id: string) => call<Json>('POST', `/kitchen/tickets/${encodeURIComponent(id)}/recall`),
    /** explicit target status: two screens tapping the same item cannot push it two steps */
    setItemStatus: (id: string, status: 'preparing' | 'ready' | 'served') =>
      call<Json>('PATCH', `/kitchen/items/${encodeURIComponent(id)}`, { status }),
    orders: (params: { branch_id?: string; status?: string; limit?: number; cursor?: string }) =>
      call<Page<Json>>('GET', `/orders${query(params)}`),
    levels: (params: { below_threshold?: 'true'; limit?: number; cursor?: string; location_id?: string }) =>
      call<Page<Json>>('GET', `/inventory/levels${query(params)}`),
    locations: () => call<Json[]>('GET', '/locations'),
    terminalConfig: () => call<Json>('GET', '/terminal-config.json', undefined, false),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
