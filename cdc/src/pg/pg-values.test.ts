import { describe, expect, it } from 'vitest';
import { converterFor, parseArray, toTime, toTimestamp } from './pg-values.ts';

describe('timestamp text → ISO-8601 UTC with microseconds', () => {
  it.each([
    ['2026-11-22 10:15:30.123456+00', '2026-11-22T10:15:30.123456Z'],
    ['2026-11-22 10:15:30+00', '2026-11-22T10:15:30.000000Z'],
    ['2026-11-22 10:15:30.1+00', '2026-11-22T10:15:30.100000Z'],
    ['2026-11-22 10:15:30.123456', '2026-11-22T10:15:30.123456Z'], // timestamp without time zone
    ['2026-11-22 01:15:30.000001+02', '2026-11-21T23:15:30.000001Z'],
    ['2026-11-22 10:15:30.5-03:30', '2026-11-22T13:45:30.500000Z'],
    ['1900-01-01 00:00:00+00:53:28', '1899-12-31T23:06:32.000000Z'],
    ['0099-03-01 12:00:00+01', '0099-03-01T11:00:00.000000Z'],
    ['infinity', 'infinity'],
    ['-infinity', '-infinity'],
    ['0044-03-15 12:00:00+00 BC', '0044-03-15 12:00:00+00 BC'],
    ['12026-11-22 10:15:30.25+00', '12026-11-22T10:15:30.250000Z'],
    ['2026-11-22 10:15:30.123456+05', '2026-11-22T05:15:30.123456Z'],
    ['2026-11-22 10:15:30.+00', '2026-11-22 10:15:30.+00'],
    ['2026-11-22 10:15:3x+00', '2026-11-22 10:15:3x+00'],
    ['2026-11-22 10:15:30.1234567+00', '2026-11-22 10:15:30.1234567+00'],
  ])('%s → %s', (input, expected) => {
    expect(toTimestamp(input)).toBe(expected);
  });

  it('the fast path for UTC text agrees with the general parser', () => {
    for (const fraction of ['', '.1', '.12', '.123', '.1234', '.12345', '.123456'])
      for (const zone of ['+00', '']) {
        const text = `1999-12-31 23:59:58${fraction}${zone}`;
        expect(toTimestamp(text)).toBe(`1999-12-31T23:59:58${fraction.padEnd(fraction ? 7 : 0, '0') || '.000000'}Z`);
      }
  });
});

describe('other scalars', () => {
  it('pads time to microseconds', () => {
    expect(toTime('07:08:09')).toBe('07:08:09.000000');
    expect(toTime('07:08:09.12')).toBe('07:08:09.120000');
    expect(toTime('24:00:00')).toBe('24:00:00.000000');
  });

  it('keeps 64-bit integers and numerics exact as decimal strings', () => {
    expect(converterFor(20)('9007199254740993')).toBe('9007199254740993');
    expect(converterFor(20)('-9223372036854775808')).toBe('-9223372036854775808');
    expect(converterFor(1700)('0.100000000000000000001')).toBe('0.100000000000000000001');
    expect(converterFor(1700)('NaN')).toBe('NaN');
  });

  it('converts small integers, booleans, floats, json and bytea', () => {
    expect(converterFor(21)('-5')).toBe(-5);
    expect(converterFor(23)('2147483647')).toBe(2147483647);
    expect(converterFor(16)('t')).toBe(true);
    expect(converterFor(16)('f')).toBe(false);
    expect(converterFor(701)('1.5e-7')).toBe(1.5e-7);
    expect(converterFor(701)('NaN')).toBe('NaN');
    expect(converterFor(700)('-Infinity')).toBe('-Infinity');
    expect(converterFor(3802)('{"a": [1, "b", null, true]}')).toEqual({ a: [1, 'b', null, true] });
    expect(converterFor(114)('[1, 2]')).toEqual([1, 2]);
    expect(converterFor(17)('\\xdeadbeef')).toBe('deadbeef');
  });

  it('keeps the text of strings, uuids, enums, dates and unknown types', () => {
    for (const oid of [25, 1043, 1042, 2950, 1082, 1186, 99_999]) expect(converterFor(oid)('as is ')).toBe('as is ');
    expect(converterFor(123_456, 'staff_role')('kitchen')).toBe('kitchen');
  });
});

describe('arrays', () => {
  it('parses quoting, escapes, NULL and nesting', () => {
    expect(parseArray('{}')).toEqual([]);
    expect(parseArray('{a,b}')).toEqual(['a', 'b']);
    expect(parseArray('{"a,b","c\\"d","e\\\\f",NULL,"NULL"}')).toEqual(['a,b', 'c"d', 'e\\f', null, 'NULL']);
    expect(parseArray('{{1,2},{3,4}}', converterFor(23))).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(parseArray('[0:1]={7,8}', converterFor(23))).toEqual([7, 8]);
  });

  it('converts elements by the array type', () => {
    expect(converterFor(1016)('{9007199254740993,NULL}')).toEqual(['9007199254740993', null]);
    expect(converterFor(1000)('{t,f}')).toEqual([true, false]);
    expect(converterFor(1185)('{"2026-11-22 10:15:30.25+00"}')).toEqual(['2026-11-22T10:15:30.250000Z']);
    expect(converterFor(3807)('{"{\\"a\\": 1}"}')).toEqual([{ a: 1 }]);
    // arrays of custom types (enum arrays) are named `_type` in pgoutput's Type message
    expect(converterFor(654_321, '_staff_role')('{owner,kitchen}')).toEqual(['owner', 'kitchen']);
  });

  it('rejects malformed text', () => {
    expect(() => parseArray('1,2')).toThrow(/malformed/);
    expect(() => parseArray('{1,2')).toThrow(/malformed/);
  });
});
