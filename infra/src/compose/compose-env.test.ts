import { parseConfig } from '@commerce/common';
import { describe, expect, it } from 'vitest';
import { commandText, dependencies } from './compose-file.ts';
import { envOf, names, running, services } from './compose-fixture.ts';
import { PROCESS_CONFIGS, processScript, undeclaredKeys } from './process-configs.ts';

// parseConfig copies only the keys a schema declares, so a misspelled variable in
// docker-compose.yml would be dropped without a word at startup. Here every key of every project
// service must be declared by one of the schemas its process parses (process-configs.ts).
const projectServices = names.filter((name) => services[name]!.build !== undefined);

describe('docker-compose.yml: every environment key is one its process reads', () => {
  it('each project service runs a process whose config schemas are listed', () => {
    expect(projectServices.length).toBeGreaterThanOrEqual(6);
    for (const name of projectServices) {
      const command = commandText(services[name]!);
      expect(processScript(command), `${name}: "${command}" is not in PROCESS_CONFIGS`).toBeDefined();
    }
  });

  it('declares every key of every project service in one of its schemas, and each schema parses it', () => {
    for (const name of projectServices) {
      const schemas = PROCESS_CONFIGS[processScript(commandText(services[name]!))!]!;
      const env = envOf(name);
      expect(undeclaredKeys(env, schemas), `${name}: keys no schema of its process declares`).toEqual([]);
      for (const schema of schemas) expect(() => parseConfig(schema, env), name).not.toThrow();
    }
  });

  it('the check catches a misspelled key and a key given to a process that does not read it', () => {
    const schemas = PROCESS_CONFIGS['hub/src/main.ts']!;
    const env = { ...envOf(running('hub/src/main.ts')[0]!), HUB_PROT: '3001', TYPESENSE_API_KEY: 'admin' };
    expect(undeclaredKeys(env, schemas)).toEqual(['HUB_PROT', 'TYPESENSE_API_KEY']);
    // the same keys parse without complaint: this is what the strict check adds
    for (const schema of schemas) expect(() => parseConfig(schema, env)).not.toThrow();
  });

  it('the hubs get no Typesense key: they never search', () => {
    for (const hub of running('hub/src/main.ts')) {
      expect(
        Object.keys(envOf(hub)).filter((key) => key.startsWith('TYPESENSE_')),
        hub,
      ).toEqual([]);
    }
  });
});

describe('docker-compose.yml: a process starts after what its config points at', () => {
  /** whether `name` waits, directly or through what it waits for, for `target` to reach `condition` */
  const waitsFor = (name: string, target: string, condition: string, seen = new Set<string>()): boolean => {
    if (seen.has(name)) return false;
    seen.add(name);
    return dependencies(services[name]!).some(
      (d) => (d.name === target && d.condition === condition) || waitsFor(d.name, target, condition, seen),
    );
  };
  const migrate = running('infra/src/migrate-cli.ts')[0]!;

  it('DATABASE_URL: after the migrations ran (so after Postgres was healthy); the migrations after Postgres', () => {
    expect(waitsFor(migrate, 'postgres', 'service_healthy')).toBe(true);
    for (const name of names.filter((n) => n !== migrate && envOf(n).DATABASE_URL)) {
      expect(waitsFor(name, migrate, 'service_completed_successfully'), `${name} waits for ${migrate}`).toBe(true);
    }
  });

  it('the hubs wait for Postgres and the migrations themselves (revocation checks read the terminals table)', () => {
    for (const hub of running('hub/src/main.ts')) {
      const deps = dependencies(services[hub]!);
      expect(deps, hub).toContainEqual({ name: 'postgres', condition: 'service_healthy' });
      expect(deps, hub).toContainEqual({ name: migrate, condition: 'service_completed_successfully' });
    }
  });

  it('REDIS_URL, TYPESENSE_URL and Kafka brokers: after that service is healthy', () => {
    const backing: Array<[string, string]> = [
      ['REDIS_URL', 'redis'],
      ['TYPESENSE_URL', 'typesense'],
      ['CDC_KAFKA_BROKERS', 'kafka'],
      ['BOOTSTRAP_SERVERS', 'kafka'],
      ['CONNECT_URL', 'connect'],
    ];
    let checked = 0;
    for (const name of names) {
      for (const [key, target] of backing) {
        if (!envOf(name)[key]) continue;
        checked++;
        expect(waitsFor(name, target, 'service_healthy'), `${name} (${key}) waits for ${target}`).toBe(true);
      }
    }
    expect(checked).toBeGreaterThanOrEqual(6);
  });
});
