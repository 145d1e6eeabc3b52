import { renderSummary } from './dashboard.ts';
import type { SimulateOptions } from './options.ts';
import { type RushTarget, runRush } from './rush.ts';

/**
 * The rush's devices in their own process (forked by main.ts): POS, KDS, stock feed and shoppers
 * get a core of their own instead of sharing the server's event loop. Receives the target and the
 * options over IPC, prints the live view and the summary on the shared stdout, exits 0 or 1.
 */
export interface RushChildStart {
  target: RushTarget;
  options: SimulateOptions;
}

const aborted = new AbortController();
process.on('SIGINT', () => aborted.abort());
process.on('SIGTERM', () => aborted.abort());
process.on('disconnect', () => aborted.abort());

process.once('message', async ({ target, options }: RushChildStart) => {
  let code = 0;
  try {
    const summary = await runRush({ target, options, say: (line) => console.log(line), signal: aborted.signal });
    console.log(renderSummary(summary));
    if (aborted.signal.aborted) {
      console.log('  (ended early by a signal)');
    }
  } catch (error) {
    code = 1;
    console.error(`rush failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
  process.exit(code);
});
