import { describe, expect, it } from 'vitest';
import { seededRandom } from '../seed/random.ts';
import { createLimiter } from './rush-stats.ts';
import { typo } from './shoppers.ts';

describe('shoppers’ typos', () => {
  it('changes a word by one edit and leaves short words alone', () => {
    const rnd = seededRandom(3);
    expect(typo('tea', rnd)).toBe('tea');
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const t = typo('headphones', rnd);
      expect(Math.abs(t.length - 'headphones'.length)).toBeLessThanOrEqual(1);
      expect(t.slice(0, 1)).toBe('h');
      seen.add(t);
    }
    // swaps, drops, doubles and replacements all happen
    expect([...seen].some((t) => t.length === 9)).toBe(true);
    expect([...seen].some((t) => t.length === 11)).toBe(true);
    expect(seen.size).toBeGreaterThan(10);
  });
});

describe('limiter', () => {
  it('never runs more than its limit at once, and runs everything', async () => {
    const limiter = createLimiter(3);
    let running = 0;
    let peak = 0;
    const done = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limiter.run(async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 1 + (i % 3)));
          running--;
          return i;
        }),
      ),
    );
    expect(done).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(peak).toBe(3);
    expect(limiter.active).toBe(0);
  });
});
