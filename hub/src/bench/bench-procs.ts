import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ClientCommand, ClientReport, Mode, ServerCommand, ServerReport } from './bench-protocol.ts';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const execArgv = ['--import', 'tsx', '--expose-gc'];
/** BENCH_PIN=1: the server gets core 0 to itself, the terminals share core 1 */
const pinning: Record<string, string> = process.env.BENCH_PIN
  ? { './bench-server.ts': '0', './bench-clients.ts': '1' }
  : {};

/** A child process speaking the benchmark's IPC, with a way to wait for a given report. */
export class Proc<Cmd, Report extends { type: string }> {
  readonly child: ChildProcess;
  readonly #waiters: Array<{ type: string; resolve: (r: Report) => void }> = [];
  onReport: ((report: Report) => void) | undefined;

  constructor(file: string, args: string[], env: Record<string, string>, extraArgv: string[] = []) {
    this.child = fork(here(file), args, {
      execArgv: [...execArgv, ...extraArgv],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const cpu = pinning[file];
    if (cpu !== undefined && this.child.pid)
      execFileSync('taskset', ['-pc', cpu, String(this.child.pid)], { stdio: 'ignore' });
    this.child.on('message', (report: Report) => {
      this.onReport?.(report);
      const index = this.#waiters.findIndex((w) => w.type === report.type);
      if (index >= 0) this.#waiters.splice(index, 1)[0]!.resolve(report);
    });
  }

  send(command: Cmd): void {
    this.child.send(command as object);
  }

  next<T extends Report['type']>(type: T, timeoutMs = 120_000): Promise<Extract<Report, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} report within ${timeoutMs} ms`)), timeoutMs);
      this.#waiters.push({
        type,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r as Extract<Report, { type: T }>);
        },
      });
    });
  }

  async exit(command: Cmd): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.send(command);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

export const serverProc = (mode: Mode, keys: string) =>
  new Proc<ServerCommand, ServerReport>(
    './bench-server.ts',
    [mode],
    { BENCH_KEYS: keys },
    process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [],
  );
export const clientProc = () =>
  new Proc<ClientCommand, ClientReport>(
    './bench-clients.ts',
    [],
    {},
    process.env.BENCH_PROFILE_CLIENTS ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_CLIENTS}`] : [],
  );

/** Peak resident set size of a process, from /proc (Linux). */
export async function processRss(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb * 1024;
}
