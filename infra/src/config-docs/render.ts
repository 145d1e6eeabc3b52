import type { ConfigSchema } from '@commerce/common';
import type { z } from 'zod';

interface Described {
  type: string;
  default: string;
  required: boolean;
}

/** The config reference: one table per process, generated from the zod schemas themselves. */
export function renderConfigDocs(configs: ReadonlyMap<string, ConfigSchema>): string {
  const out = [
    '# Configuration reference',
    '',
    'Generated from the zod config schemas by `npm run docs:config`; do not edit by hand.',
    'Every process reads its environment once at startup and stops with the bad key and the reason.',
    '',
  ];
  for (const [processName, schema] of [...configs].sort(([a], [b]) => a.localeCompare(b))) {
    out.push(`## ${processName}`, '');
    if (schema.description) out.push(schema.description, '');
    out.push('| variable | type | default | description |', '|---|---|---|---|');
    for (const [key, field] of Object.entries(schema.shape)) {
      const info = describe(field as z.ZodType);
      const description = ((field as z.ZodType).description ?? '').replace(/\|/g, '\\|');
      out.push(`| \`${key}\` | ${info.type} | ${info.required ? '**required**' : info.default} | ${description} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

function describe(schema: z.ZodType): Described {
  let current = schema as unknown as { _zod: { def: Record<string, unknown> } };
  let defaultValue: unknown;
  let optional = false;
  for (let depth = 0; depth < 10; depth++) {
    const def = current._zod.def;
    if (def.type === 'default') {
      const value = def.defaultValue;
      defaultValue = typeof value === 'function' ? (value as () => unknown)() : value;
      current = def.innerType as typeof current;
    } else if (def.type === 'optional') {
      optional = true;
      current = def.innerType as typeof current;
    } else if (def.type === 'pipe') {
      current = def.in as typeof current;
    } else {
      break;
    }
  }
  const def = current._zod.def;
  let type = String(def.type);
  if (def.type === 'enum')
    type = Object.values(def.entries as Record<string, string>)
      .map((v) => `\`${v}\``)
      .join(' \\| ');
  return {
    type,
    default: defaultValue === undefined ? (optional ? '(unset)' : '') : `\`${String(defaultValue)}\``,
    required: defaultValue === undefined && !optional,
  };
}
