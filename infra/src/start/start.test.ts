import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `npm start` end to end: the real entry point in a child process, on free ports and a temp folder.
// One boot per variant; the tests of a variant run in order on it, the last one stops it.

interface Started {
  child: ChildProcess;
  output: () => string;
  dataDir: string;
}

const started: Started[] = [];
afterAll(async () => {
  for (const { child, dataDir } of started) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  }
});

async function startCommand(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Started> {
  const dataDir = await mkdtemp(join(tmpdir(), 'commerce-start-'));
  // 0: each part takes a port from the OS as it binds (one picked free beforehand can be taken by
  // another test file in the meantime); the banner prints where each one listens
  const ports = { PG_PORT: 0, API_PORT: 0, HUB_PORT: 0, CDC_METRICS_PORT: 0 };
  const env: NodeJS.ProcessEnv = { ...process.env };
  // --with-redis starts its own redis-server only when no REDIS_URL is given (the harness may have one)
  delete env.REDIS_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/src/start/main.ts', ...args], {
    env: {
      ...env,
      DATA_DIR: dataDir,
      SEED_RETAIL_PRODUCTS: '300',
      LOG_LEVEL: 'warn',
      ...extraEnv,
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const run: Started = { child, output: () => output, dataDir };
  started.push(run);
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
      if (child.exitCode !== null) {
        clearInterval(check);
        clearTimeout(timer);
        reject(new Error(`start exited early:\n${output}`));
      }
    }, 100);
  });
  // give the banner's token lines a moment to flush
  await new Promise((r) => setTimeout(r, 300));
  return run;
}

function isAlive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every live descendant of `pid` (Postgres and its backends, redis-server, ...), from /proc. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const child of children.get(parent) ?? []) {
      found.push(child);
      walk(child);
    }
  };
  walk(pid);
  return found;
}

const postmasterPid = (dataDir: string) => {
  const pidFile = join(dataDir, 'postgres', 'postmaster.pid');
  expect(existsSync(pidFile)).toBe(true);
  return Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
};

/** `  <label> <url>` lines of the banner, by path. */
function printedUrls(output: string): Map<string, string> {
  const urls = new Map<string, string>();
  for (const [, url] of output.matchAll(/^ {2}\S.*?\s(https?:\/\/\S+)$/gm)) urls.set(new URL(url!).pathname, url!);
  return urls;
}

/** Stops with `signal` and checks that nothing it started is left: Postgres and every other child. */
async function stopsCleanly(run: Started, signal: NodeJS.Signals, also: number[] = []) {
  const pgPid = postmasterPid(run.dataDir);
  const tree = descendants(run.child.pid!);
  expect(tree).toContain(pgPid);
  for (const pid of also) expect(tree, `pid ${pid} is a child of npm start`).toContain(pid);
  const exited = new Promise<number | null>((resolve) => run.child.once('exit', (code) => resolve(code)));
  run.child.kill(signal);
  expect(await exited, run.output()).toBe(0);
  for (let i = 0; i < 50 && tree.some(isAlive); i++) await new Promise((r) => setTimeout(r, 100));
  expect(tree.filter(isAlive), 'processes npm start left behind').toEqual([]);
}

const PAGES: Array<[path: string, contentType: RegExp, body: RegExp]> = [
  ['/kds', /^text\/html/, /<html/i],
  ['/expo', /^text\/html/, /<html/i],
  ['/pos', /^text\/html/, /<html/i],
  ['/stock', /^text\/html/, /<html/i],
  ['/pair', /^text\/html/, /<html/i],
  ['/stores/demo-market', /^text\/html/, /<html/i],
  ['/docs', /^text\/html/, /openapi\.json/],
];

/**
 * The storefront's search API answers through the api's port: with API_THREAD=worker the api thread
 * forwards it to the search index in the main thread, with main it is mounted in place.
 */
async function searchesTheCatalog(output: string) {
  const storefront = printedUrls(output).get('/stores/demo-market');
  expect(storefront, output).toBeDefined();
  const url = `${storefront}/search?q=*&facet_by=category&per_page=5`;
  let body: { found?: number; hits?: Array<{ document: { name?: string } }>; facet_counts?: unknown[] } = {};
  // capture indexes the seeded catalog as it starts: wait for it to be searchable
  for (let i = 0; i < 150 && !(body.found && body.found > 0); i++) {
    const response = await fetch(url);
    expect(response.status, url).toBe(200);
    body = (await response.json()) as typeof body;
    if (!body.found) await new Promise((r) => setTimeout(r, 200));
  }
  expect(body.found).toBeGreaterThan(0);
  expect(body.hits?.length).toBe(5);
  expect(typeof body.hits?.[0]?.document.name).toBe('string');
  expect(body.facet_counts?.length).toBe(1);
  const bad = await fetch(`${storefront}/search?q=x&per_page=101`);
  expect(bad.status).toBe(400);
}

/**
 * The api's own tuning comes from the environment as when it runs alone: started with
 * API_BODY_LIMIT_BYTES=4096 (API_TUNING), a 5,000-byte body is refused before anything else
 * (413) while a 3,000-byte one gets as far as authentication (401); the default limit is 512 KiB.
 */
const API_TUNING = { API_BODY_LIMIT_BYTES: '4096' };
async function honoursApiTuning(output: string) {
  const apiUrl = /API\s+(http:\/\/\S+)/.exec(output)?.[1];
  expect(apiUrl, output).toBeDefined();
  const post = (bytes: number) =>
    fetch(`${apiUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ note: 'x'.repeat(bytes - 12) }),
    });
  expect((await post(5000)).status).toBe(413);
  expect((await post(3000)).status).toBe(401);
}

describe('npm start', () => {
  let run: Started;
  beforeAll(async () => {
    run = await startCommand([], API_TUNING);
  }, 100_000);

  it('comes up with demo data, prints URLs and tokens, answers /health and serves capture metrics', async () => {
    const output = run.output();
    expect(output).toContain('Commerce hub is up');
    expect(output).toMatch(/device Grill KDS:\s+ey[\w-]+\.[\w-]+\.[\w-]+/);
    expect(output).toMatch(/Bus\s+memory\n/);
    const apiUrl = /API\s+(http:\/\/\S+)/.exec(output)?.[1];
    expect(apiUrl, output).toBeDefined();
    const health = await fetch(`${apiUrl}/health`);
    expect(health.status).toBe(200);
    const captureUrl = /Capture \(cdc\) metrics\s+(http:\/\/\S+)/.exec(output)?.[1];
    expect(captureUrl, output).toBeDefined();
    const capture = await fetch(captureUrl!);
    expect(await capture.text()).toMatch(/cdc_slot_lag_bytes/);
  });

  it('every page URL it prints answers 200 with its content type, and so does /openapi.json', async () => {
    const urls = printedUrls(run.output());
    for (const [path, contentType, body] of PAGES) {
      const url = urls.get(path);
      expect(url, `${path} printed:\n${run.output()}`).toBeDefined();
      const response = await fetch(url!);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toMatch(contentType);
      const text = await response.text();
      expect(text, path).toMatch(body);
      // a terminal page is only usable if its bundled script is served too
      const script = /<script[^>]+src="(\/terminal-assets\/[^"]+)"/.exec(text)?.[1];
      if (['/kds', '/expo', '/pos', '/stock', '/pair'].includes(path)) {
        expect(script, `${path}: script`).toBeDefined();
        const asset = await fetch(new URL(script!, url));
        expect(asset.status, script).toBe(200);
        expect(asset.headers.get('content-type'), script).toMatch(/javascript/);
      }
    }
    const openapi = await fetch(new URL('/openapi.json', urls.get('/docs')));
    expect(openapi.status).toBe(200);
    expect(openapi.headers.get('content-type')).toMatch(/^application\/json/);
    const spec = (await openapi.json()) as { openapi?: string; paths?: Record<string, unknown> };
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths ?? {})).toContain('/orders');
  });

  it('answers the storefront search through the api thread', async () => {
    expect(run.output()).toMatch(/Api runs on\s+a worker thread of its own \(API_THREAD=worker\)\n/);
    await searchesTheCatalog(run.output());
  });

  it('the api thread takes its tuning (API_BODY_LIMIT_BYTES) from the environment', async () => {
    await honoursApiTuning(run.output());
  });

  it('stops cleanly on SIGTERM: exit 0, Postgres and every child process gone', async () => {
    await stopsCleanly(run, 'SIGTERM');
  });
}, 180_000);

describe('npm start with a bad setting', () => {
  it('stops before starting anything, in one line naming the setting (exit 2)', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'commerce-start-bad-'));
    try {
      for (const [key, value] of [
        ['API_PORT', 'abc'],
        ['API_ORDER_BATCH_MAX', '0'],
        ['CDC_SLOT_CHECK_MS', 'soon'],
      ] as const) {
        const run = spawnSync(process.execPath, ['--import', 'tsx', 'infra/src/start/main.ts'], {
          env: { ...process.env, DATA_DIR: dataDir, [key]: value },
          encoding: 'utf8',
          timeout: 60_000,
        });
        const output = run.stdout + run.stderr;
        const code = run.status;
        expect(code, output).toBe(2);
        expect(output.trim().split('\n'), output).toEqual([
          expect.stringMatching(new RegExp(`^npm start: invalid configuration: ${key}: .*"${value}"`)),
        ]);
        expect(existsSync(join(dataDir, 'postgres')), 'nothing started').toBe(false);
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('npm start -- --with-redis', () => {
  let run: Started;
  beforeAll(async () => {
    // and the api on the main thread with the other parts (API_THREAD=main)
    run = await startCommand(['--with-redis'], { API_THREAD: 'main', ...API_TUNING });
  }, 100_000);

  it('fans out through its own redis-server and stops it, with Postgres, on SIGINT (Ctrl-C)', async () => {
    const redisUrl = /Bus\s+redis \((redis:\/\/\S+)\)/.exec(run.output())?.[1];
    expect(redisUrl, run.output()).toBeDefined();
    const redis = new Redis(redisUrl!, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    let redisPid: number;
    try {
      redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]);
      // the bus (cdc publishing, the hub subscribing) holds connections of its own besides ours
      const clients = String(await redis.call('CLIENT', 'LIST'))
        .trim()
        .split('\n');
      expect(clients.length).toBeGreaterThan(1);
    } finally {
      redis.disconnect();
    }
    expect(redisPid).toBeGreaterThan(0);
    const hubMetrics = /Hub metrics\s+(http:\/\/\S+)/.exec(run.output())?.[1];
    expect(hubMetrics, run.output()).toBeDefined();
    const health = await fetch(new URL('/health', hubMetrics));
    expect(health.status).toBe(200);
    expect(run.output()).toMatch(/Api runs on\s+the main thread \(API_THREAD=main\)\n/);
    await searchesTheCatalog(run.output());
    await honoursApiTuning(run.output());
    await stopsCleanly(run, 'SIGINT', [redisPid]);
    expect(isAlive(redisPid)).toBe(false);
  });
}, 180_000);
