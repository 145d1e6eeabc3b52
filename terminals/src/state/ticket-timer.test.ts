import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, elapsedSince, formatElapsed, thresholdsFromMinutes, urgency } from './ticket-timer.ts';

describe('ticket timer', () => {
  it('turns yellow at 5 minutes and red at 8 by default', () => {
    expect(urgency(4 * 60_000 + 59_999)).toBe('ok');
    expect(urgency(5 * 60_000)).toBe('warn');
    expect(urgency(8 * 60_000 - 1)).toBe('warn');
    expect(urgency(8 * 60_000)).toBe('late');
  });

  it('uses configured thresholds', () => {
    const t = thresholdsFromMinutes('2', 3);
    expect(t).toEqual({ warnAfterMs: 120_000, lateAfterMs: 180_000 });
    expect(urgency(150_000, t)).toBe('warn');
    expect(urgency(150_000)).toBe('ok');
  });

  it('falls back to defaults for unusable thresholds', () => {
    expect(thresholdsFromMinutes('8', '5')).toEqual(DEFAULT_THRESHOLDS);
    expect(thresholdsFromMinutes('x', '-1')).toEqual(DEFAULT_THRESHOLDS);
    expect(thresholdsFromMinutes(undefined, '12')).toEqual({ warnAfterMs: 300_000, lateAfterMs: 720_000 });
  });

  it('formats elapsed time and never goes negative', () => {
    expect(formatElapsed(0)).toBe('0:00');
    expect(formatElapsed(65_400)).toBe('1:05');
    expect(formatElapsed(3_723_000)).toBe('1:02:03');
    expect(elapsedSince(10_000, 5_000)).toBe(0);
    expect(elapsedSince(10_000, 15_000)).toBe(5_000);
  });
});
