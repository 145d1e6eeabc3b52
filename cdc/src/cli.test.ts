import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFixture, loadFixtures } from './debezium/fixtures.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const CLI = join(ROOT, 'cdc/src/cli.ts');
const tmp = mkdtempSync(join(tmpdir(), 'cdc-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string[];
  stderr: string[];
}

function runCli(args: string[], stdin: string | number): Promise<Run> {
  return runCommand(TSX, [CLI, ...args], stdin);
}

function runCommand(command: string, args: string[], stdin: string | number): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      stdio: [typeof stdin === 'number' ? stdin : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const lines = (s: string) => s.split('\n').filter((l) => l !== '');
      resolvePromise({ code, stdout: lines(stdout), stderr: lines(stderr) });
    });
    if (typeof stdin === 'string') child.stdin!.end(stdin);
  });
}

const line = (r: { topic: string; partition: number; offset: string; key: string | null; value: string | null }) =>
  JSON.stringify({ topic: r.topic, partition: r.partition, offset: r.offset, key: r.key, value: r.value });

describe('cdc decode-debezium (spawned)', () => {
  it('prints one event per decodable record, nothing for skipped ones, one stderr line per bad one', async () => {
    const fixtures = loadFixtures().filter((f) => Object.keys(f.options).length === 0);
    const input = [
      ...fixtures.map((f) => line(f.record)),
      '',
      'this is not json',
      JSON.stringify({ partition: 0, offset: '1', key: null, value: null }),
    ].join('\n');
    const run = await runCli(['decode-debezium'], input);

    expect(run.code).toBe(0);
    const expectedEvents = fixtures.flatMap((f) => (f.expect.kind === 'change' ? [f.expect.event] : []));
    expect(expectedEvents.length).toBeGreaterThan(10);
    expect(run.stdout.map((l) => JSON.parse(l))).toEqual(expectedEvents);

    const errorFixtures = fixtures.filter((f) => f.expect.kind === 'error');
    expect(run.stderr).toHaveLength(errorFixtures.length + 2);
    for (const f of errorFixtures) {
      const where = `${f.record.topic}[${f.record.partition}]@${f.record.offset}`;
      expect(run.stderr.filter((l) => l.includes(where))).toHaveLength(1);
    }
    const total = fixtures.length + 3; // + blank line (not counted), garbage, record without topic
    expect(run.stderr.at(-2)).toMatch(new RegExp(`^line ${total - 1}: not a record line: invalid JSON`));
    expect(run.stderr.at(-1)).toBe(`line ${total}: not a record line: topic must be a non-empty string`);
  });

  it('a record the decoder trips over unexpectedly is one stderr line with its coordinates; the run goes on', async () => {
    const good = loadFixture('create-with-schemas.fixture.json');
    const alsoGood = loadFixture('delete.fixture.json');
    // a logical message whose prefix is an object: the decoder hits a TypeError, not a decode check
    const odd = {
      topic: 'commerce.message',
      partition: 2,
      offset: '77',
      key: null,
      value: '{"op":"m","ts_ms":1795342530123,"source":{},"message":{"prefix":{}}}',
    };
    const run = await runCli(['decode-debezium', '--stats'], [good.record, odd, alsoGood.record].map(line).join('\n'));

    expect(run.code).toBe(0);
    expect(run.stdout.map((l) => JSON.parse(l))).toEqual(
      [good, alsoGood].map((f) => f.expect.kind === 'change' && f.expect.event),
    );
    expect(run.stderr).toHaveLength(2);
    expect(run.stderr[0]).toMatch(
      /^line 2: cannot decode Debezium record commerce\.message\[2\]@77: unexpected TypeError: /,
    );
    expect(run.stderr[0]).not.toContain('cannot read stdin');
    expect(JSON.parse(run.stderr[1]!.replace('decode-debezium: ', ''))).toMatchObject({ lines: 3, changes: 2, bad: 1 });
  });

  it('the documented `npm run -s cdc -- decode-debezium` prints nothing but JSON lines on stdout', async () => {
    const fixture = loadFixture('create-with-schemas.fixture.json');
    const run = await runCommand('npm', ['run', '-s', 'cdc', '--', 'decode-debezium'], line(fixture.record));
    expect(run.code).toBe(0);
    expect(run.stdout.map((l) => JSON.parse(l))).toEqual([fixture.expect.kind === 'change' && fixture.expect.event]);
  });

  it('honours the connector modes given as options', async () => {
    const fixture = loadFixture('decimal-string.fixture.json');
    const typesFile = join(tmp, 'types.json');
    writeFileSync(typesFile, JSON.stringify(fixture.options.columnTypes));
    const run = await runCli(
      ['decode-debezium', '--decimal-mode', 'string', '--column-types', typesFile, '--stats'],
      line(fixture.record),
    );
    expect(run.code).toBe(0);
    expect(run.stdout.map((l) => JSON.parse(l))).toEqual([fixture.expect.kind === 'change' && fixture.expect.event]);
    expect(JSON.parse(run.stderr[0]!.replace('decode-debezium: ', ''))).toMatchObject({ lines: 1, changes: 1, bad: 0 });
  });

  it('exits non-zero when stdin cannot be read, and on bad options', async () => {
    const dir = openSync(tmp, 'r');
    const unreadable = await runCli(['decode-debezium'], dir);
    expect(unreadable.code).toBe(1);
    expect(unreadable.stderr.join('\n')).toContain('cannot read stdin');

    const badOption = await runCli(['decode-debezium', '--decimal-mode', 'float'], '');
    expect(badOption.code).toBe(2);
    expect(badOption.stderr[0]).toContain('--decimal-mode must be one of');
  });
});
