import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConnectorFile, renderConnector } from '../../../infra/debezium/register-connector.ts';
import { dataCollectionConsumed, debeziumSourceConfig, topicMatcher, transactionTopic } from './config.ts';
import { DEFAULT_HEARTBEAT_TOPIC_PREFIX, DEFAULT_UNAVAILABLE_VALUE_PLACEHOLDER } from './decoder.ts';

/**
 * infra/debezium/connector.json must agree with the schema (the publication and its tables) and
 * with what the decoder and the Kafka source expect by default; a drift here decodes values wrongly
 * or silently captures the wrong tables.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const file = loadConnectorFile(join(ROOT, 'infra/debezium/connector.json'));
const config = file.config;
const migration = readFileSync(join(ROOT, 'infra/migrations/0008_cdc_publication.sql'), 'utf8');
const sourceDefaults = debeziumSourceConfig.parse({ CDC_KAFKA_BROKERS: 'kafka:9092' });

function publication(sql: string): { name: string; tables: string[] } {
  const m = /create\s+publication\s+(\w+)\s+for\s+table\s+([^;]+);/i.exec(sql);
  if (!m) throw new Error('no create publication in 0008');
  const tables = m[2]!
    .replace(/--[^\n]*/g, '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t) => (t.includes('.') ? t : `public.${t}`));
  return { name: m[1]!, tables };
}

describe('Debezium connector configuration', () => {
  it('reads the publication the schema creates, and lets Debezium create none', () => {
    const pub = publication(migration);
    expect(pub.name).toBe('commerce_cdc');
    expect(config['publication.name']).toBe(pub.name);
    expect(config['publication.autocreate.mode']).toBe('disabled');
    expect(config['plugin.name']).toBe('pgoutput');
    expect(config['connector.class']).toBe('io.debezium.connector.postgresql.PostgresConnector');
  });

  it('snapshots exactly the published tables (idempotency keys and staff secrets stay out)', () => {
    const pub = publication(migration);
    expect(config['table.include.list']!.split(',').sort()).toEqual([...pub.tables].sort());
    expect(config['table.include.list']).not.toMatch(/idempotency_keys|staff_users/);
  });

  it('uses a slot of its own with a valid name, and keeps WAL moving with heartbeats', () => {
    expect(config['slot.name']).toMatch(/^[a-z0-9_]{1,63}$/);
    expect(config['slot.drop.on.stop']).toBe('false');
    expect(Number(config['heartbeat.interval.ms'])).toBeGreaterThan(0);
    // a logical message makes WAL in this database even when no captured table changes (PG 14+)
    const query = config['heartbeat.action.query']!;
    const prefix = /pg_logical_emit_message\(\s*false\s*,\s*'([^']+)'/.exec(query)?.[1];
    expect(prefix).toBeDefined();
    expect(config['message.prefix.include.list']!.split(',')).toContain(prefix);
  });

  it('produces what the decoder and the Kafka source expect by default', () => {
    expect(config['topic.prefix']).toBe(sourceDefaults.CDC_DEBEZIUM_TOPIC_PREFIX);
    expect(config['topic.heartbeat.prefix']).toBe(DEFAULT_HEARTBEAT_TOPIC_PREFIX);
    expect(config['topic.heartbeat.prefix']).toBe(sourceDefaults.CDC_DEBEZIUM_HEARTBEAT_TOPIC_PREFIX);
    expect(config['decimal.handling.mode']).toBe(sourceDefaults.CDC_DEBEZIUM_DECIMAL_MODE);
    expect(config['time.precision.mode']).toBe(sourceDefaults.CDC_DEBEZIUM_TIME_PRECISION_MODE);
    expect(config['unavailable.value.placeholder']).toBe(DEFAULT_UNAVAILABLE_VALUE_PLACEHOLDER);
    expect(config['unavailable.value.placeholder']).toBe(sourceDefaults.CDC_DEBEZIUM_UNAVAILABLE_VALUE);
    // base64 bytes are what the decoder turns into hex; truncates must not be skipped
    expect(config['binary.handling.mode']).toBe('bytes');
    expect(config['skipped.operations']).toBe('none');
    expect(config['interval.handling.mode']).toBe('string');
    for (const side of ['key', 'value']) {
      expect(config[`${side}.converter`]).toBe('org.apache.kafka.connect.json.JsonConverter');
      expect(config[`${side}.converter.schemas.enable`]).toBe('true');
    }
    const matches = topicMatcher(sourceDefaults);
    const prefix = config['topic.prefix'];
    for (const table of publication(migration).tables) expect(matches(`${prefix}.${table}`)).toBe(true);
    expect(matches(`${config['topic.heartbeat.prefix']}.${prefix}`)).toBe(true);
    expect(matches(`${prefix}.message`)).toBe(true);
  });

  it('writes transaction metadata to a one-partition topic the source consumes', () => {
    // without it an order's row and its lines reach the consumer as unrelated records
    expect(config['provide.transaction.metadata']).toBe('true');
    const topic = `${config['topic.prefix']}.${config['topic.transaction']}`;
    expect(topic).toBe(transactionTopic(sourceDefaults));
    expect(topicMatcher(sourceDefaults)(topic)).toBe(true);
    // one partition: END records arrive in commit order, so transactions are delivered in it
    const groups = config['topic.creation.groups']!.split(',').map((g) => g.trim());
    const group = groups.find((g) => new RegExp(`^(?:${config[`topic.creation.${g}.include`]})$`).test(topic));
    expect(group).toBeDefined();
    expect(config[`topic.creation.${group}.partitions`]).toBe('1');
    // END records name tables (`public.orders`): the source must await every published one
    const consumed = dataCollectionConsumed(sourceDefaults);
    for (const table of publication(migration).tables) expect(consumed(table)).toBe(true);
    const narrowed = debeziumSourceConfig.parse({
      CDC_KAFKA_BROKERS: 'kafka:9092',
      CDC_KAFKA_TOPICS: 'commerce.public.orders',
    });
    expect(dataCollectionConsumed(narrowed)('public.order_lines')).toBe(false);
    // anything that is not a plain schema.table name is awaited, never guessed away
    expect(dataCollectionConsumed(narrowed)('LOGICAL_DECODING_MESSAGE')).toBe(true);
    expect(dataCollectionConsumed(narrowed)('commerce.public.order_lines')).toBe(true);
  });

  it('renders with only the password given', () => {
    const rendered = renderConnector(file, { CDC_DB_PASSWORD: 'pw' }).config;
    expect(rendered['database.password']).toBe('pw');
    expect(rendered['database.hostname']).toBe('postgres');
    expect(Object.values(rendered).some((v) => v.includes('${'))).toBe(false);
  });
});
