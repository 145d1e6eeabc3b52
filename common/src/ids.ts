/**
 * Row ids are Postgres `bigint`s. They travel as decimal strings everywhere (JSON, events, tokens)
 * because a JavaScript number silently rounds past 2^53.
 */
export type Id = string;

const ID_PATTERN = /^[1-9][0-9]{0,18}$/;
const INT8_MAX = 9223372036854775807n;

export function isId(value: unknown): value is Id {
  return typeof value === 'string' && ID_PATTERN.test(value) && BigInt(value) <= INT8_MAX;
}
