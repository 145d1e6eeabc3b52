import { afterAll, describe, expect, it } from 'vitest';
import { createCdcMetrics } from './metrics.ts';
import { startMetricsServer } from './metrics-server.ts';

const metrics = createCdcMetrics();
let ready = false;
let healthy = true;
const server = await startMetricsServer({
  host: '127.0.0.1',
  port: 0,
  registry: metrics.registry,
  ready: () => ready,
  healthy: () => healthy,
});
afterAll(() => server.stop());
const get = (path: string) => fetch(`http://127.0.0.1:${server.port}${path}`);

describe('cdc ops endpoints', () => {
  it('reports readiness and health as they change', async () => {
    expect((await get('/ready')).status).toBe(503);
    ready = true;
    expect((await get('/ready')).status).toBe(200);
    expect((await get('/health')).status).toBe(200);
    healthy = false;
    const failed = await get('/health');
    expect(failed.status).toBe(503);
    expect(await failed.json()).toEqual({ status: 'failed' });
  });

  it('serves Prometheus metrics and 404s the rest', async () => {
    metrics.slotLagBytes.set(1234);
    const res = await get('/metrics');
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    expect(await res.text()).toMatch(/cdc_slot_lag_bytes 1234/);
    expect((await get('/nope')).status).toBe(404);
  });
});
