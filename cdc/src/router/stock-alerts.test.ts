import { describe, expect, it } from 'vitest';
import { type StockAlert, stockAlert, stockState } from './stock-alerts.ts';

const level = (available: number, threshold = 5) => ({
  onHand: available,
  reserved: 0,
  available,
  lowStockThreshold: threshold,
});

describe('stock states', () => {
  it('classifies by available against the threshold', () => {
    expect(stockState(level(0))).toBe('out');
    expect(stockState(level(-1))).toBe('out');
    expect(stockState(level(1))).toBe('low');
    expect(stockState(level(5))).toBe('low');
    expect(stockState(level(6))).toBe('ok');
    expect(stockState(level(1, 0))).toBe('ok');
  });
});

describe('stock alerts fire on crossings only', () => {
  const cases: Array<[string, number, number, StockAlert | null, number?, number?]> = [
    ['ok → out', 10, 0, 'out'],
    ['low → out', 3, 0, 'out'],
    ['ok → low', 10, 5, 'low'],
    ['ok → low at the threshold + 1 boundary', 6, 5, 'low'],
    ['out → ok', 0, 6, 'restocked'],
    ['low → ok', 5, 6, 'restocked'],
    ['out → low: still a problem, no alert', 0, 3, null],
    ['ok → ok', 10, 8, null],
    ['low → low', 4, 2, null],
    ['out → out', 0, 0, null],
    ['threshold 0: ok → out', 1, 0, 'out', 0, 0],
    ['threshold 0: out → ok is a restock', 0, 1, 'restocked', 0, 0],
    ['threshold raised over the level: low', 8, 8, 'low', 5, 10],
    ['threshold lowered under the level: restocked', 8, 8, 'restocked', 10, 5],
  ];
  it.each(cases)('%s', (_name, from, to, expected, thresholdBefore = 5, thresholdAfter = thresholdBefore) => {
    expect(stockAlert(level(from, thresholdBefore), level(to, thresholdAfter))).toBe(expected);
  });

  it('fires nothing for a new or a deleted level', () => {
    expect(stockAlert(null, level(0))).toBeNull();
    expect(stockAlert(level(0), null)).toBeNull();
  });

  it('uses available (on_hand - reserved), not on_hand', () => {
    const before = { onHand: 10, reserved: 2, available: 8, lowStockThreshold: 5 };
    const after = { onHand: 10, reserved: 10, available: 0, lowStockThreshold: 5 };
    expect(stockAlert(before, after)).toBe('out');
  });
});
