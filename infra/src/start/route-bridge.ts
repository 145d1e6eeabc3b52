import type { MessagePort } from 'node:worker_threads';
import { type Context, Hono } from 'hono';
import { InfraError } from '../errors.ts';

/**
 * HTTP routes served by another thread. The api runs in a worker thread, but the embedded search
 * index lives in the main thread (cdc feeds it there): the worker forwards the storefront's
 * requests over a MessagePort to the search app, which answers as if it were mounted in the api.
 * Only routes with a method are forwarded; the served app's own middleware and onError run where
 * it lives.
 */

export interface RouteSpec {
  method: string;
  path: string;
}

interface BridgeRequest {
  id: number;
  method: string;
  url: string;
  headers: Array<[string, string]>;
  body: ArrayBuffer | null;
}

type BridgeResponse =
  | { id: number; status: number; headers: Array<[string, string]>; body: ArrayBuffer }
  | { id: number; failed: string };

/** How long a forwarded request waits for its answer before the worker answers 504 itself. */
export const BRIDGE_TIMEOUT_MS = 30_000;

/** The routes of `app` that `forwardRoutes` should claim: one per method and path. */
export function routesOf(app: Hono): RouteSpec[] {
  const seen = new Map<string, RouteSpec>();
  for (const { method, path } of app.routes) {
    if (method !== 'ALL') seen.set(`${method} ${path}`, { method, path });
  }
  return [...seen.values()];
}

/** The serving side: answer every request that arrives on `port` with `app`. */
export function serveRoutes(app: Pick<Hono, 'fetch'>, port: MessagePort): void {
  port.on('message', async ({ id, method, url, headers, body }: BridgeRequest) => {
    try {
      const response = await app.fetch(new Request(url, { method, headers, body }));
      const bytes = await response.arrayBuffer();
      const reply: BridgeResponse = { id, status: response.status, headers: [...response.headers], body: bytes };
      port.postMessage(reply, [bytes]);
    } catch (error) {
      port.postMessage({ id, failed: error instanceof Error ? error.message : String(error) } satisfies BridgeResponse);
    }
  });
}

/** The forwarding side: a Hono app claiming `routes`, each answered over `port`. */
export function forwardRoutes(routes: readonly RouteSpec[], port: MessagePort, timeoutMs = BRIDGE_TIMEOUT_MS): Hono {
  const waiting = new Map<number, { resolve: (response: Response) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let closed = false;
  port.on('message', (reply: BridgeResponse) => {
    const waiter = waiting.get(reply.id);
    if (!waiter) return;
    waiting.delete(reply.id);
    if ('failed' in reply) {
      waiter.reject(new InfraError('internal', 'http.bridge_failed', `the forwarded route failed: ${reply.failed}`));
      return;
    }
    const empty = reply.status === 204 || reply.status === 304 || reply.body.byteLength === 0;
    waiter.resolve(new Response(empty ? null : reply.body, { status: reply.status, headers: reply.headers }));
  });
  port.on('close', () => {
    closed = true;
    for (const waiter of waiting.values()) waiter.reject(shuttingDown());
    waiting.clear();
  });

  const forward = async (c: Context) => {
    if (closed) throw shuttingDown();
    const raw = c.req.raw;
    const body = raw.method === 'GET' || raw.method === 'HEAD' ? null : await raw.arrayBuffer();
    const id = nextId++;
    return new Promise<Response>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(
          new InfraError(
            'unavailable',
            'http.bridge_timeout',
            `the forwarded route gave no answer within ${timeoutMs} ms`,
            {
              retriable: true,
            },
          ),
        );
      }, timeoutMs);
      waiting.set(id, {
        resolve: (response) => {
          clearTimeout(timer);
          resolve(response);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      const request: BridgeRequest = { id, method: raw.method, url: raw.url, headers: [...raw.headers], body };
      port.postMessage(request, body ? [body] : []);
    });
  };
  const app = new Hono();
  for (const route of routes) app.on(route.method, route.path, forward);
  return app;
}

const shuttingDown = () =>
  new InfraError('unavailable', 'http.bridge_closed', 'the forwarded route is shutting down', { retriable: true });
