import { comparePositions } from '@commerce/common';
import { describe, expect, it } from 'vitest';
import { createDebeziumDecoder } from './decoder.ts';
import { DebeziumDecodeError, UnexpectedDecodeError } from './errors.ts';
import { loadFixture, loadFixtures } from './fixtures.ts';
import { type LosslessObject, parseLosslessJson, stringifyLosslessJson } from './lossless-json.ts';
import { DEBEZIUM_POSITION_LENGTH } from './position.ts';

const fixtures = loadFixtures();

function decodeFixture(name: string) {
  const fixture = loadFixture(`${name}.fixture.json`);
  const result = createDebeziumDecoder(fixture.options).decode(fixture.record);
  if (result.kind !== 'change') throw new Error(`${name} did not decode to a change`);
  return result.event;
}

describe('Debezium decoder over recorded-format fixtures', () => {
  it('has a fixture for every trap', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(30);
  });

  it.each(fixtures.map((f) => [f.name, f] as const))('%s', (_name, fixture) => {
    const decoder = createDebeziumDecoder(fixture.options);
    const expected = fixture.expect;
    if (expected.kind === 'error') {
      let caught: unknown;
      try {
        decoder.decode(fixture.record);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(DebeziumDecodeError);
      const error = caught as DebeziumDecodeError;
      expect(error.reason).toContain(expected.reason);
      expect(error.retriable).toBe(false);
      expect(error.coordinates).toEqual({
        topic: fixture.record.topic,
        partition: fixture.record.partition,
        offset: fixture.record.offset,
      });
      expect(error.message).toContain(`${fixture.record.topic}[${fixture.record.partition}]@${fixture.record.offset}`);
      expect(error.transaction).toEqual(expected.transaction);
      return;
    }
    const result = decoder.decode(fixture.record);
    if (expected.kind === 'skipped') {
      expect(result).toEqual({
        kind: 'skipped',
        reason: expected.reason,
        ...(expected.detail ? { detail: expected.detail } : {}),
        ...(expected.transaction ? { transaction: expected.transaction } : {}),
        ...(expected.boundary ? { boundary: expected.boundary } : {}),
      });
      return;
    }
    expect(result).toEqual({
      kind: 'change',
      event: expected.event,
      ...(expected.transaction ? { transaction: expected.transaction } : {}),
    });
    if (result.kind !== 'change') return;
    // the event is plain JSON (no BigInt, no undefined) and every position has the same width
    expect(JSON.parse(JSON.stringify(result.event))).toEqual(result.event);
    expect(result.event.position).toHaveLength(DEBEZIUM_POSITION_LENGTH);
    for (const column of result.event.unchanged) expect(result.event.after).not.toHaveProperty(column);
  });
});

describe('Debezium decoder traps', () => {
  it('the 2^53+1 id really is a trap for JSON.parse', () => {
    const fixture = loadFixture('create-with-schemas.fixture.json');
    expect(JSON.parse(fixture.record.value!).payload.after.id).toBe(9007199254740992);
    expect(decodeFixture('create-with-schemas').after?.id).toBe('9007199254740993');
  });

  it('with a type map, schemas.enable=false yields the same event as schemas.enable=true', () => {
    expect(decodeFixture('create-without-schemas-typed')).toEqual(decodeFixture('create-with-schemas'));
    expect(decodeFixture('create-without-schemas-untyped')).not.toEqual(decodeFixture('create-with-schemas'));
  });

  it('the records of one transaction carry different ids (<xid>:<LSN>) but one key', () => {
    const keys = [
      'transaction-begin',
      'create-with-transaction-block',
      'order-line-with-transaction-block',
      'transaction-end',
    ].map((name) => {
      const fixture = loadFixture(`${name}.fixture.json`);
      const result = createDebeziumDecoder(fixture.options).decode(fixture.record);
      const block = result.kind === 'change' ? result.transaction : (result.boundary ?? result.transaction);
      return [block?.id, block?.key];
    });
    expect(new Set(keys.map(([id]) => id)).size).toBe(3); // here BEGIN's id is the first change's LSN
    expect(new Set(keys.map(([, key]) => key))).toEqual(new Set(['5012']));
  });

  it('orders a primary-key change: delete of the old key before create of the new one', () => {
    const del = decodeFixture('pk-change-delete');
    const create = decodeFixture('pk-change-create');
    expect(del.position).not.toBe(create.position);
    expect(comparePositions(del.position, create.position)).toBeLessThan(0);
  });

  it('positions follow commit order, snapshot first', () => {
    const inStreamOrder = [
      'snapshot-read',
      'create-with-schemas',
      'update-unavailable-toast',
      'update-replica-identity-full',
      'delete',
      'pk-change-delete',
      'pk-change-create',
      'truncate',
      'no-sequence-uses-lsn',
      'decimal-precise',
      'temporal-adaptive',
      'json-uuid-arrays',
    ].map((name) => decodeFixture(name).position);
    expect([...inStreamOrder].sort(comparePositions)).toEqual(inStreamOrder);
    expect(new Set(inStreamOrder).size).toBe(inStreamOrder.length);
  });

  it('a redelivered record decodes to the same position', () => {
    expect(decodeFixture('delete').position).toBe(decodeFixture('delete').position);
  });

  it('snapshot rows sharing one LSN still get distinct positions', () => {
    const fixture = loadFixture('snapshot-read.fixture.json');
    const decoder = createDebeziumDecoder();
    const other = { ...fixture.record, key: fixture.record.key!.replace('"payload":{"id":9}', '"payload":{"id":11}') };
    expect(other.key).not.toBe(fixture.record.key);
    const a = decoder.decode(fixture.record);
    const b = decoder.decode(other);
    if (a.kind !== 'change' || b.kind !== 'change') throw new Error('expected changes');
    expect(a.event.position.slice(0, 43)).toBe(b.event.position.slice(0, 43));
    expect(a.event.position).not.toBe(b.event.position);
  });

  it('an error nobody foresaw still comes out as a decode error naming the record and its transaction', () => {
    // a transactional logical message whose prefix is an object: a TypeError inside the decoder
    const record = {
      topic: 'commerce.message',
      partition: 1,
      offset: '42',
      key: null,
      value:
        '{"op":"m","ts_ms":1795342530123,"source":{},"message":{"prefix":{}},' +
        '"transaction":{"id":"5012:37690300","total_order":3,"data_collection_order":1}}',
    };
    let caught: unknown;
    try {
      createDebeziumDecoder().decode(record);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UnexpectedDecodeError);
    expect(caught).toBeInstanceOf(DebeziumDecodeError);
    const error = caught as UnexpectedDecodeError;
    expect(error.cause).toBeInstanceOf(TypeError);
    expect(error.reason).toMatch(/^unexpected TypeError: /);
    expect(error.code).toBe('cdc.debezium.undecodable');
    expect(error.coordinates).toEqual({ topic: 'commerce.message', partition: 1, offset: '42' });
    expect(error.transaction).toMatchObject({ id: '5012:37690300', key: '5012', totalOrder: 3 });
  });

  it('an empty value is a tombstone too (JsonConverter reads zero bytes as null)', () => {
    const result = createDebeziumDecoder().decode({
      topic: 'commerce.public.orders',
      partition: 0,
      offset: '1',
      key: null,
      value: '',
    });
    expect(result).toEqual({ kind: 'skipped', reason: 'tombstone' });
  });
});

describe('schema caching', () => {
  it('decodes records sharing one schema text, and records with a different schema, correctly', () => {
    const decoder = createDebeziumDecoder();
    const a = loadFixture('create-with-schemas.fixture.json');
    const b = loadFixture('decimal-precise.fixture.json');
    const expectedA = a.expect.kind === 'change' ? a.expect.event : null;
    const expectedB = b.expect.kind === 'change' ? b.expect.event : null;
    for (let i = 0; i < 3; i++) {
      expect(decoder.decode(a.record)).toEqual({ kind: 'change', event: expectedA });
      expect(decoder.decode(b.record)).toEqual({ kind: 'change', event: expectedB });
    }
  });

  it('still decodes a schema+payload value written with other spacing or key order', () => {
    const fixture = loadFixture('create-with-schemas.fixture.json');
    const parsed = parseLosslessJson(fixture.record.value!) as LosslessObject;
    const reordered = `{ "payload" : ${stringifyLosslessJson(parsed.payload!)},\n "schema": ${stringifyLosslessJson(parsed.schema!)} }`;
    const result = createDebeziumDecoder().decode({ ...fixture.record, value: reordered });
    expect(result).toEqual(fixture.expect);
  });
});
