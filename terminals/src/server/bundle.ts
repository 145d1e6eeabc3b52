import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { bundleFailed } from '../errors.ts';

export interface Asset {
  body: Uint8Array;
  contentType: string;
}

/** The page scripts, one per screen; shared code lands in chunks. */
export const PAGE_ENTRIES = ['kds', 'expo', 'pos', 'stock', 'pair'] as const;
export type PageName = (typeof PAGE_ENTRIES)[number];

const here = dirname(fileURLToPath(import.meta.url));
const browserDir = join(here, '..', 'browser');

/**
 * The browser only needs the pure parts of @commerce/common (topic names, ids, money, event
 * types); its index also exports the logger and the token signer, which drag pino and jose into
 * a page. This maps the package to those files for the page bundle.
 */
function browserCommon(): Plugin {
  const commonDir = dirname(createRequire(import.meta.url).resolve('@commerce/common'));
  const contents = ['topics.ts', 'ids.ts', 'money.ts', 'limits.ts', 'domain-event.ts']
    .map((file) => `export * from ${JSON.stringify(join(commonDir, file))};`)
    .join('\n');
  return {
    name: 'browser-common',
    setup(b) {
      b.onResolve({ filter: /^@commerce\/common$/ }, () => ({ path: 'browser-common', namespace: 'browser-common' }));
      b.onLoad({ filter: /.*/, namespace: 'browser-common' }, () => ({
        contents,
        loader: 'ts',
        resolveDir: commonDir,
      }));
    },
  };
}

/**
 * Bundles the pages' TypeScript (and the hub SDK it uses) into ES modules, in memory, with the
 * esbuild that is already installed: nothing is fetched and nothing is written to disk.
 */
export async function bundlePages(
  options: { sourcemaps?: boolean; minify?: boolean } = {},
): Promise<Map<string, Asset>> {
  let result: Awaited<ReturnType<typeof build>>;
  try {
    result = await build({
      entryPoints: Object.fromEntries(PAGE_ENTRIES.map((name) => [name, join(browserDir, 'pages', `${name}-page.ts`)])),
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'browser',
      target: ['es2022', 'chrome110', 'safari16', 'firefox115'],
      outdir: '/assets',
      entryNames: '[name]',
      chunkNames: 'chunk-[hash]',
      write: false,
      minify: options.minify ?? true,
      sourcemap: options.sourcemaps ? 'linked' : false,
      legalComments: 'none',
      logLevel: 'silent',
      plugins: [browserCommon()],
    });
  } catch (error) {
    const detail = (error as { errors?: Array<{ text: string; location?: { file: string; line: number } }> }).errors;
    const text = detail?.map((e) => `${e.location?.file ?? ''}:${e.location?.line ?? ''} ${e.text}`).join('; ');
    throw bundleFailed(text || (error as Error).message, error);
  }
  const assets = new Map<string, Asset>();
  for (const file of result.outputFiles ?? []) {
    const name = file.path.slice(file.path.lastIndexOf('/') + 1);
    const contentType = name.endsWith('.map') ? 'application/json' : 'text/javascript; charset=utf-8';
    assets.set(name, { body: file.contents, contentType });
  }
  return assets;
}
