import { describe, expect, it } from 'vitest';
import { parsePgSettings } from './pg-settings.ts';

describe('parsePgSettings (BENCH_PG_SETTINGS)', () => {
  it('reads name=value pairs, dotted names included; nothing when unset or empty', () => {
    expect(parsePgSettings('fsync=off,pg_stat_statements.track=all,max_wal_size=8GB')).toEqual({
      fsync: 'off',
      'pg_stat_statements.track': 'all',
      max_wal_size: '8GB',
    });
    expect(parsePgSettings(undefined)).toEqual({});
    expect(parsePgSettings('')).toEqual({});
  });

  it('refuses anything else, naming the knob', () => {
    for (const bad of ['fsync', 'fsync=off,', 'fsync=off,,a=b', 'Fsync=off', 'a=b=c'])
      expect(() => parsePgSettings(bad, 'X_SETTINGS'), bad).toThrow(/X_SETTINGS: expected name=value/);
  });
});
