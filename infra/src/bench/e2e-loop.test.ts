import { describe, expect, it } from 'vitest';
import { fmtLoop, NO_LOOP_DELAY, watchEventLoop } from './e2e-loop.ts';

describe('event-loop watch', () => {
  it('reports the off-heap memory kept while it watched, and prints it', async () => {
    const watch = watchEventLoop();
    const kept = Buffer.allocUnsafeSlow(48 * 1024 * 1024).fill(1);
    await new Promise((r) => setTimeout(r, 20));
    const delay = watch.stop();
    expect(kept.length).toBeGreaterThan(0);
    expect(delay.heap.externalMb).toBeGreaterThanOrEqual(47);
    expect(delay.heap.seconds).toBeGreaterThan(0);
    expect(Number.isFinite(delay.heap.oldSpaceMb)).toBe(true);
    expect(fmtLoop(delay)).toMatch(/; old space [+-]\d+\.\d MB, external \+\d+\.\d MB over \d+ s\)$/);
  });

  it('prints a quiet loop with signed growths', () => {
    const line = fmtLoop({ ...NO_LOOP_DELAY, p99: 3, heap: { seconds: 23, oldSpaceMb: 12.34, externalMb: -0.5 } });
    expect(line).toBe(
      'p50 0.0 p99 3.0 max 0.0 ms (GC 0× 0 ms, longest 0.0 ms; old space +12.3 MB, external -0.5 MB over 23 s)',
    );
  });
});
