import { describe, expect, it } from 'vitest';
import { mergeCollected } from './e2e-fleet.ts';
import { NO_LOOP_DELAY } from './e2e-loop.ts';

describe('terminal fleet reports', () => {
  it('joins the deliveries of one event from several processes and adds the counters', () => {
    const merged = mergeCollected([
      {
        type: 'collected',
        deliveries: [
          { key: 'o:1', at: [10, 11], terminals: ['a', 'b'], committedAt: 5 },
          { key: 'k:1:S1', at: [12], terminals: ['k'], committedAt: 5 },
        ],
        rejected: 1,
        reloads: 0,
        disconnects: 2,
        loopDelay: { ...NO_LOOP_DELAY, p99: 3 },
      },
      {
        type: 'collected',
        deliveries: [{ key: 'o:1', at: [13], terminals: ['c'], committedAt: 5 }],
        rejected: 0,
        reloads: 1,
        disconnects: 0,
        loopDelay: { ...NO_LOOP_DELAY, p99: 7 },
      },
    ]);
    expect(merged.deliveries).toEqual([
      { key: 'o:1', at: [10, 11, 13], terminals: ['a', 'b', 'c'], committedAt: 5 },
      { key: 'k:1:S1', at: [12], terminals: ['k'], committedAt: 5 },
    ]);
    expect(merged).toMatchObject({ rejected: 1, reloads: 1, disconnects: 2, loopDelay: { p99: 7 } });
  });
});
