import { describe, expect, it } from 'vitest';
import { ApiRequestError, createApiClient, randomKey } from './api-client.ts';

function fakeFetch(status: number, body: unknown, headers: Record<string, string> = {}) {
  const calls: Array<{ url: string; init: RequestInit | undefined }> = [];
  const fetch = async (url: string, init?: RequestInit) => {
    calls.push({ url, init });
    return new Response(body === undefined ? '' : JSON.stringify(body), { status, headers });
  };
  return { calls, fetch };
}

describe('api client', () => {
  it('sends the bearer token, and an idempotency key on every write', async () => {
    const { calls, fetch } = fakeFetch(200, { id: '1' });
    const api = createApiClient({ token: 't0k', fetch, newKey: () => 'k1' });
    await api.bump('42');
    await api.tickets({ station_id: '11', status: 'open', limit: 5 });
    await api.setItemStatus('7', 'ready');
    expect(calls.map((c) => [c.init?.method, c.url])).toEqual([
      ['POST', '/kitchen/tickets/42/bump'],
      ['GET', '/kitchen/tickets?station_id=11&status=open&limit=5'],
      ['PATCH', '/kitchen/items/7'],
    ]);
    const headers = calls.map((c) => c.init?.headers as Record<string, string>);
    expect(headers[0]).toMatchObject({ authorization: 'Bearer t0k', 'idempotency-key': 'k1' });
    expect(headers[1]?.['idempotency-key']).toBeUndefined();
    expect(calls[2]?.init?.body).toBe('{"status":"ready"}');
  });

  it('turns error bodies into typed errors and reports the server clock', async () => {
    const date = new Date(Date.now() + 60_000).toUTCString();
    const { fetch } = fakeFetch(
      409,
      { error: { kind: 'conflict', code: 'kitchen.bad_transition', message: 'no' } },
      {
        date,
      },
    );
    let skew = 0;
    const api = createApiClient({ fetch, onClock: (ms) => (skew = ms) });
    const error = await api.recall('1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiRequestError);
    expect(error).toMatchObject({ status: 409, code: 'kitchen.bad_transition', message: 'no' });
    expect(skew).toBeGreaterThan(50_000);
    const offline = createApiClient({
      fetch: async () => {
        throw new TypeError('Failed to fetch');
      },
    });
    await expect(offline.me()).rejects.toMatchObject({ status: 0, code: 'network' });
  });

  it('makes random v4 UUIDs without randomUUID', () => {
    const a = randomKey();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(randomKey()).not.toBe(a);
  });
});
