import { describe, expect, it } from 'vitest';
import { renderSummary } from './dashboard.ts';
import { createLimiter, RushStats } from './rush-stats.ts';

const summary = (stats: RushStats) =>
  renderSummary({ seconds: 10, targetPerS: 50, terminals: { pos: 2, kds: 1, stockFeed: 1, connectedAtEnd: 4 }, stats });

describe('rush summary', () => {
  it('says when the kitchen fell behind, with how many taps waited for how many calls in flight', () => {
    const stats = new RushStats();
    stats.kitchenInFlightCap = 256;
    expect(summary(stats)).not.toMatch(/fell behind/);
    stats.kitchenWaitingPeak = 1234;
    expect(summary(stats)).toMatch(
      /the kitchen fell behind: up to 1234 taps waited for one of its 256 calls in flight \(--max-in-flight\)/,
    );
  });

  it('the limiter counts a call that found every slot taken as waiting before the caller awaits it', async () => {
    const limiter = createLimiter(1);
    let release!: () => void;
    const first = limiter.run(() => new Promise<void>((r) => (release = r)));
    expect([limiter.active, limiter.waiting]).toEqual([1, 0]);
    const second = limiter.run(async () => 'second');
    expect(limiter.waiting).toBe(1);
    release();
    await first;
    expect(await second).toBe('second');
    expect([limiter.active, limiter.waiting]).toEqual([0, 0]);
  });
});
