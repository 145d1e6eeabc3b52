// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Compose interpolation syntax, not JS templates
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { apiConfigSchema } from '@commerce/api';
import { cdcConfigSchema } from '@commerce/cdc';
import { parseConfig } from '@commerce/common';
import { hubConfigSchema } from '@commerce/hub';
import { searchConfigSchema } from '@commerce/search';
import { terminalsConfigSchema } from '@commerce/terminals';
import { describe, expect, it } from 'vitest';
import { debeziumSourceConfig } from '../../../cdc/src/debezium/config.ts';
import { connectorVariables, connectRegisterConfigSchema } from '../../debezium/config.ts';
import { renderConnector } from '../../debezium/register-connector.ts';
import { migrateConfigSchema } from '../config.ts';
import {
  commandText,
  dependencies,
  InterpolationError,
  interpolate,
  loadCompose,
  postgresSettings,
  publishedPorts,
} from './compose-file.ts';
import {
  compose,
  composePath,
  connector,
  connectorValue,
  dotEnv,
  envOf,
  names,
  oneShots,
  root,
  running,
  services,
  urlHost,
} from './compose-fixture.ts';

// Each service's environment is held against the zod config schema its process parses at startup
// (and, strictly, key by key, in compose-env.test.ts).
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
    for (const name of [
      'postgres',
      'kafka',
      'connect',
      'connect-register',
      'redis',
      'typesense',
      'api',
      'cdc',
      'migrate',
    ]) {
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
      expect(Array.isArray(test) ? test.length > 1 && test[0] !== 'NONE' : Boolean(test), `${name}: healthcheck`).toBe(
        true,
      );
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
    expect(
      [...declared].filter((v) => !used.has(v)),
      'declared but unused volumes',
    ).toEqual([]);
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

describe('docker-compose.yml: each process’s environment against its config schema', () => {
  const api = running('api/src/main.ts')[0]!;
  const cdc = running('cdc/src/main.ts')[0]!;
  const hubs = running('hub/src/main.ts');
  const migrate = running('infra/src/migrate-cli.ts');

  it('api: apiConfigSchema, searchConfigSchema (it serves the storefront search) and terminalsConfigSchema (the pages)', () => {
    const env = envOf(api);
    const config = parseConfig(apiConfigSchema, env);
    expect(config.API_HOST, 'reachable from other containers').toBe('0.0.0.0');
    expect(config.HUB_PUBLIC_URL, 'devices are told where the hub is').toMatch(/^wss?:\/\//);
    expect(config.HUB_PUBLIC_KEY, 'devices are told which key to pin').toBeTruthy();
    const search = parseConfig(searchConfigSchema, env);
    expect(search.SEARCH_ENGINE).toBe('typesense');
    expect(names).toContain(urlHost(search.TYPESENSE_URL!));
    const pages = parseConfig(terminalsConfigSchema, env);
    // the schema cannot say it: a ticket turns red only after it turned yellow
    expect(pages.TERMINALS_KDS_LATE_MINUTES).toBeGreaterThan(pages.TERMINALS_KDS_WARN_MINUTES);
  });

  it('cdc: cdcConfigSchema, debeziumSourceConfig and searchConfigSchema, in Debezium mode on the Redis bus', () => {
    const env = envOf(cdc);
    const config = parseConfig(cdcConfigSchema, env);
    expect(config.CDC_SOURCE).toBe('debezium');
    expect(config.BUS_DRIVER).toBe('redis');
    expect(config.REDIS_URL).toBeDefined();
    expect(config.CDC_HTTP_HOST).toBe('0.0.0.0');
    const debezium = parseConfig(debeziumSourceConfig, env);
    for (const broker of debezium.CDC_KAFKA_BROKERS) expect(names, broker).toContain(broker.split(':')[0]);
    const search = parseConfig(searchConfigSchema, env);
    expect(search.SEARCH_ENGINE).toBe('typesense');
  });

  it('hubs: hubConfigSchema on the Redis bus, sharing the cdc’s Redis keys and the api’s token issuer', () => {
    const cdcConfig = parseConfig(cdcConfigSchema, envOf(cdc));
    const apiConfig = parseConfig(apiConfigSchema, envOf(api));
    for (const hub of hubs) {
      const config = parseConfig(hubConfigSchema, envOf(hub));
      expect(config.BUS_DRIVER, hub).toBe('redis');
      expect(config.REDIS_URL, hub).toBe(cdcConfig.REDIS_URL);
      expect(config.REDIS_KEY_PREFIX, hub).toBe(cdcConfig.REDIS_KEY_PREFIX);
      expect(config.BUS_HISTORY_MAX, hub).toBe(cdcConfig.BUS_HISTORY_MAX);
      expect(config.AUTH_JWT_ISSUER, hub).toBe(apiConfig.AUTH_JWT_ISSUER);
      expect(config.AUTH_JWT_AUDIENCE, hub).toBe(apiConfig.AUTH_JWT_AUDIENCE);
      expect(config.AUTH_JWT_PUBLIC_KEY.trim(), hub).toBe(apiConfig.AUTH_JWT_PUBLIC_KEY.trim());
      expect(config.HUB_HOST, hub).toBe('0.0.0.0');
    }
  });

  it('migrations: migrateConfigSchema; every DATABASE_URL, REDIS_URL and TYPESENSE_URL names a service of the file', () => {
    expect(migrate.length).toBeGreaterThan(0);
    for (const name of migrate) parseConfig(migrateConfigSchema, envOf(name));
    const pg = envOf('postgres');
    for (const name of names) {
      const env = envOf(name);
      if (env.DATABASE_URL) {
        const url = new URL(env.DATABASE_URL);
        expect(names, `${name}: database host`).toContain(url.hostname);
        expect(decodeURIComponent(url.username), `${name}: database user`).toBe(pg.POSTGRES_USER);
        expect(decodeURIComponent(url.password), `${name}: database password`).toBe(dotEnv.POSTGRES_PASSWORD);
        expect(url.pathname.slice(1), `${name}: database name`).toBe(pg.POSTGRES_DB);
      }
      for (const key of ['REDIS_URL', 'TYPESENSE_URL'])
        if (env[key]) expect(names, `${name}: ${key}`).toContain(urlHost(env[key]));
    }
  });

  it('health checks probe the port each process listens on', () => {
    const probe = (name: string) =>
      /http:\/\/127\.0\.0\.1:(\d+)\/health/.exec(JSON.stringify(services[name]!.healthcheck?.test))?.[1];
    expect(probe(api)).toBe(String(parseConfig(apiConfigSchema, envOf(api)).API_PORT));
    expect(probe(cdc)).toBe(String(parseConfig(cdcConfigSchema, envOf(cdc)).CDC_HTTP_PORT));
    for (const hub of hubs) expect(probe(hub), hub).toBe(String(parseConfig(hubConfigSchema, envOf(hub)).HUB_PORT));
  });
});

describe('docker-compose.yml: two hubs behind a load balancer', () => {
  const hubs = running('hub/src/main.ts');
  const lbName = names.find((n) => (services[n]!.image ?? '').startsWith('nginx'));

  it('an nginx service with its config under infra/ points at every hub instance and passes WebSocket upgrades', () => {
    expect(hubs.length).toBeGreaterThanOrEqual(2);
    expect(lbName, 'an nginx load balancer').toBeDefined();
    const lb = services[lbName!]!;
    const mount = (lb.volumes ?? [])
      .map((v) => (typeof v === 'string' ? v.split(':')[0]! : (v.source ?? '')))
      .find((s) => s.startsWith('./infra/'));
    expect(mount, 'load balancer config under infra/').toBeDefined();
    const conf = readFileSync(resolve(root, mount!), 'utf8');
    const upstream = /upstream\s+(\w+)\s*\{([^}]*)\}/.exec(conf);
    expect(upstream, 'an upstream block').not.toBeNull();
    const servers = [...upstream![2]!.matchAll(/server\s+([\w.-]+):(\d+)/g)].map((m) => `${m[1]}:${m[2]}`);
    const expected = hubs.map((hub) => `${hub}:${parseConfig(hubConfigSchema, envOf(hub)).HUB_PORT}`);
    expect(servers.sort()).toEqual(expected.sort());
    expect(conf).toMatch(new RegExp(`proxy_pass\\s+http://${upstream![1]};`));
    expect(conf).toMatch(/proxy_set_header\s+Upgrade\s+\$http_upgrade/);
    expect(conf).toMatch(/proxy_http_version\s+1\.1/);
    for (const hub of hubs) expect(dependencies(lb).map((d) => d.name)).toContain(hub);
  });

  it('the hub URL handed to devices is the port the load balancer publishes', () => {
    const lb = services[lbName!]!;
    const url = new URL(parseConfig(apiConfigSchema, envOf(running('api/src/main.ts')[0]!)).HUB_PUBLIC_URL!);
    expect(publishedPorts(lb)).toContain(url.port);
    const listen = /listen\s+(\d+)/.exec(readFileSync(resolve(root, 'infra/nginx/hub-lb.conf'), 'utf8'))?.[1];
    const mapping = (lb.ports ?? []).map(String).find((p) => p.startsWith(`${url.port}:`));
    expect(mapping?.split(':')[1]).toBe(listen);
  });
});

describe('docker-compose.yml: change data capture', () => {
  const migrationsDir = join(root, 'infra/migrations');
  const migrations = readdirSync(migrationsDir)
    .filter((f) => f.endsWith('.sql'))
    .map((f) => readFileSync(join(migrationsDir, f), 'utf8'))
    .join('\n');
  const publication = /create\s+publication\s+(\w+)\s+for\s+table\s+([^;]+);/i.exec(migrations);
  const cdc = running('cdc/src/main.ts')[0]!;

  it('runs Postgres with wal_level=logical and room for the replication slots', () => {
    const settings = postgresSettings(services.postgres!);
    expect(settings.wal_level).toBe('logical');
    // defaults are 10; if set, they must leave room for the Debezium slot and a pgoutput one
    if (settings.max_replication_slots) expect(Number(settings.max_replication_slots)).toBeGreaterThanOrEqual(2);
    if (settings.max_wal_senders) expect(Number(settings.max_wal_senders)).toBeGreaterThanOrEqual(2);
  });

  it('the Debezium connector streams the migrations’ publication through pgoutput, on its own slot', () => {
    expect(publication, 'a publication in the migrations').not.toBeNull();
    const published = new Set(publication![2]!.split(',').map((t) => `public.${t.trim()}`));
    expect(connectorValue('plugin.name')).toBe('pgoutput');
    expect(connectorValue('publication.name')).toBe(publication![1]);
    expect(connectorValue('publication.autocreate.mode')).toBe('disabled');
    for (const table of connectorValue('table.include.list').split(','))
      expect(published, table).toContain(table.trim());
    const slot = connectorValue('slot.name');
    expect(slot).toMatch(/^[a-z_][a-z0-9_]{0,62}$/);
    // the embedded pgoutput source has its own slot: two readers on one slot would steal changes
    expect(slot).not.toBe(parseConfig(cdcConfigSchema, envOf(cdc)).CDC_SLOT);
    expect(connectorValue('slot.drop.on.stop')).toBe('false');
    // the connector as the registration job renders it from its parsed config
    const register = parseConfig(connectRegisterConfigSchema, envOf(running('register-connector.ts')[0]!));
    const rendered = renderConnector(connector, connectorVariables(register)).config;
    const db = envOf('postgres');
    expect(names).toContain(rendered['database.hostname']);
    expect(rendered['database.port']).toBe('5432');
    expect(rendered['database.dbname']).toBe(db.POSTGRES_DB);
    expect(rendered['database.user']).toBe(db.POSTGRES_USER);
    expect(rendered['database.password']).toBe(dotEnv.POSTGRES_PASSWORD);
    expect(names).toContain(urlHost(register.CONNECT_URL));
  });

  it('the registration job’s schema declares every placeholder of connector.json, with the file’s defaults', () => {
    const declared = Object.keys(connectRegisterConfigSchema.shape);
    const placeholders = [...JSON.stringify(connector).matchAll(/\$\{([A-Z0-9_]+)(?::-[^}]*)?\}/g)].map((m) => m[1]!);
    expect(placeholders.length).toBeGreaterThan(0);
    for (const name of placeholders) expect(declared, name).toContain(name);
    // the schema's defaults and the file's `${NAME:-default}` fill the same values
    const required = { CDC_DB_PASSWORD: 'pw' };
    expect(renderConnector(connector, connectorVariables(parseConfig(connectRegisterConfigSchema, required)))).toEqual(
      renderConnector(connector, required),
    );
  });

  it('the cdc decoder is configured as the connector writes its records', () => {
    const debezium = parseConfig(debeziumSourceConfig, envOf(cdc));
    expect(debezium.CDC_DEBEZIUM_TOPIC_PREFIX).toBe(connectorValue('topic.prefix'));
    expect(debezium.CDC_DEBEZIUM_DECIMAL_MODE).toBe(connectorValue('decimal.handling.mode'));
    expect(debezium.CDC_DEBEZIUM_TIME_PRECISION_MODE).toBe(connectorValue('time.precision.mode'));
    expect(debezium.CDC_DEBEZIUM_HEARTBEAT_TOPIC_PREFIX).toBe(connectorValue('topic.heartbeat.prefix'));
    expect(debezium.CDC_DEBEZIUM_UNAVAILABLE_VALUE).toBe(connectorValue('unavailable.value.placeholder'));
    if (connectorValue('value.converter.schemas.enable') !== 'true')
      expect(debezium.CDC_DEBEZIUM_COLUMN_TYPES_FILE).toBeDefined();
  });

  it('every Kafka topic cdc produces to can exist: the dead-letter topic is created or auto-creation is on', () => {
    const debezium = parseConfig(debeziumSourceConfig, envOf(cdc));
    if (!debezium.CDC_KAFKA_DLQ_TOPIC) return;
    const autoCreate = envOf('kafka').KAFKA_AUTO_CREATE_TOPICS_ENABLE !== 'false';
    const created = names.some((n) => commandText(services[n]!).includes(debezium.CDC_KAFKA_DLQ_TOPIC!));
    // with auto-creation off and no one creating it, parking the first undecodable record retries
    // forever and the stream stops behind it
    expect(
      autoCreate || created,
      `${debezium.CDC_KAFKA_DLQ_TOPIC} is never created (KAFKA_AUTO_CREATE_TOPICS_ENABLE=false)`,
    ).toBe(true);
  });
});
