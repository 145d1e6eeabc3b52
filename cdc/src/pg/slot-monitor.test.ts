import { createTestDatabase } from '@commerce/infra/testing';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createCdcMetrics } from '../metrics.ts';
import { ensureSlot } from './slot.ts';
import { createSlotMonitor } from './slot-monitor.ts';

const db = await createTestDatabase();
afterAll(() => db.drop());

function capturingLogger() {
  const lines: Array<{ level: number; msg: string; retainedBytes?: number }> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe('slot monitor', () => {
  it('exports lag and retained WAL, and warns once when retained WAL passes the threshold', async () => {
    await ensureSlot(db.sql, 'cdc_monitor', 'commerce_cdc');
    await db.sql`insert into merchants (slug, name) values ('wal-grows', 'W')`;
    const { logger, lines } = capturingLogger();
    const metrics = createCdcMetrics();
    const monitor = createSlotMonitor({
      sql: db.sql,
      slot: 'cdc_monitor',
      logger,
      metrics,
      warnBytes: 1,
      intervalMs: 60_000,
    });
    // with synchronous_commit=off (the test cluster) the WAL write position trails the insert a little
    let status = await monitor.check();
    for (let i = 0; i < 100 && status!.lagBytes === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      status = await monitor.check();
    }
    expect(status!.active).toBe(false);
    expect(status!.lagBytes).toBeGreaterThan(0);
    expect(status!.retainedBytes).toBeGreaterThanOrEqual(status!.lagBytes);
    await monitor.check();
    const warnings = lines.filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toMatch(/retains more WAL/);
    expect(warnings[0]!.retainedBytes).toBeGreaterThan(1);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/cdc_slot_lag_bytes [1-9]/);
    expect(text).toMatch(/cdc_slot_active 0/);
  });

  it('reports a missing slot instead of failing', async () => {
    const { logger, lines } = capturingLogger();
    const monitor = createSlotMonitor({
      sql: db.sql,
      slot: 'no_such_slot',
      logger,
      metrics: createCdcMetrics(),
      warnBytes: 1,
      intervalMs: 60_000,
    });
    expect(await monitor.check()).toBeNull();
    expect(lines.some((l) => /missing/.test(l.msg))).toBe(true);
  });
});
