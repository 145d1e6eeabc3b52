import { ValueError } from './errors.ts';

/**
 * NUMERIC/DECIMAL values as decimal strings, exactly as Postgres prints them (`12.30` for
 * numeric(12,2)), from each of Debezium's `decimal.handling.mode`s:
 * - precise: base64 of the big-endian two's-complement unscaled integer, scale from the schema
 *   (`org.apache.kafka.connect.data.Decimal`) or carried with the value (`VariableScaleDecimal`)
 * - string: already a decimal string (`NAN` for NaN)
 * - double: a JSON number (Java's Double.toString, so possibly `1.2345E7`): lossy by nature
 */

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function unscaledFromBase64(text: string): bigint {
  if (!BASE64.test(text)) throw new ValueError(`not base64: ${JSON.stringify(text.slice(0, 40))}`);
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length === 0) return 0n;
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  // two's complement: the top bit of the first byte is the sign
  if (bytes[0]! & 0x80) n -= 1n << BigInt(bytes.length * 8);
  return n;
}

export function formatUnscaled(unscaled: bigint, scale: number): string {
  if (!Number.isInteger(scale)) throw new ValueError(`bad decimal scale ${scale}`);
  if (scale <= 0) return (unscaled * 10n ** BigInt(-scale)).toString();
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const point = digits.length - scale;
  return `${negative ? '-' : ''}${digits.slice(0, point)}.${digits.slice(point)}`;
}

export function decimalFromBase64(text: string, scale: number): string {
  return formatUnscaled(unscaledFromBase64(text), scale);
}

const NUMBER_TEXT = /^([+-]?)(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * A decimal number's text (plain or with exponent) as a plain decimal string. With `scale`, it is
 * rounded half away from zero to exactly that many fraction digits (what Postgres stores for
 * numeric(p,s)); without, trailing fraction zeros are dropped.
 */
export function plainDecimal(text: string, scale?: number): string {
  const special = specialDecimal(text);
  if (special) return special;
  const m = NUMBER_TEXT.exec(text);
  if (!m) throw new ValueError(`not a decimal number: ${JSON.stringify(text.slice(0, 40))}`);
  const [, sign = '', intPart = '', fracPart = '', exp = '0'] = m;
  // value = (intPart.fracPart) * 10^exp = unscaled * 10^-(fracPart.length - exp)
  let unscaled = BigInt(intPart + fracPart);
  let valueScale = fracPart.length - Number.parseInt(exp, 10);
  if (sign === '-') unscaled = -unscaled;
  if (scale !== undefined) {
    if (valueScale > scale) {
      const divisor = 10n ** BigInt(valueScale - scale);
      const negative = unscaled < 0n;
      const abs = negative ? -unscaled : unscaled;
      let q = abs / divisor;
      if ((abs % divisor) * 2n >= divisor) q += 1n;
      unscaled = negative ? -q : q;
    } else {
      unscaled *= 10n ** BigInt(scale - valueScale);
    }
    valueScale = scale;
    return formatUnscaled(unscaled, valueScale);
  }
  const out = formatUnscaled(unscaled, valueScale);
  return out.includes('.') ? out.replace(/\.?0+$/, '') : out;
}

/** Debezium's string mode writes NaN as `NAN`; Postgres prints `NaN`, `Infinity`, `-Infinity`. */
export function specialDecimal(text: string): string | null {
  switch (text.toLowerCase()) {
    case 'nan':
      return 'NaN';
    case 'infinity':
    case '+infinity':
      return 'Infinity';
    case '-infinity':
      return '-Infinity';
    default:
      return null;
  }
}

/** A decimal string from Debezium's string mode, checked and with specials spelled as Postgres does. */
export function decimalFromString(text: string): string {
  const special = specialDecimal(text);
  if (special) return special;
  if (!/^-?\d+(?:\.\d+)?$/.test(text)) return plainDecimal(text);
  return text;
}
