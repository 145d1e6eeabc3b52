import { describe, expect, it } from 'vitest';
import { JsonNumber, JsonSyntaxError, parseLosslessJson, stringifyLosslessJson } from './lossless-json.ts';

describe('lossless JSON', () => {
  it('keeps integers beyond 2^53 exactly, where JSON.parse rounds them', () => {
    const text = '{"id":9007199254740993,"ts_ns":1559033904863123001,"neg":-9223372036854775808}';
    expect(JSON.parse(text).id).toBe(9007199254740992);
    const parsed = parseLosslessJson(text) as Record<string, JsonNumber>;
    expect(parsed.id).toBeInstanceOf(JsonNumber);
    expect(parsed.id!.toBigInt()).toBe(9007199254740993n);
    expect(parsed.ts_ns!.raw).toBe('1559033904863123001');
    expect(parsed.neg!.toBigInt()).toBe(-9223372036854775808n);
  });

  it('parses every JSON shape like JSON.parse does (modulo numbers)', () => {
    const text = ' { "a" : [1, 2.5, -3e2, true, false, null, "x\\"y\\\\z\\u00e9\\n"], "b": {}, "c": [] } ';
    const parsed = parseLosslessJson(text);
    expect(JSON.parse(stringifyLosslessJson(parsed))).toEqual(JSON.parse(text));
    expect(((parsed as Record<string, unknown[]>).a![2] as JsonNumber).toNumber()).toBe(-300);
  });

  it('treats __proto__ as a plain key', () => {
    const parsed = parseLosslessJson('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('round-trips through stringify without touching number text', () => {
    const text = '{"a":12345678901234567890,"b":[1.50,"s",null,false],"c":{"d":1E+3}}';
    expect(stringifyLosslessJson(parseLosslessJson(text))).toBe(text);
  });

  it.each([
    ['{"a":1', 'end of input'],
    ['{"a" 1}', "expected ':'"],
    ['[1,]', 'unexpected character'],
    ['{"a":01}', "expected ','"],
    ['"abc', 'end of input'],
    ['"a\u0001"', 'control character'],
    ['{} x', 'trailing'],
    ['"\\x"', 'bad escape'],
    ['', 'end of input'],
  ])('rejects %j (%s)', (text, message) => {
    expect(() => parseLosslessJson(text)).toThrow(JsonSyntaxError);
    expect(() => parseLosslessJson(text)).toThrow(message);
  });
});
