import { describe, expect, it } from 'vitest';
import { LatencyRecorder, percentile, summarize } from './latency.ts';

describe('latency figures', () => {
  it('takes nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
    expect(summarize([5, 1, 3])).toEqual({ count: 3, p50: 3, p99: 5, max: 5 });
  });

  it('keeps windows apart from the whole run and bounds what it keeps', () => {
    const recorder = new LatencyRecorder(10, () => 0.999);
    for (let i = 1; i <= 5; i++) recorder.record(i);
    expect(recorder.takeWindow()).toMatchObject({ count: 5, max: 5 });
    expect(recorder.takeWindow().count).toBe(0);
    recorder.record(Number.NaN);
    for (let i = 6; i <= 50; i++) recorder.record(i);
    const all = recorder.summary();
    expect(all.count).toBe(50);
    // reservoir of 10: with random() ≈ 1 later samples never replace, so the first ten stay
    expect(all.max).toBe(10);
  });
});
