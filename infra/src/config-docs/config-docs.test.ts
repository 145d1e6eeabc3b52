import { readFile } from 'node:fs/promises';
import { env } from '@commerce/common';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadAllConfigs } from './configs.ts';
import { CONFIG_DOC_PATH } from './path.ts';
import { renderConfigDocs } from './render.ts';

describe('configuration reference', () => {
  it('renders type, default and requiredness from the schema', () => {
    const schema = z.object({
      PORT: env.port(3000).describe('listen port'),
      URL: z.string().describe('where | to go'),
      MODE: z.enum(['a', 'b']).default('a'),
      MAYBE: z.string().optional(),
    });
    const text = renderConfigDocs(new Map([['demo', schema]]));
    expect(text).toContain('| `PORT` | number | `3000` | listen port |');
    expect(text).toContain('| `URL` | string | **required** | where \\| to go |');
    expect(text).toContain('| `MODE` | `a` \\| `b` | `a` |');
    expect(text).toContain('| `MAYBE` | string | (unset) |');
  });

  it('docs/configuration.md matches the schemas (run `npm run docs:config` after changing config)', async () => {
    const expected = renderConfigDocs(await loadAllConfigs());
    const actual = await readFile(CONFIG_DOC_PATH, 'utf8').catch(() => '');
    expect(actual).toBe(expected);
  });
});
