import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// `npm run bench:e2e` itself, shrunk: the real script in a child process (its own Postgres, the
// terminals and the load in their own processes), so the BENCH line the README quotes stays readable.
const script = fileURLToPath(new URL('./e2e-bench.ts', import.meta.url));
const TINY = {
  BENCH_DURATION: '2',
  BENCH_WARMUP: '0',
  BENCH_GRACE: '3',
  BENCH_TERMINALS: '10',
  // the demo's two branches: no branches created through the api, and 10 terminals give each a POS
  BENCH_BRANCHES: '2',
  BENCH_RATE: '20',
  BENCH_MENU: '10',
  BENCH_BUSES: 'memory',
  BENCH_PG_STATEMENTS: '0',
};

function runBench(timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, ...TINY, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bench:e2e did not finish within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('npm run bench:e2e', () => {
  it('ends with one BENCH {json} line: numeric throughput and latencies, nothing lost', async () => {
    const { code, output } = await runBench(80_000);
    expect(code, output).toBe(0);
    const last = output.trimEnd().split('\n').at(-1) ?? '';
    expect(last, output).toMatch(/^BENCH \{.*\}$/);
    const bench = JSON.parse(last.slice('BENCH '.length)) as Record<string, unknown>;
    expect(bench.bench).toBe('e2e');
    for (const key of ['orders_per_s', 'p50_ms', 'p99_ms']) {
      expect(typeof bench[key], `${key} in ${last}`).toBe('number');
      expect(bench[key] as number, key).toBeGreaterThan(0);
    }
    expect(bench.p99_ms as number).toBeGreaterThanOrEqual(bench.p50_ms as number);
    // timed from the commit, a delivery comes after the request was sent: no longer than from the send
    expect(typeof bench.from_commit_p99_ms, last).toBe('number');
    expect(bench.from_commit_p99_ms as number).toBeLessThanOrEqual((bench.p99_ms as number) + 1);
    expect(bench.lost, output).toBe(0);
    expect(bench.failed, output).toBe(0);
    expect(bench.terminals).toBe(10);
    // the memory run only: no Redis figures
    expect(bench).not.toHaveProperty('redis_p99_ms');
  }, 90_000);
});
