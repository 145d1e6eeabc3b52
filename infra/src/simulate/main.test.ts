import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const run = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8', timeout: 60_000 });

describe('npm run simulate (command line)', () => {
  it('stops with exit code 2, the flag and the usage on bad input, before booting anything', () => {
    const result = run('--orders-per-s', 'fast');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--orders-per-s: expected a number, got "fast"');
    expect(result.stderr).toContain('usage: npm run simulate');
    expect(result.stdout).not.toContain('booting');
  });

  it('prints the usage with --help', () => {
    const result = run('--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/--with-redis/);
  });
});
