import { parseArgs } from 'node:util';
import { z } from 'zod';

/**
 * The rush simulator's flags. Every number has a sane range so a typo (`--orders-per-s 5000o`,
 * `--duration -1`) stops the run with the flag's name and the reason instead of a strange run.
 */
const range = (min: number, max: number) =>
  z.coerce.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);
const int = (min: number, max: number, fallback: number) =>
  range(min, max).int('must be a whole number').default(fallback);

export const simulateOptionsSchema = z.strictObject({
  pos: int(1, 500, 20).describe('POS terminals placing orders (split over both branches)'),
  kds: int(1, 200, 12).describe('KDS screens (every station of both branches gets at least one)'),
  ordersPerS: range(0, 2_000)
    .positive('must be more than 0')
    .default(50)
    .describe('target order arrival rate (open loop)'),
  duration: int(1, 3_600, 60).describe('seconds of rush before the simulator stops itself'),
  withRedis: z.boolean().default(false).describe('fan-out over a private Redis instead of the in-process bus'),
  shoppers: int(0, 500, 4).describe('storefront shoppers searching'),
  searchesPerS: range(0, 2_000).default(10).describe('shoppers’ search rate (all shoppers)'),
  prepMs: int(100, 120_000, 3_000).describe('mean time from queued to ready for a ticket item'),
  lowStockSkus: int(0, 200, 8).describe('menu SKUs counted down near their alert threshold at the start'),
  retailProducts: int(0, 200_000, 2_000).describe('size of the demo store catalog the shoppers search'),
  maxInFlight: int(1, 10_000, 256).describe('api requests in flight before new arrivals are shed'),
  seed: int(0, 2 ** 31 - 1, 42).describe('random seed for menu picks, typos and timings'),
});

export type SimulateOptions = z.infer<typeof simulateOptionsSchema>;

const FLAGS = {
  pos: 'pos',
  kds: 'kds',
  'orders-per-s': 'ordersPerS',
  duration: 'duration',
  shoppers: 'shoppers',
  'searches-per-s': 'searchesPerS',
  'prep-ms': 'prepMs',
  'low-stock-skus': 'lowStockSkus',
  'retail-products': 'retailProducts',
  'max-in-flight': 'maxInFlight',
  seed: 'seed',
} as const satisfies Record<string, keyof SimulateOptions>;

const FLAG_OF = Object.fromEntries(Object.entries(FLAGS).map(([flag, key]) => [key, flag])) as Record<string, string>;
FLAG_OF.withRedis = 'with-redis';

export class OptionsError extends Error {}

export type ParsedCommand = { help: true } | { help: false; options: SimulateOptions };

/** argv (without node and the script) → options, or an OptionsError naming the bad flag. */
export function parseSimulateArgs(argv: readonly string[]): ParsedCommand {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(Object.keys(FLAGS).map((flag) => [flag, { type: 'string' as const }])),
        'with-redis': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new OptionsError((error as Error).message.split('\n')[0]!);
  }
  if (values.help) return { help: true };
  const input: Record<string, unknown> = {};
  for (const [flag, key] of Object.entries(FLAGS)) {
    const raw = values[flag];
    if (raw === undefined) continue;
    // `z.coerce.number()` reads '' as 0 and ' 5 ' as 5: insist on a plain decimal number
    if (typeof raw !== 'string' || !/^-?\d+(\.\d+)?$/.test(raw.trim()) || raw.trim() !== raw) {
      throw new OptionsError(`--${flag}: expected a number, got ${JSON.stringify(raw)}`);
    }
    input[key] = raw;
  }
  if (values['with-redis']) input.withRedis = true;
  const result = simulateOptionsSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `--${FLAG_OF[String(issue.path[0])] ?? issue.path.join('.')}: ${issue.message}`,
    );
    throw new OptionsError(problems.join('; '));
  }
  return { help: false, options: result.data };
}

export function usage(): string {
  const lines = ['usage: npm run simulate -- [options]', ''];
  for (const [flag, key] of [...Object.entries(FLAGS), ['with-redis', 'withRedis'] as const]) {
    const field = simulateOptionsSchema.shape[key];
    const fallback = field.parse(undefined);
    lines.push(`  --${flag.padEnd(18)} ${field.description ?? ''} (default ${String(fallback)})`);
  }
  return lines.join('\n');
}
