import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiConfigSchema } from '@commerce/api';
import { cdcConfigSchema } from '@commerce/cdc';
import { parseConfig } from '@commerce/common';
import { hubConfigSchema } from '@commerce/hub';
import { searchConfigSchema } from '@commerce/search';
import { describe, expect, it } from 'vitest';
import { debeziumSourceConfig } from '../../../cdc/src/debezium/config.ts';
import { migrateConfigSchema } from '../config.ts';
import {
  type ComposeService,
  commandText,
  dependencies,
  InterpolationError,
  interpolate,
  loadCompose,
  postgresSettings,
  publishedPorts,
  serviceEnv,
} from './compose-file.ts';

// docker-compose.yml cannot run here (no Docker engine): these checks read it the way Compose
// would, with a `.env` made the way the file's header says, and hold every service's environment
// against the zod config schema its process parses at startup.
const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const composePath = join(root, 'docker-compose.yml');

const oneLine = (pem: string) => pem.trim().replace(/\n/g, '\\n');
const keyPair = () =>
  generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
const auth = keyPair();
const hubKey = keyPair();
const dotEnv = {
  POSTGRES_PASSWORD: 'pg-secret-0123',
  TYPESENSE_API_KEY: 'ts-admin-0123',
  AUTH_JWT_PRIVATE_KEY: oneLine(auth.privateKey),
  AUTH_JWT_PUBLIC_KEY: oneLine(auth.publicKey),
  HUB_SIGNING_KEY: oneLine(hubKey.privateKey),
  HUB_PUBLIC_KEY: oneLine(hubKey.publicKey),
};
const compose = loadCompose(composePath, dotEnv);
const services = compose.services;
const names = Object.keys(services);
const envOf = (name: string) => serviceEnv(services[name]!);
/** services whose process is `<pkg>/src/main.ts` (or a given script) */
const running = (script: string) => names.filter((n) => commandText(services[n]!).includes(script));
/** one-shot jobs: something waits for them to complete */
const oneShots = new Set(
  names.flatMap((n) => dependencies(services[n]!).filter((d) => d.condition === 'service_completed_successfully').map((d) => d.name)),
);
const urlHost = (url: string) => new URL(url).hostname;
const connector = JSON.parse(readFileSync(join(root, 'infra/debezium/connector.json'), 'utf8')) as {
  config: Record<string, string>;
};
const connectorValue = (key: string) => interpolate(connector.config[key] ?? '', {});

describe('compose interpolation', () => {
  it('follows Compose: defaults, required variables, $$ and unset variables', () => {
    const env = { A: 'a', EMPTY: '' };
    expect(interpolate('${A}-$A-${B:-b}-${EMPTY:-e}-${EMPTY-e}-$$A-${B}', env)).toBe('a-a-b-e--$A-');
    expect(interpolate('${B:-${A}}', env)).toBe('a');
    expect(() => interpolate('${B:?set B}', env)).toThrow(InterpolationError);
    expect(() => interpolate('${EMPTY:?set it}', env)).toThrow(/EMPTY/);
    expect(interpolate('${EMPTY?set it}', env)).toBe('');
  });

  it('refuses to start without the secrets of .env', () => {
    expect(() => loadCompose(composePath, {})).toThrow(/POSTGRES_PASSWORD|TYPESENSE_API_KEY|AUTH_JWT|HUB_/);
  });
});

describe('docker-compose.yml', () => {
  it('has the services of the production shape', () => {
    for (const name of ['postgres', 'kafka', 'connect', 'connect-register', 'redis', 'typesense', 'api', 'cdc', 'migrate']) {
      expect(names, name).toContain(name);
    }
    expect(running('api/src/main.ts')).toHaveLength(1);
    expect(running('cdc/src/main.ts')).toHaveLength(1);
    expect(running('hub/src/main.ts').length).toBeGreaterThanOrEqual(2);
  });

  it('gives every service an image or a build whose Dockerfile exists', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(Boolean(service.image || service.build), `${name}: image or build`).toBe(true);
      if (service.build) {
        const build = typeof service.build === 'string' ? { context: service.build } : service.build;
        const context = resolve(root, build.context ?? '.');
        expect(existsSync(join(context, build.dockerfile ?? 'Dockerfile')), `${name}: Dockerfile`).toBe(true);
      }
    }
  });

  it('health-checks and restarts every long-running service; one-shot jobs do not restart', () => {
    for (const [name, service] of Object.entries(services)) {
      if (oneShots.has(name)) {
        expect(service.restart ?? 'no', `${name} is a one-shot job`).toBe('no');
        continue;
      }
      expect(['always', 'unless-stopped', 'on-failure'], `${name}: restart policy`).toContain(service.restart);
      const test = service.healthcheck?.test;
      expect(service.healthcheck?.disable, `${name}: healthcheck disabled`).not.toBe(true);
      expect(Array.isArray(test) ? test.length > 1 && test[0] !== 'NONE' : Boolean(test), `${name}: healthcheck`).toBe(true);
    }
  });

  it('declares every named volume it mounts, and bind-mounts files that exist', () => {
    const declared = new Set(Object.keys(compose.volumes ?? {}));
    const used = new Set<string>();
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const source = typeof volume === 'string' ? volume.split(':')[0]! : (volume.source ?? '');
        if (source.startsWith('.') || source.startsWith('/')) {
          expect(existsSync(resolve(root, source)), `${name}: bind mount ${source}`).toBe(true);
        } else {
          expect(declared.has(source), `${name}: volume ${source} declared`).toBe(true);
          used.add(source);
        }
      }
    }
    expect([...declared].filter((v) => !used.has(v)), 'declared but unused volumes').toEqual([]);
    // the stateful services keep their data in named volumes
    for (const name of ['postgres', 'kafka', 'redis', 'typesense']) {
      expect((services[name]!.volumes ?? []).length, `${name}: data volume`).toBeGreaterThan(0);
    }
  });

  it('depends only on existing services, with conditions they can meet, and without cycles', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const dep of dependencies(service)) {
        expect(names, `${name} depends on ${dep.name}`).toContain(dep.name);
        expect(['service_started', 'service_healthy', 'service_completed_successfully']).toContain(dep.condition);
        if (dep.condition === 'service_healthy') {
          expect(services[dep.name]?.healthcheck?.test, `${name} waits for ${dep.name} to be healthy`).toBeDefined();
        }
      }
    }
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (name: string, path: string[]): void => {
      if (done.has(name)) return;
      expect(visiting.has(name), `dependency cycle ${[...path, name].join(' → ')}`).toBe(false);
      visiting.add(name);
      for (const dep of dependencies(services[name]!)) visit(dep.name, [...path, name]);
      visiting.delete(name);
      done.add(name);
    };
    for (const name of names) visit(name, []);
  });

  it('publishes each host port once', () => {
    const seen = new Map<string, string>();
    for (const [name, service] of Object.entries(services)) {
      for (const port of publishedPorts(service)) {
        expect(seen.get(port), `host port ${port} published by ${seen.get(port)} and ${name}`).toBeUndefined();
        seen.set(port, name);
      }
    }
    // the hub instances are reached through the load balancer only
    for (const hub of running('hub/src/main.ts')) expect(publishedPorts(services[hub]!), hub).toEqual([]);
  });
});
