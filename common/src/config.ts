import { z } from 'zod';
import { AppError } from './errors.ts';

/**
 * Every process parses its environment once, at startup, with a zod object whose keys are the
 * environment variable names. A bad value stops the process with the key and the reason.
 * Each schema is registered under its process name so docs/configuration.md can be generated.
 */
export type ConfigSchema = z.ZodObject<z.ZodRawShape>;

const registry = new Map<string, ConfigSchema>();

export function defineConfig<S extends ConfigSchema>(processName: string, schema: S): S {
  registry.set(processName, schema);
  return schema;
}

export function registeredConfigs(): ReadonlyMap<string, ConfigSchema> {
  return registry;
}

export function parseConfig<S extends ConfigSchema>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = issue.path.join('.') || '(config)';
    const given = issue.path.length > 0 ? env[String(issue.path[0])] : undefined;
    return `${key}: ${issue.message}${given === undefined ? '' : ` (got ${JSON.stringify(given)})`}`;
  });
  throw new AppError('config', 'config.invalid', `invalid configuration: ${problems.join('; ')}`, {
    details: { problems },
  });
}

/** Helpers for env strings. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  int: (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
    z.coerce.number().int().min(min).max(max).default(fallback),
  url: (protocols: string[]) =>
    z.string().refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol.replace(/:$/, ''));
        } catch {
          return false;
        }
      },
      `must be a URL with protocol ${protocols.join(' or ')}`,
    ),
  logLevel: () => z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
};
