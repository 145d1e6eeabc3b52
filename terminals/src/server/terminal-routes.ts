import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Logger, parseConfig } from '@commerce/common';
import { Hono } from 'hono';
import { type TerminalsConfig, terminalsConfigSchema } from '../config.ts';
import { TerminalsError } from '../errors.ts';
import { type Asset, bundlePages, type PageName } from './bundle.ts';

/** Where a screen finds the hub when it was given a token directly (demo tokens) instead of pairing. */
export interface HubInfo {
  /** the hub's WebSocket URL as browsers reach it, e.g. `ws://127.0.0.1:3001/ws` */
  url: string;
  /** SPKI PEM of the hub's long-term signing key: what screens pin */
  publicKey: string;
}

export interface TerminalRoutesDeps {
  /** parsed TERMINALS_* settings; anything left out takes its default */
  config?: Partial<TerminalsConfig>;
  /** optional: lets a screen that was handed a device token (not paired here) find and pin the hub */
  hub?: HubInfo | (() => HubInfo | null | Promise<HubInfo | null>);
  logger?: Logger;
}

export interface TerminalPages {
  /** mount with `app.route('/', pages.app)`: serves /pair /kds /expo /pos /stock and /terminal-assets/* */
  app: Hono;
  /** resolves once the page scripts are bundled (requests wait for it anyway); rejects if bundling failed */
  ready(): Promise<void>;
}

export const PAGE_PATHS: Record<PageName, string> = {
  pair: '/pair',
  kds: '/kds',
  expo: '/expo',
  pos: '/pos',
  stock: '/stock',
};

const DEFAULTS = parseConfig(terminalsConfigSchema, {});
const pagesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'pages');

// Same-origin api calls; the hub WebSocket is on its own port (ws:/wss:). No inline script or style.
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

/**
 * The terminal pages as a Hono sub-app: static HTML and CSS from src/pages, the page scripts
 * bundled in memory at startup (see bundle.ts), and a small config document. Pages talk to the
 * api on the same origin and to the hub on the URL they were paired with.
 */
export function createTerminalRoutes(deps: TerminalRoutesDeps = {}): TerminalPages {
  const config: TerminalsConfig = { ...DEFAULTS, ...deps.config };
  if (config.TERMINALS_KDS_LATE_MINUTES <= config.TERMINALS_KDS_WARN_MINUTES) {
    throw new TerminalsError(
      'config',
      'terminals.thresholds',
      `TERMINALS_KDS_LATE_MINUTES (${config.TERMINALS_KDS_LATE_MINUTES}) must exceed TERMINALS_KDS_WARN_MINUTES (${config.TERMINALS_KDS_WARN_MINUTES})`,
    );
  }
  const html = new Map<PageName, string>();
  for (const [name] of Object.entries(PAGE_PATHS) as Array<[PageName, string]>) {
    html.set(name, readFileSync(join(pagesDir, `${name}.html`), 'utf8'));
  }
  const staticAssets = new Map<string, Asset>([
    ['terminals.css', { body: readFileSync(join(pagesDir, 'terminals.css')), contentType: 'text/css; charset=utf-8' }],
  ]);
  const bundled = bundlePages({ sourcemaps: config.TERMINALS_DEV_SOURCEMAPS });
  bundled.catch((error) => deps.logger?.error({ err: error }, 'terminal pages could not be bundled'));

  const app = new Hono();
  for (const [name, path] of Object.entries(PAGE_PATHS) as Array<[PageName, string]>) {
    app.get(path, (c) => c.html(html.get(name)!, 200, { ...SECURITY_HEADERS, 'cache-control': 'no-cache' }));
  }
  app.get('/terminal-assets/:file', async (c) => {
    const file = c.req.param('file');
    const asset = staticAssets.get(file) ?? (await bundled).get(file);
    if (!asset)
      return c.json({ error: { kind: 'not_found', code: 'terminals.no_asset', message: 'no such asset' } }, 404);
    return c.body(asset.body as Uint8Array<ArrayBuffer>, 200, {
      'content-type': asset.contentType,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
  });
  app.get('/terminal-config.json', async (c) => {
    const hub = typeof deps.hub === 'function' ? await deps.hub() : (deps.hub ?? null);
    return c.json(
      {
        hub: hub ? { url: hub.url, public_key: hub.publicKey } : null,
        kds: { warn_minutes: config.TERMINALS_KDS_WARN_MINUTES, late_minutes: config.TERMINALS_KDS_LATE_MINUTES },
      },
      200,
      { 'cache-control': 'no-store' },
    );
  });
  return {
    app,
    async ready() {
      await bundled;
    },
  };
}
