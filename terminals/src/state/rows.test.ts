import { describe, expect, it } from 'vitest';
import { isNotOlder, modifierList, moneyField, parseTime } from './rows.ts';
import { SeenEvents } from './seen-events.ts';

describe('row fields', () => {
  it('parses Postgres microsecond timestamps and api millisecond ones to the same ms', () => {
    expect(parseTime('2026-11-22T10:15:30.123456Z')).toBe(Date.parse('2026-11-22T10:15:30.123Z'));
    expect(parseTime('2026-11-22T10:15:30.123Z')).toBe(Date.parse('2026-11-22T10:15:30.123Z'));
    expect(parseTime('2026-11-22 10:15:30Z')).toBe(Date.parse('2026-11-22T10:15:30Z'));
    expect(parseTime(null)).toBeNull();
    expect(parseTime('garbage')).toBeNull();
  });

  it('reads money nested or as columns', () => {
    expect(moneyField({ total: { amount: 5, currency: 'EUR' } }, 'total')).toEqual({ amount: 5, currency: 'EUR' });
    expect(moneyField({ totalAmount: '1250', currency: 'USD' }, 'total')).toEqual({ amount: 1250, currency: 'USD' });
    expect(moneyField({ totalAmount: 'x' }, 'total')).toBeUndefined();
  });

  it('shows modifiers given as strings or objects', () => {
    expect(modifierList(['no onion', { name: 'extra cheese' }, 3, null])).toEqual(['no onion', 'extra cheese']);
    expect(modifierList('nope')).toEqual([]);
  });

  it('takes unknown versions, refuses older ones', () => {
    expect(isNotOlder(null, 5)).toBe(true);
    expect(isNotOlder(5, 5)).toBe(true);
    expect(isNotOlder(4, 5)).toBe(false);
  });
});

describe('seen events', () => {
  it('says first time once per id and forgets the oldest beyond its limit', () => {
    const seen = new SeenEvents(3);
    expect(['a', 'b', 'a', 'c', 'd'].map((id) => seen.firstTime(id))).toEqual([true, true, false, true, true]);
    expect(seen.size).toBe(3);
    expect(seen.has('a')).toBe(false);
    expect(seen.firstTime('a')).toBe(true);
  });
});
