import { type ChangeEvent, comparePositions } from '@commerce/common';
import { describe, expect, it } from 'vitest';
import { createDebeziumDecoder, DEFAULT_UNAVAILABLE_VALUE_PLACEHOLDER } from './decoder.ts';
import { DebeziumDecodeError, UnexpectedDecodeError } from './errors.ts';
import { type DecoderFixture, loadFixture, loadFixtures } from './fixtures.ts';
import { type LosslessObject, parseLosslessJson, stringifyLosslessJson } from './lossless-json.ts';
import { DEBEZIUM_POSITION_LENGTH } from './position.ts';

const fixtures = loadFixtures();

/**
 * The traps the decoder must get right, each with the fixtures that pin it and a check that those
 * fixtures really exhibit it (a name alone could lie).
 */
type Trap = { fixtures: string[]; shows: (f: DecoderFixture) => boolean };
const TWO_53 = 2n ** 53n;
const TIMESTAMP_FORM = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z|-?infinity)$/;
const TRAPS: Record<string, Trap> = {
  'schemas on': {
    fixtures: ['create-with-schemas'],
    shows: (f) => isEnvelope(f.record.value) && isEnvelope(f.record.key),
  },
  'schemas off': {
    fixtures: ['create-without-schemas-typed', 'create-without-schemas-untyped'],
    shows: (f) => changeOf(f) !== null && !isEnvelope(f.record.value) && !isEnvelope(f.record.key),
  },
  keys: {
    fixtures: ['create-with-schemas', 'create-without-schemas-typed', 'pk-change-delete'],
    shows: (f) => f.record.key !== null && Object.keys(changeOf(f)?.key ?? {}).length > 0,
  },
  tombstone: {
    fixtures: ['tombstone'],
    shows: (f) => f.record.value === null && f.expect.kind === 'skipped' && f.expect.reason === 'tombstone',
  },
  heartbeat: {
    fixtures: ['heartbeat', 'heartbeat-custom-prefix'],
    shows: (f) => f.expect.kind === 'skipped' && f.expect.reason === 'heartbeat',
  },
  'op c': { fixtures: ['create-with-schemas'], shows: (f) => hasOp(f, 'c') },
  'op u': { fixtures: ['update-replica-identity-full'], shows: (f) => hasOp(f, 'u') },
  'op d': { fixtures: ['delete'], shows: (f) => hasOp(f, 'd') },
  'op r': { fixtures: ['snapshot-read'], shows: (f) => hasOp(f, 'r') },
  'op t': { fixtures: ['truncate'], shows: (f) => hasOp(f, 't') },
  'op m': {
    fixtures: ['logical-message', 'message-transactional'],
    shows: (f) => payloadOf(f)?.op === 'm' && f.expect.kind === 'skipped' && f.expect.reason === 'message',
  },
  'transaction metadata': {
    fixtures: ['transaction-begin', 'transaction-end', 'create-with-transaction-block'],
    shows: (f) =>
      (f.expect.kind === 'skipped' && f.expect.boundary !== undefined) ||
      (f.expect.kind !== 'error' && f.expect.transaction !== undefined),
  },
  'int64 beyond 2^53': {
    fixtures: ['create-with-schemas'],
    shows: (f) => {
      const event = JSON.stringify(changeOf(f));
      // integers JSON.parse would round, found exact (as decimal strings) in the event
      return [...(f.record.value ?? '').matchAll(/-?\d{16,}/g)]
        .map((m) => BigInt(m[0]))
        .some((n) => (n > TWO_53 || n < -TWO_53) && BigInt(Number(n)) !== n && event.includes(`"${n}"`));
    },
  },
  'decimal precise': {
    fixtures: ['decimal-precise'],
    shows: (f) =>
      (f.options.decimalMode ?? 'precise') === 'precise' &&
      columnsShow(f, 'org.apache.kafka.connect.data.Decimal', /^-?\d+(\.\d+)?$/),
  },
  'decimal string': {
    fixtures: ['decimal-string'],
    shows: (f) => f.options.decimalMode === 'string' && changeOf(f) !== null,
  },
  'decimal double': {
    fixtures: ['decimal-double'],
    shows: (f) => f.options.decimalMode === 'double' && changeOf(f) !== null,
  },
  ZonedTimestamp: {
    fixtures: ['temporal-adaptive'],
    shows: (f) => columnsShow(f, 'io.debezium.time.ZonedTimestamp', TIMESTAMP_FORM),
  },
  MicroTimestamp: {
    fixtures: ['temporal-adaptive'],
    shows: (f) => columnsShow(f, 'io.debezium.time.MicroTimestamp', TIMESTAMP_FORM),
  },
  Timestamp: {
    fixtures: ['temporal-adaptive'],
    shows: (f) => columnsShow(f, 'io.debezium.time.Timestamp', TIMESTAMP_FORM),
  },
  Date: { fixtures: ['temporal-adaptive'], shows: (f) => columnsShow(f, 'io.debezium.time.Date', /^\d{4}-\d\d-\d\d$/) },
  MicroTime: {
    fixtures: ['temporal-adaptive'],
    shows: (f) => columnsShow(f, 'io.debezium.time.MicroTime', /^\d\d:\d\d:\d\d\.\d{6}$/),
  },
  'unavailable TOAST placeholder': {
    fixtures: ['update-unavailable-toast', 'update-unavailable-custom-placeholder'],
    shows: (f) => {
      const placeholder = f.options.unavailableValuePlaceholder ?? DEFAULT_UNAVAILABLE_VALUE_PLACEHOLDER;
      const sent = [placeholder, Buffer.from(placeholder).toString('base64')].some((p) => f.record.value?.includes(p));
      return sent && (changeOf(f)?.unchanged.length ?? 0) > 0;
    },
  },
  'undecodable → dead letter': {
    fixtures: ['error-invalid-json', 'error-unknown-op', 'error-wrong-type', 'error-with-transaction-block'],
    shows: (f) => f.expect.kind === 'error',
  },
};

function changeOf(f: DecoderFixture): ChangeEvent | null {
  return f.expect.kind === 'change' ? f.expect.event : null;
}

function parsed(text: string | null): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text ?? 'null');
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function isEnvelope(text: string | null): boolean {
  const value = parsed(text);
  return value !== null && Object.keys(value).sort().join() === 'payload,schema';
}

function payloadOf(f: DecoderFixture): Record<string, unknown> | null {
  const value = parsed(f.record.value);
  return isEnvelope(f.record.value) ? (value!.payload as Record<string, unknown>) : value;
}

function hasOp(f: DecoderFixture, op: string): boolean {
  return payloadOf(f)?.op === op && changeOf(f)?.op === op;
}

/** Columns of `after` with that semantic type in the record's schema all come out in `form` (and there are some). */
function columnsShow(f: DecoderFixture, semanticName: string, form: RegExp): boolean {
  interface Field {
    field?: string;
    name?: string;
    fields?: Field[];
  }
  const schema = parsed(f.record.value)?.schema as Field | undefined;
  const columns = (schema?.fields?.find((x) => x.field === 'after')?.fields ?? [])
    .filter((x) => x.name === semanticName)
    .map((x) => x.field!);
  const after = changeOf(f)?.after;
  return columns.length > 0 && columns.every((c) => typeof after?.[c] === 'string' && form.test(after[c] as string));
}

function decodeFixture(name: string) {
  const fixture = loadFixture(`${name}.fixture.json`);
  const result = createDebeziumDecoder(fixture.options).decode(fixture.record);
  if (result.kind !== 'change') throw new Error(`${name} did not decode to a change`);
  return result.event;
}

describe('Debezium decoder over recorded-format fixtures', () => {
  it.each(Object.entries(TRAPS))('has a fixture for the trap: %s', (_trap, trap) => {
    expect(trap.fixtures.length).toBeGreaterThan(0);
    for (const name of trap.fixtures) {
      const fixture = fixtures.find((f) => f.name === name);
      expect(fixture, `fixture ${name}`).toBeDefined();
      expect(trap.shows(fixture!), `${name} exhibits the trap`).toBe(true);
    }
    // the check tells fixtures apart: it is not true of every record
    expect(fixtures.filter(trap.shows).length).toBeLessThan(fixtures.length);
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
