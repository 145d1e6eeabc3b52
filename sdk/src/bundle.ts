import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * The SDK as one self-contained ES module for browsers (no network, no build step beyond this):
 * pages can serve the returned text as `/sdk/commerce-sdk.js`. Node-only; not part of the SDK itself.
 */
export async function bundleSdk(options: { minify?: boolean } = {}): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./index.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: options.minify ?? true,
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}
