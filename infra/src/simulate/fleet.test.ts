import { describe, expect, it } from 'vitest';
import { assignScreens, type Station } from './fleet.ts';

const stations: Station[] = ['1', '2'].flatMap((branchId) =>
  ['bar', 'expo', 'fry', 'grill'].map((code) => ({
    branchId,
    locationId: `L${branchId}`,
    stationId: `${branchId}-${code}`,
    code,
  })),
);

const covered = (screens: Station[][]) => new Set(screens.flat().map((s) => s.stationId));

describe('KDS screens per station', () => {
  it.each([1, 2, 3, 5, 8, 12, 20])('%i screens: every station shown, each screen within one branch', (n) => {
    const screens = assignScreens(stations, n);
    expect(screens.length).toBe(Math.max(n, 2));
    expect(covered(screens).size).toBe(8);
    for (const screen of screens) {
      expect(screen.length).toBeGreaterThan(0);
      expect(new Set(screen.map((s) => s.branchId)).size).toBe(1);
    }
  });

  it('12 screens give some stations a second screen and none a third', () => {
    const counts = new Map<string, number>();
    for (const s of assignScreens(stations, 12).flat()) counts.set(s.stationId, (counts.get(s.stationId) ?? 0) + 1);
    expect([...counts.values()].sort()).toEqual([1, 1, 1, 1, 2, 2, 2, 2]);
  });
});
