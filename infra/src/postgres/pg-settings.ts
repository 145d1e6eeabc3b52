import { InfraError } from '../errors.ts';

const SETTINGS = /^([a-z_.]+=[^,=]+)(,[a-z_.]+=[^,=]+)*$/;

/**
 * Extra Postgres settings from a benchmark knob (`BENCH_PG_SETTINGS=name=value,name=value`), for
 * `startEmbeddedPostgres({ settings })`. Empty or unset: none. A value cannot contain a comma.
 */
export function parsePgSettings(text: string | undefined, knob = 'BENCH_PG_SETTINGS'): Record<string, string> {
  if (!text) return {};
  if (!SETTINGS.test(text))
    throw new InfraError(
      'invalid_input',
      'infra.bad_pg_settings',
      `${knob}: expected name=value,name=value (got ${JSON.stringify(text)})`,
    );
  return Object.fromEntries(text.split(',').map((kv) => kv.split('=') as [string, string]));
}
