import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { env, parseConfig } from './config.ts';

const schema = z.object({
  PORT: env.port(8080),
  DATABASE_URL: env.url(['postgres']),
  VERBOSE: env.bool(false),
});

describe('parseConfig', () => {
  it('applies defaults and coerces strings', () => {
    const config = parseConfig(schema, { DATABASE_URL: 'postgres://x/y', VERBOSE: 'yes' });
    expect(config).toEqual({ PORT: 8080, DATABASE_URL: 'postgres://x/y', VERBOSE: true });
  });

  it('names the bad key, the reason and the given value', () => {
    expect(() => parseConfig(schema, { DATABASE_URL: 'mysql://x', PORT: '99999' })).toThrow(
      /PORT: .*99999.*; DATABASE_URL: must be a URL with protocol postgres \(got "mysql:\/\/x"\)/,
    );
  });

  it('reports a missing required key', () => {
    expect(() => parseConfig(schema, {})).toThrow(/DATABASE_URL/);
  });
});
