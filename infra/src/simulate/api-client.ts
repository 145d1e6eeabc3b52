import { randomUUID } from 'node:crypto';

const REQUEST_TIMEOUT_MS = 30_000;

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  /** request sent → response body read, ms */
  ms: number;
}

export interface ApiClient {
  readonly baseUrl: string;
  /** Any api call with a bearer token; mutating calls carry an Idempotency-Key (a fresh one unless given). */
  call<T = unknown>(
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    path: string,
    options: { token?: string; body?: unknown; idempotencyKey?: string },
  ): Promise<ApiResponse<T>>;
}

/** A thin fetch wrapper (keep-alive through Node's built-in pool) that times every call. */
export function createApiClient(baseUrl: string): ApiClient {
  return {
    baseUrl,
    async call<T>(
      method: string,
      path: string,
      options: { token?: string; body?: unknown; idempotencyKey?: string },
    ): Promise<ApiResponse<T>> {
      const headers: Record<string, string> = {};
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      if (method !== 'GET') headers['idempotency-key'] = options.idempotencyKey ?? randomUUID();
      const started = performance.now();
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        // a request the system never answers must not hold the simulator's shutdown forever
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      const ms = performance.now() - started;
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        // not JSON (an HTML error page would be a bug worth seeing as text)
      }
      return { status: response.status, body: body as T, ms };
    },
  };
}

/** The api's error body: `{ error: { code, message } }`; a short label for error tallies. */
export function errorLabel(response: ApiResponse): string {
  const body = response.body as { error?: { code?: string } } | null;
  return `${response.status} ${body?.error?.code ?? ''}`.trim();
}
