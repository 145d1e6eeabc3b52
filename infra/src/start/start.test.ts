import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../net.ts';

// `npm start` end to end: the real entry point in a child process, on free ports and a temp folder.
const dataDir = await mkdtemp(join(tmpdir(), 'commerce-start-'));
let child: ChildProcess | undefined;
afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

function isAlive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start', () => {
  it('comes up with demo data, prints URLs and tokens, answers /health, and stops cleanly on SIGTERM', async () => {
    const ports = {
      PG_PORT: await freePort(),
      API_PORT: await freePort(),
      HUB_PORT: await freePort(),
      CDC_METRICS_PORT: await freePort(),
    };
    child = spawn(process.execPath, ['--import', 'tsx', 'infra/src/start/main.ts'], {
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        SEED_RETAIL_PRODUCTS: '300',
        LOG_LEVEL: 'warn',
        PG_PORT: String(ports.PG_PORT),
        API_PORT: String(ports.API_PORT),
        HUB_PORT: String(ports.HUB_PORT),
        CDC_METRICS_PORT: String(ports.CDC_METRICS_PORT),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (c) => {
      output += c;
    });
    child.stderr?.on('data', (c) => {
      output += c;
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner within 90 s:\n${output}`)), 90_000);
      const check = setInterval(() => {
        if (output.includes('or paste one of these tokens')) {
          clearInterval(check);
          clearTimeout(timer);
          resolve();
        }
        if (child?.exitCode !== null) {
          clearInterval(check);
          clearTimeout(timer);
          reject(new Error(`start exited early:\n${output}`));
        }
      }, 100);
    });
    // give the banner's token lines a moment to flush
    await new Promise((r) => setTimeout(r, 300));
    expect(output).toContain('Commerce hub is up');
    expect(output).toMatch(/device Grill KDS:\s+ey[\w-]+\.[\w-]+\.[\w-]+/);
    const apiUrl = /API\s+(http:\/\/\S+)/.exec(output)?.[1];
    expect(apiUrl, output).toBeDefined();
    const health = await fetch(`${apiUrl}/health`);
    expect(health.status).toBe(200);
    const capture = await fetch(`http://127.0.0.1:${ports.CDC_METRICS_PORT}/metrics`);
    expect(await capture.text()).toMatch(/cdc_slot_lag_bytes/);

    const pidFile = join(dataDir, 'postgres', 'postmaster.pid');
    expect(existsSync(pidFile)).toBe(true);
    const pgPid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    expect(isAlive(pgPid)).toBe(true);

    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (let i = 0; i < 50 && isAlive(pgPid); i++) await new Promise((r) => setTimeout(r, 100));
    expect(isAlive(pgPid)).toBe(false);
  }, 120_000);
});
