import { parseConfig } from '@commerce/common';
import { searchConfigSchema } from '@commerce/search';
import { describe, expect, it } from 'vitest';
import { debeziumSourceConfig } from '../../../cdc/src/debezium/config.ts';
import type { ComposeService } from './compose-file.ts';
import { dotEnv, envOf, names, running, services } from './compose-fixture.ts';

// What the third-party services run and how: the images the docs promise, Kafka without ZooKeeper,
// and Typesense started with the key the api and cdc write with.
const image = (name: string) => services[name]?.image ?? '';
const args = (service: ComposeService) =>
  Array.isArray(service.command) ? service.command : (service.command ?? '').split(/\s+/);
/** `--flag value` or `--flag=value` of a command line */
const flag = (service: ComposeService, name: string) => {
  const list = args(service);
  const at = list.indexOf(name);
  if (at >= 0) return list[at + 1];
  return list.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
};

describe('docker-compose.yml: images', () => {
  it('runs PostgreSQL 16, Debezium’s Kafka Connect, Typesense and Redis from their official images', () => {
    expect(image('postgres')).toMatch(/^postgres:16(?:[.-]|$)/);
    expect(image('connect')).toMatch(/^quay\.io\/debezium\/connect:\d/);
    expect(image('typesense')).toMatch(/^typesense\/typesense:\d/);
    expect(image('redis')).toMatch(/^redis:\d/);
    for (const name of names) expect(image(name), `${name}: image pinned to a tag`).toMatch(/:[\w.-]+$/);
  });

  it('runs Kafka (apache/kafka) in KRaft mode: one node as broker and controller, no ZooKeeper', () => {
    expect(image('kafka')).toMatch(/^apache\/kafka:\d/);
    const kafka = envOf('kafka');
    expect(Object.keys(kafka).filter((key) => key.includes('ZOOKEEPER'))).toEqual([]);
    expect(kafka.CLUSTER_ID, 'KRaft storage is formatted with a cluster id').toMatch(/^[\w-]{22}$/);
    expect(kafka.KAFKA_PROCESS_ROLES?.split(',').sort()).toEqual(['broker', 'controller']);
    // the quorum is this node, reached on the controller listener
    const controller = kafka.KAFKA_CONTROLLER_LISTENER_NAMES!;
    const listeners = Object.fromEntries(
      kafka.KAFKA_LISTENERS!.split(',').map((l) => {
        const [, listenerName, port] = /^(\w+):\/\/[^:]*:(\d+)$/.exec(l)!;
        return [listenerName!, port!];
      }),
    );
    expect(listeners[controller], `${controller} in KAFKA_LISTENERS`).toBeDefined();
    expect(kafka.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe(`${kafka.KAFKA_NODE_ID}@kafka:${listeners[controller]}`);
    const protocols = Object.fromEntries(
      kafka.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP!.split(',').map((p) => p.split(':')),
    );
    for (const listenerName of Object.keys(listeners)) expect(protocols, listenerName).toHaveProperty(listenerName);
    // clients are told a name other containers resolve, on the broker listener
    const broker = kafka.KAFKA_INTER_BROKER_LISTENER_NAME!;
    expect(kafka.KAFKA_ADVERTISED_LISTENERS).toBe(`${broker}://kafka:${listeners[broker]}`);
    // one broker: internal topics cannot ask for more replicas than there are brokers
    for (const key of Object.keys(kafka).filter((k) => k.endsWith('REPLICATION_FACTOR')))
      expect(kafka[key], key).toBe('1');
    expect(kafka.KAFKA_TRANSACTION_STATE_LOG_MIN_ISR).toBe('1');
  });

  it('every Kafka client dials the advertised broker address', () => {
    const advertised = envOf('kafka').KAFKA_ADVERTISED_LISTENERS!.replace(/^\w+:\/\//, '');
    expect(envOf('connect').BOOTSTRAP_SERVERS).toBe(advertised);
    expect(parseConfig(debeziumSourceConfig, envOf(running('cdc/src/main.ts')[0]!)).CDC_KAFKA_BROKERS).toEqual([
      advertised,
    ]);
    const oneShots = names.filter((n) => n !== 'kafka' && image(n) === image('kafka'));
    expect(oneShots.length).toBeGreaterThan(0);
    for (const name of oneShots) expect(flag(services[name]!, '--bootstrap-server'), name).toBe(advertised);
  });

  it('starts Typesense with the admin key the api and cdc write with, its data in its volume', () => {
    const typesense = services.typesense!;
    const key = flag(typesense, '--api-key');
    expect(key).toBe(dotEnv.TYPESENSE_API_KEY);
    const writers = [...running('api/src/main.ts'), ...running('cdc/src/main.ts')];
    expect(writers).toHaveLength(2);
    for (const name of writers) expect(parseConfig(searchConfigSchema, envOf(name)).TYPESENSE_API_KEY, name).toBe(key);
    const mounts = (typesense.volumes ?? []).map((v) => (typeof v === 'string' ? v.split(':')[1] : v.target));
    expect(mounts).toContain(flag(typesense, '--data-dir'));
  });
});
