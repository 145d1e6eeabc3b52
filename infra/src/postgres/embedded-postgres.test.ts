import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// A process that loads our embedded Postgres launcher keeps the exit code it sets (the launcher's
// library used to turn every natural exit into exit code 0, so a failed test run looked green),
// and a cluster still running when it calls process.exit is shut down.
const module = new URL('./embedded-postgres.ts', import.meta.url).pathname;
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function runChild(script: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('embedded Postgres launcher and the process exit code', () => {
  it('keeps the exit code of a process that ends on its own', async () => {
    const { code, output } = await runChild(
      `await import(${JSON.stringify(module)}); process.exitCode = 3; setTimeout(() => {}, 50);`,
    );
    expect(output).toBe('');
    expect(code).toBe(3);
  });

  it('shuts a cluster down when its process exits with process.exit, keeping that exit code', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pg-exit-'));
    dirs.push(dir);
    const dataDir = join(dir, 'pg');
    const pidFile = join(dataDir, 'postmaster.pid');
    const { code, output } = await runChild(
      `const { startEmbeddedPostgres } = await import(${JSON.stringify(module)});
       const { readFileSync } = await import('node:fs');
       await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)} });
       process.stdout.write('pid ' + readFileSync(${JSON.stringify(pidFile)}, 'utf8').split('\\n')[0] + '\\n');
       process.exit(5);`,
    );
    expect(code, output).toBe(5);
    const pid = Number(/pid (\d+)/.exec(output)?.[1]);
    expect(pid, output).toBeGreaterThan(0);
    for (let waited = 0; alive(pid) && waited < 10_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
    expect(alive(pid)).toBe(false);
  }, 60_000);
});
