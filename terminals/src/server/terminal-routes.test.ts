import { afterAll, describe, expect, it } from 'vitest';
import { createTerminalRoutes } from './terminal-routes.ts';

const pages = createTerminalRoutes({
  config: { TERMINALS_KDS_WARN_MINUTES: 4, TERMINALS_KDS_LATE_MINUTES: 7 },
  hub: async () => ({ url: 'ws://127.0.0.1:3001/ws', publicKey: 'PEM' }),
});

afterAll(async () => {
  await pages.ready().catch(() => {});
});

describe('terminal routes', () => {
  it('serves every page with its script, and security headers', async () => {
    for (const [path, script] of [
      ['/kds', 'kds.js'],
      ['/expo', 'expo.js'],
      ['/pos', 'pos.js'],
      ['/stock', 'stock.js'],
      ['/pair', 'pair.js'],
    ] as const) {
      const res = await pages.app.request(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      const body = await res.text();
      expect(body).toContain(`/terminal-assets/${script}`);
      // every screen shows the connection badge; the pairing page has no live connection
      if (path !== '/pair') expect(body).toContain('id="conn-slot"');
    }
  });

  it('bundles the page scripts into browser ES modules without Node-only code', async () => {
    await pages.ready();
    for (const name of ['kds', 'expo', 'pos', 'stock', 'pair']) {
      const res = await pages.app.request(`/terminal-assets/${name}.js`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/javascript');
      const js = await res.text();
      expect(js.length).toBeGreaterThan(100);
      expect(js).not.toMatch(/require\(["']node:|from ?["']node:|pino/);
    }
    const css = await pages.app.request('/terminal-assets/terminals.css');
    expect(css.headers.get('content-type')).toContain('text/css');
    expect((await pages.app.request('/terminal-assets/nope.js')).status).toBe(404);
  });

  it('publishes the hub and the KDS defaults for screens given a token directly', async () => {
    const res = await pages.app.request('/terminal-config.json');
    expect(await res.json()).toEqual({
      hub: { url: 'ws://127.0.0.1:3001/ws', public_key: 'PEM' },
      kds: { warn_minutes: 4, late_minutes: 7 },
    });
  });

  it('refuses thresholds where red comes before yellow', () => {
    expect(() =>
      createTerminalRoutes({ config: { TERMINALS_KDS_WARN_MINUTES: 8, TERMINALS_KDS_LATE_MINUTES: 5 } }),
    ).toThrow(/must exceed/);
  });
});
