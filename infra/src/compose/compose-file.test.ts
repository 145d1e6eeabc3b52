import { describe, expect, it } from 'vitest';
import { dependencies, postgresSettings, publishedPorts, serviceEnv } from './compose-file.ts';

describe('compose file helpers', () => {
  it('read ports in short and long syntax', () => {
    expect(
      publishedPorts({
        ports: ['3000:3000', '127.0.0.1:5433:5432', '8080', { published: 9000, target: 90 }, '53:53/udp'],
      }),
    ).toEqual(['3000', '5433', '9000', '53']);
  });

  it('read environment maps and lists, dependencies as lists and maps', () => {
    expect(serviceEnv({ environment: ['A=1', 'B=x=y', 'C'] })).toEqual({ A: '1', B: 'x=y' });
    expect(serviceEnv({ environment: { A: 1, B: true, C: null } })).toEqual({ A: '1', B: 'true' });
    expect(dependencies({ depends_on: ['db'] })).toEqual([{ name: 'db', condition: 'service_started' }]);
    expect(dependencies({ depends_on: { db: { condition: 'service_healthy' } } })).toEqual([
      { name: 'db', condition: 'service_healthy' },
    ]);
  });

  it('read postgres -c settings', () => {
    expect(postgresSettings({ command: ['postgres', '-c', 'wal_level=logical', '-cmax_wal_senders=4'] })).toEqual({
      wal_level: 'logical',
      max_wal_senders: '4',
    });
    expect(postgresSettings({ command: 'postgres -c wal_level=replica' })).toEqual({ wal_level: 'replica' });
  });
});
