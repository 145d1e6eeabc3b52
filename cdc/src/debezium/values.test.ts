import { describe, expect, it } from 'vitest';
import { parsePgType } from './column-types.ts';
import { decimalFromBase64, decimalFromString, formatUnscaled, plainDecimal, unscaledFromBase64 } from './decimal.ts';
import { ValueError } from './errors.ts';
import { buildPosition, readSourceLsns } from './position.ts';
import { splitSchemaPayload } from './record-text.ts';
import { dateFromEpochDays, timeFromMidnight, timestampFromEpoch, timestampFromZoned } from './temporal.ts';

const b64 = (bytes: number[]) => Buffer.from(bytes).toString('base64');

describe('decimals', () => {
  it("reads big-endian two's-complement unscaled bytes", () => {
    expect(unscaledFromBase64(b64([0x7f]))).toBe(127n);
    expect(unscaledFromBase64(b64([0x80]))).toBe(-128n);
    expect(unscaledFromBase64(b64([0xff]))).toBe(-1n);
    expect(unscaledFromBase64(b64([0x00, 0x80]))).toBe(128n);
    expect(unscaledFromBase64(b64([0xfb, 0x2e]))).toBe(-1234n);
    expect(unscaledFromBase64('')).toBe(0n);
    expect(() => unscaledFromBase64('a*b=')).toThrow(ValueError);
  });

  it('formats with the scale, including negative scales', () => {
    expect(formatUnscaled(1230n, 2)).toBe('12.30');
    expect(formatUnscaled(-5n, 3)).toBe('-0.005');
    expect(formatUnscaled(0n, 2)).toBe('0.00');
    expect(formatUnscaled(42n, 0)).toBe('42');
    expect(formatUnscaled(12n, -3)).toBe('12000');
    expect(decimalFromBase64(b64([0x04, 0xce]), 2)).toBe('12.30');
  });

  it('turns double text (Java E notation) into plain decimals, at a scale when one is known', () => {
    expect(plainDecimal('1.2345678E7')).toBe('12345678');
    expect(plainDecimal('1.0E-4')).toBe('0.0001');
    expect(plainDecimal('-0.0')).toBe('0');
    expect(plainDecimal('100.0')).toBe('100');
    expect(plainDecimal('12.3', 2)).toBe('12.30');
    expect(plainDecimal('0.125', 2)).toBe('0.13');
    expect(plainDecimal('-0.125', 2)).toBe('-0.13');
    expect(plainDecimal('1.5E-3', 0)).toBe('0');
    expect(plainDecimal('NaN')).toBe('NaN');
    expect(() => plainDecimal('12,5')).toThrow(ValueError);
  });

  it('spells specials as Postgres does', () => {
    expect(decimalFromString('NAN')).toBe('NaN');
    expect(decimalFromString('-12.30')).toBe('-12.30');
    expect(decimalFromString('1E+2')).toBe('100');
  });
});

describe('temporal values', () => {
  it('renders epoch values in UTC with exactly six fraction digits', () => {
    expect(timestampFromEpoch(0n, 'us')).toBe('1970-01-01T00:00:00.000000Z');
    expect(timestampFromEpoch(-1n, 'ms')).toBe('1969-12-31T23:59:59.999000Z');
    expect(timestampFromEpoch(-1n, 'ns')).toBe('1969-12-31T23:59:59.999999Z');
    expect(timestampFromEpoch(1795342530123456789n, 'ns')).toBe('2026-11-22T10:15:30.123456Z');
    expect(timestampFromEpoch(-9223372036832400000n, 'us')).toBe('-infinity');
    expect(() => timestampFromEpoch(9_000_000_000_000_000_000n, 'us')).toThrow(ValueError);
  });

  it('normalizes zoned timestamps of any offset and fraction length', () => {
    expect(timestampFromZoned('2026-11-22T10:15:30Z')).toBe('2026-11-22T10:15:30.000000Z');
    expect(timestampFromZoned('2026-11-22T00:15:30.5-05:30')).toBe('2026-11-22T05:45:30.500000Z');
    expect(timestampFromZoned('0050-03-01T00:00:00Z')).toBe('0050-03-01T00:00:00.000000Z');
    expect(timestampFromZoned('infinity')).toBe('infinity');
    expect(() => timestampFromZoned('22/11/2026')).toThrow(ValueError);
  });

  it('renders dates and times of day', () => {
    expect(dateFromEpochDays(0n)).toBe('1970-01-01');
    expect(dateFromEpochDays(-719528n)).toBe('0000-01-01');
    expect(timeFromMidnight(0n, 'us')).toBe('00:00:00.000000');
    expect(timeFromMidnight(86_400_000_000n, 'us')).toBe('24:00:00.000000');
    expect(timeFromMidnight(36930123456789n, 'ns')).toBe('10:15:30.123456');
    expect(() => timeFromMidnight(-1n, 'ms')).toThrow(ValueError);
  });
});

describe('column type names', () => {
  it.each([
    ['bigint', { kind: 'int64' }],
    ['numeric(12,2)', { kind: 'numeric', scale: 2 }],
    ['numeric(10)', { kind: 'numeric', scale: 0 }],
    ['numeric', { kind: 'numeric', scale: null }],
    ['timestamp(3) without time zone', { kind: 'timestamp', precision: 3 }],
    ['timestamp with time zone', { kind: 'timestamptz' }],
    ['time without time zone', { kind: 'time', precision: null }],
    ['character varying(40)', { kind: 'text' }],
    ['order_status', { kind: 'text' }],
    ['bigint[]', { kind: 'array', of: { kind: 'int64' } }],
  ])('%s', (type, kind) => {
    expect(parsePgType(type)).toEqual(kind);
  });
});

describe('positions', () => {
  it('pads LSNs to 20 digits and rejects what is not an unsigned 64-bit LSN', () => {
    const lsns = readSourceLsns('["18446744073709551615","1"]', undefined);
    expect(lsns).toEqual({ commitLsn: '18446744073709551615', lsn: '00000000000000000001' });
    expect(() => readSourceLsns('["18446744073709551616","1"]', undefined)).toThrow(ValueError);
    expect(() => readSourceLsns('["-1","1"]', undefined)).toThrow(ValueError);
    expect(readSourceLsns('[null,"7"]', undefined).commitLsn).toBeNull();
  });

  it('orders by commit LSN before change LSN, whatever the digit counts', () => {
    // a change of the later transaction can have a lower change LSN (transactions interleave in the WAL)
    const early = buildPosition(readSourceLsns('["999","1000"]', undefined), 'u', 'public.t', { id: '1' });
    const late = buildPosition(readSourceLsns('["1001","998"]', undefined), 'u', 'public.t', { id: '1' });
    expect(early < late).toBe(true);
    expect(() => buildPosition({ commitLsn: null, lsn: null }, 'c', 'public.t', null)).toThrow(ValueError);
  });
});

describe('schema/payload split', () => {
  it('finds the payload past strings holding braces, quotes and the word payload', () => {
    const schema = '{"type":"struct","fields":[{"type":"string","field":"a}\\",\\"payload\\":"}]}';
    const payload = '{"a":"x}]\\"{\\",\\"payload\\":1"}';
    expect(splitSchemaPayload(`{"schema":${schema},"payload":${payload}}`)).toEqual({
      schemaText: schema,
      payloadText: payload,
    });
    expect(splitSchemaPayload('{"schema":null,"payload":null}')).toEqual({ schemaText: 'null', payloadText: 'null' });
  });

  it('declines anything else', () => {
    expect(splitSchemaPayload('{"payload":{},"schema":{}}')).toBeNull();
    expect(splitSchemaPayload('{"schema":{},"payload":{}} ')).toBeNull();
    expect(splitSchemaPayload('{"schema":{"a":1},"payload":{"b":2},"x":3}')).toBeNull();
    expect(splitSchemaPayload('{"schema":{"a":1')).toBeNull();
  });
});
