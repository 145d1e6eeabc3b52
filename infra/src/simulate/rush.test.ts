import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '@commerce/common';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { type BootedSystem, bootEmbeddedSystem } from '../start/boot.ts';
import { startConfigSchema } from '../start/config.ts';
import { renderSummary } from './dashboard.ts';
import { simulateOptionsSchema } from './options.ts';
import { runRush, rushTarget } from './rush.ts';

// A short rush against the whole embedded system (own Postgres on a free port, temp folder).
const dataDir = await mkdtemp(join(tmpdir(), 'commerce-rush-test-'));
let system: BootedSystem | undefined;
afterAll(async () => {
  await system?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('rush simulator', () => {
  it('places orders, cooks and bumps tickets, fires stock alerts and searches, all through the real parts', async () => {
    const config = parseConfig(startConfigSchema, {
      DATA_DIR: dataDir,
      // 0: the OS picks each port as it binds (a port picked free beforehand can be taken by
      // another test file by the time the part listens)
      PG_PORT: '0',
      API_PORT: '0',
      HUB_PORT: '0',
      CDC_METRICS_PORT: '0',
      SEED_RETAIL_PRODUCTS: '200',
      LOG_LEVEL: 'warn',
    });
    system = await bootEmbeddedSystem({ config, logger: pino({ level: 'silent' }), fresh: true });
    const options = simulateOptionsSchema.parse({
      pos: 3,
      kds: 2,
      ordersPerS: 8,
      duration: 4,
      prepMs: 300,
      lowStockSkus: 150,
      shoppers: 2,
      searchesPerS: 5,
    });
    const lines: string[] = [];
    const out = { isTTY: false, write: (l: string) => lines.push(l) };
    const summary = await runRush({ target: await rushTarget(system), options, say: (l) => lines.push(l), out });
    const { stats } = summary;
    const text = renderSummary(summary);

    expect(stats.ordersPlaced, text).toBeGreaterThan(5);
    expect(stats.errorCount, text).toBe(0);
    // two KDS screens asked for, one per branch: each shows its branch's four stations
    expect(summary.terminals).toMatchObject({ pos: 3, kds: 2, stockFeed: 1, connectedAtEnd: 6 });
    expect(stats.ticketsCreated, text).toBeGreaterThan(0);
    expect(stats.ticketsBumped, text).toBeGreaterThan(0);
    expect(stats.itemsAdvanced, text).toBeGreaterThan(0);
    expect(stats.kdsEvent.count, text).toBeGreaterThan(stats.ticketsCreated);
    expect(stats.posEvent.count, text).toBeGreaterThan(0);
    // every menu SKU was counted down next to its threshold: orders push some across it
    expect(stats.alerts.low + stats.alerts.out, text).toBeGreaterThan(0);
    expect(stats.searches, text).toBeGreaterThan(0);
    expect(stats.rejectedFrames.size, text).toBe(0);
    // the live view wrote a line each second
    expect(lines.filter((l) => l.includes('orders/s')).length).toBeGreaterThanOrEqual(3);
    expect(text).toMatch(/event commit→decrypted on KDS\s+p50\s+[\d.]+/);
  }, 120_000);
});
