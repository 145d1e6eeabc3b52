import { describe, expect, it } from 'vitest';
import { OptionsError, parseSimulateArgs, usage } from './options.ts';

const options = (argv: string[]) => {
  const parsed = parseSimulateArgs(argv);
  if (parsed.help) throw new Error('unexpected help');
  return parsed.options;
};

describe('simulate flags', () => {
  it('reads the issue’s command line and fills defaults', () => {
    const o = options(['--pos', '20', '--kds', '12', '--orders-per-s', '50', '--duration', '60']);
    expect(o).toMatchObject({ pos: 20, kds: 12, ordersPerS: 50, duration: 60, withRedis: false, shoppers: 4 });
    expect(options(['--with-redis', '--orders-per-s', '2.5']).withRedis).toBe(true);
    expect(options(['--orders-per-s', '2.5']).ordersPerS).toBe(2.5);
    expect(options([])).toMatchObject({ pos: 20, kds: 12, duration: 60 });
  });

  it.each([
    [['--pos', '0'], /--pos: must be at least 1/],
    [['--duration', '-5'], /--duration/],
    [['--orders-per-s', '50o'], /--orders-per-s: expected a number, got "50o"/],
    [['--orders-per-s', ''], /--orders-per-s: expected a number/],
    [['--kds', '2.5'], /--kds: must be a whole number/],
    [['--orders-per-s', '0'], /--orders-per-s: must be more than 0/],
    [['--duration', '99999'], /--duration: must be at most 3600/],
    [['--pos'], /--pos/],
    [['--bogus', '1'], /bogus/],
    [['stray'], /stray/],
  ])('rejects %j with a message naming the flag', (argv, message) => {
    expect(() => parseSimulateArgs(argv)).toThrow(OptionsError);
    expect(() => parseSimulateArgs(argv)).toThrow(message);
  });

  it('has help listing every flag with its default', () => {
    expect(parseSimulateArgs(['--help'])).toEqual({ help: true });
    const text = usage();
    for (const flag of ['--pos', '--kds', '--orders-per-s', '--duration', '--with-redis', '--searches-per-s']) {
      expect(text).toContain(flag);
    }
    expect(text).toMatch(/--orders-per-s .*\(default 50\)/);
  });
});
