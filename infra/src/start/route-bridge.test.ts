import { MessageChannel } from 'node:worker_threads';
import { AppError } from '@commerce/common';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { forwardRoutes, routesOf, serveRoutes } from './route-bridge.ts';

// The api thread answers the embedded search routes by asking the main thread over a MessagePort.
// Both ends run here on one real MessageChannel: what the forwarding app answers must be what the
// served app answered (status, headers, body, query), and a dead or silent end must become a typed,
// retriable error rather than a hung request.

const channels: MessageChannel[] = [];
afterEach(() => {
  for (const { port1, port2 } of channels.splice(0)) {
    port1.close();
    port2.close();
  }
});

function served() {
  const app = new Hono();
  app.use('*', async (c, next) => {
    await next();
    c.header('x-served-by', 'main');
  });
  app.get('/search/:collection', (c) => c.json({ collection: c.req.param('collection'), q: c.req.query('q') }));
  app.post('/echo', async (c) =>
    c.json({ body: await c.req.json(), type: c.req.header('content-type'), auth: c.req.header('authorization') }, 201),
  );
  app.delete('/things/:id', (c) => c.body(null, 204));
  app.get('/boom', () => {
    throw new Error('index exploded');
  });
  app.get('/teapot', () => {
    throw new AppError('conflict', 'test.teapot', 'short and stout');
  });
  app.onError((error, c) =>
    error instanceof AppError ? c.json({ code: error.code }, 409) : c.json({ code: 'served.internal' }, 500),
  );
  return app;
}

/** The forwarding app inside an outer app whose onError reports the typed error it got. */
function bridge(app: Hono, { serve = true, timeoutMs }: { serve?: boolean; timeoutMs?: number } = {}) {
  const channel = new MessageChannel();
  channels.push(channel);
  if (serve) serveRoutes(app, channel.port1);
  const outer = new Hono();
  outer.route('/', forwardRoutes(routesOf(app), channel.port2, timeoutMs));
  outer.onError((error, c) =>
    c.json(
      error instanceof AppError
        ? { kind: error.kind, code: error.code, retriable: error.retriable }
        : { kind: 'untyped', code: String(error) },
      error instanceof AppError && error.kind === 'unavailable' ? 503 : 500,
    ),
  );
  return { outer, channel };
}

describe('route bridge', () => {
  it('claims each method and path once, and not the served app middleware', () => {
    const app = served();
    app.get('/search/:collection', (c) => c.text('second handler, same route'));
    expect(routesOf(app)).toEqual([
      { method: 'GET', path: '/search/:collection' },
      { method: 'POST', path: '/echo' },
      { method: 'DELETE', path: '/things/:id' },
      { method: 'GET', path: '/boom' },
      { method: 'GET', path: '/teapot' },
    ]);
  });

  it('answers with what the served app answered: status, headers, body and query', async () => {
    const { outer } = bridge(served());
    const get = await outer.request('/search/products?q=oat%20milk');
    expect(get.status).toBe(200);
    expect(get.headers.get('x-served-by')).toBe('main');
    expect(await get.json()).toEqual({ collection: 'products', q: 'oat milk' });

    const post = await outer.request('/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer abc' },
      body: JSON.stringify({ items: [{ sku: 'é', qty: 2 }] }),
    });
    expect(post.status).toBe(201);
    expect(await post.json()).toEqual({
      body: { items: [{ sku: 'é', qty: 2 }] },
      type: 'application/json',
      auth: 'Bearer abc',
    });

    const deleted = await outer.request('/things/7', { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeNull();
  });

  it('leaves unclaimed paths to the outer app', async () => {
    const { outer } = bridge(served());
    expect((await outer.request('/nothing-here')).status).toBe(404);
    expect((await outer.request('/echo')).status).toBe(404); // GET is not a claimed method there
  });

  it("runs the served app's own onError where it lives", async () => {
    const { outer } = bridge(served());
    const boom = await outer.request('/boom');
    expect(boom.status).toBe(500);
    expect(await boom.json()).toEqual({ code: 'served.internal' });
    const teapot = await outer.request('/teapot');
    expect(teapot.status).toBe(409);
    expect(await teapot.json()).toEqual({ code: 'test.teapot' });
  });

  it('answers many requests in flight each with its own answer', async () => {
    const { outer } = bridge(served());
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        Promise.resolve(outer.request(`/search/c${i}?q=${i}`)).then((r) => r.json()),
      ),
    );
    expect(answers).toEqual(Array.from({ length: 50 }, (_, i) => ({ collection: `c${i}`, q: String(i) })));
  });

  it('fails a request whose serving side threw outside its app as internal, not retriable', async () => {
    const { outer, channel } = bridge(served(), { serve: false });
    serveRoutes({ fetch: async () => Promise.reject(new Error('the index is gone')) }, channel.port1);
    const answer = await outer.request('/search/products?q=x');
    expect(answer.status).toBe(500);
    expect(await answer.json()).toEqual({ kind: 'internal', code: 'http.bridge_failed', retriable: false });
  });

  it('fails pending and later requests as retriable once the port closes', async () => {
    const { outer, channel } = bridge(served(), { serve: false });
    const pending = outer.request('/search/products?q=x');
    await new Promise((r) => setTimeout(r, 20));
    channel.port1.close();
    const answer = await pending;
    expect(answer.status).toBe(503);
    expect(await answer.json()).toEqual({ kind: 'unavailable', code: 'http.bridge_closed', retriable: true });
    const later = await outer.request('/search/products?q=y');
    expect(await later.json()).toEqual({ kind: 'unavailable', code: 'http.bridge_closed', retriable: true });
  });

  it('fails a request nobody answers within the timeout as retriable', async () => {
    const { outer } = bridge(served(), { serve: false, timeoutMs: 50 });
    const started = Date.now();
    const answer = await outer.request('/search/products?q=x');
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(answer.status).toBe(503);
    expect(await answer.json()).toEqual({ kind: 'unavailable', code: 'http.bridge_timeout', retriable: true });
  });
});
