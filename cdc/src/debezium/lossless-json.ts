/**
 * A JSON parser that never rounds numbers. `JSON.parse` turns 9007199254740993 into
 * 9007199254740992; Debezium's JSON converter writes int64 columns (bigint ids, NanoTimestamp,
 * ts_ns) as bare JSON numbers, so every number is kept here as its source text (`JsonNumber`) and
 * the decoder converts it once it knows the field's type. Objects have no prototype, so a column
 * named `__proto__` is just a key.
 */
export class JsonNumber {
  constructor(readonly raw: string) {}

  get isInteger(): boolean {
    return !/[.eE]/.test(this.raw);
  }

  toBigInt(): bigint {
    if (!this.isInteger) throw new RangeError(`not an integer: ${this.raw}`);
    return BigInt(this.raw);
  }

  toNumber(): number {
    return Number(this.raw);
  }

  toJSON(): string {
    return this.raw;
  }
}

export type LosslessValue = null | boolean | string | JsonNumber | LosslessValue[] | LosslessObject;
export interface LosslessObject {
  [key: string]: LosslessValue;
}

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(`${message} at position ${at}`);
    this.name = 'JsonSyntaxError';
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const MAX_DEPTH = 512;
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON forbids raw control characters in strings
const CONTROL = /[\u0000-\u001f]/;

export function parseLosslessJson(text: string): LosslessValue {
  let i = 0;

  const fail = (message: string): never => {
    throw new JsonSyntaxError(i >= text.length ? 'unexpected end of input' : message, i);
  };

  const skipWhitespace = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else return;
    }
  };

  const parseString = (): string => {
    // i is at the opening quote
    i++;
    // fast path: no escapes and no control characters up to the closing quote
    const close = text.indexOf('"', i);
    if (close >= 0) {
      const slice = text.slice(i, close);
      if (!slice.includes('\\') && !CONTROL.test(slice)) {
        i = close + 1;
        return slice;
      }
    }
    let out = '';
    let start = i;
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(start, i);
        i++;
        return out;
      }
      if (c === 0x5c) {
        out += text.slice(start, i);
        const e = text[i + 1];
        i += 2;
        switch (e) {
          case '"':
            out += '"';
            break;
          case '\\':
            out += '\\';
            break;
          case '/':
            out += '/';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            const hex = text.slice(i, i + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape');
            out += String.fromCharCode(Number.parseInt(hex, 16));
            i += 4;
            break;
          }
          default:
            i -= 2;
            fail('bad escape');
        }
        start = i;
        continue;
      }
      if (c < 0x20) fail('control character in string');
      i++;
    }
  };

  const parseValue = (depth: number): LosslessValue => {
    if (depth > MAX_DEPTH) fail('nesting too deep');
    skipWhitespace();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: LosslessObject = Object.create(null);
      skipWhitespace();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        skipWhitespace();
        if (text[i] !== '"') fail('expected a string key');
        const key = parseString();
        skipWhitespace();
        if (text[i] !== ':') fail("expected ':'");
        i++;
        obj[key] = parseValue(depth + 1);
        skipWhitespace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return obj;
        }
        fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const arr: LosslessValue[] = [];
      skipWhitespace();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(parseValue(depth + 1));
        skipWhitespace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return arr;
        }
        fail("expected ',' or ']'");
      }
    }
    if (c === '"') return parseString();
    if (text.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return null;
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m) {
      i += m[0].length;
      return new JsonNumber(m[0]);
    }
    return fail(`unexpected character ${JSON.stringify(c)}`);
  };

  const value = parseValue(0);
  skipWhitespace();
  if (i < text.length) fail('unexpected trailing characters');
  return value;
}

/** Serializes a lossless value back to JSON text; numbers are written exactly as they were read. */
export function stringifyLosslessJson(value: LosslessValue): string {
  if (value === null) return 'null';
  if (value instanceof JsonNumber) return value.raw;
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stringifyLosslessJson).join(',')}]`;
  const parts: string[] = [];
  for (const key of Object.keys(value)) parts.push(`${JSON.stringify(key)}:${stringifyLosslessJson(value[key]!)}`);
  return `{${parts.join(',')}}`;
}

export function isLosslessObject(value: LosslessValue | undefined): value is LosslessObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof JsonNumber);
}
