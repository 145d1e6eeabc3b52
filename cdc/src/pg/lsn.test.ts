import { comparePositions } from '@commerce/common';
import { describe, expect, it } from 'vitest';
import { formatLsn, lsnHex, parseLsn, parsePgPosition, pgPosition } from './lsn.ts';

describe('LSNs and positions', () => {
  it('parses and prints Postgres notation', () => {
    expect(parseLsn('16/B374D848')).toBe(0x16_b374_d848n);
    expect(parseLsn('0/0')).toBe(0n);
    expect(formatLsn(0x16_b374_d848n)).toBe('16/B374D848');
    expect(formatLsn(parseLsn('FFFFFFFF/FFFFFFFF'))).toBe('FFFFFFFF/FFFFFFFF');
    expect(() => parseLsn('16-B3')).toThrow(RangeError);
  });

  it('prints positions fixed-width so string order is commit order, then change order', () => {
    const positions = [
      pgPosition(parseLsn('9/FFFFFFFF'), 0),
      pgPosition(parseLsn('A/0'), 0),
      pgPosition(parseLsn('A/0'), 1),
      pgPosition(parseLsn('A/0'), 16),
      pgPosition(parseLsn('10/0'), 0),
    ];
    expect(positions[1]).toBe('0000000A00000000/00000000');
    expect(positions.every((p) => p.length === 25)).toBe(true);
    expect([...positions].sort(comparePositions)).toEqual(positions);
    expect([...positions].reverse().sort()).toEqual(positions);
    expect(parsePgPosition(positions[3]!)).toEqual({ commitEndLsn: 0xa_0000_0000n, index: 16 });
    expect(lsnHex(1n)).toBe('0000000000000001');
    expect(pgPosition(parseLsn('A/0'), 0xabcdef12)).toBe('0000000A00000000/ABCDEF12');
    expect(pgPosition(parseLsn('A/0'), 0xabc)).toBe('0000000A00000000/00000ABC');
    expect(() => parsePgPosition('1/2')).toThrow(RangeError);
  });
});
