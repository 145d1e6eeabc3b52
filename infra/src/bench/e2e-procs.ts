import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The helpers' (terminals', load's) young generation: fewer scavenges, each no longer (they scale
 * with survivors). Fixed, not npm start's (16 since 2026-12-04), so the measuring side stays what
 * earlier figures were taken with.
 */
const YOUNG_GENERATION = ['--max-semi-space-size=64'];

/** node's own flags among command-line arguments (heap, GC), leaving out the loader */
const nodeFlags = (args: readonly string[]) => args.filter((a) => a.startsWith('--') && !a.startsWith('--import'));

/** For the conditions line: node's flags in this run and in the root `npm start` script. */
export function describeNodeFlags(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const ours = nodeFlags(process.execArgv).join(' ') || 'without flags';
  const start = nodeFlags((pkg.scripts.start ?? '').split(/\s+/)).join(' ') || 'no node flags';
  return `node ${ours}, npm start with: ${start}`;
}

/** A forked helper process speaking the benchmark's IPC: send commands, await typed reports. */
export class Proc<Command extends object, Report extends { type: string }> {
  readonly child: ChildProcess;
  readonly #waiters: Array<{ type: string; resolve: (r: Report) => void; reject: (e: Error) => void }> = [];

  constructor(file: string, execArgv: readonly string[] = []) {
    this.child = fork(fileURLToPath(new URL(file, import.meta.url)), [], {
      execArgv: ['--import', 'tsx', ...YOUNG_GENERATION, ...execArgv],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (report: Report) => {
      if (report.type === 'failed') {
        for (const waiter of this.#waiters.splice(0)) waiter.reject(new Error(`${file}: ${JSON.stringify(report)}`));
        return;
      }
      const index = this.#waiters.findIndex((w) => w.type === report.type);
      if (index >= 0) this.#waiters.splice(index, 1)[0]!.resolve(report);
    });
    this.child.on('exit', (code) => {
      for (const waiter of this.#waiters.splice(0)) waiter.reject(new Error(`${file} exited (${code})`));
    });
  }

  send(command: Command): void {
    this.child.send(command);
  }

  request<T extends Report['type']>(
    command: Command,
    type: T,
    timeoutMs: number,
  ): Promise<Extract<Report, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} report within ${timeoutMs} ms`)), timeoutMs);
      this.#waiters.push({
        type,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r as Extract<Report, { type: T }>);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.send(command);
    });
  }

  /** CPU seconds (user + system) the process has used so far, from /proc. */
  async cpuSeconds(): Promise<number> {
    return processCpuSeconds(this.child.pid!);
  }

  async exit(command: Command): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.send(command);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

/** utime + stime of a process in seconds (Linux /proc; 0 elsewhere). */
export async function processCpuSeconds(pid: number): Promise<number> {
  try {
    const { readFile } = await import('node:fs/promises');
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields after the command: state is [0], utime [11], stime [12], in clock ticks (100/s on Linux)
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds of a process and its live children (e.g. the postmaster and its backends), by the
 * children's titles: Postgres names its processes (`postgres: walsender ...`, `postgres: checkpointer`).
 */
export async function processTreeCpuSeconds(
  rootPid: number,
): Promise<{ total: number; byKind: Record<string, number> }> {
  const { readdir, readFile } = await import('node:fs/promises');
  const byKind: Record<string, number> = { main: await processCpuSeconds(rootPid) };
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) !== rootPid) continue;
    const title = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).replace(/\0/g, ' ');
    const kind = /walsender/.test(title)
      ? 'walsender'
      : /postgres: \S+ \S+ [\d.]+\(\d+\)/.test(title)
        ? 'backends'
        : 'other';
    byKind[kind] = (byKind[kind] ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100;
  }
  return { total: Object.values(byKind).reduce((a, b) => a + b, 0), byKind };
}

/** Machine-wide CPU time (all cores, seconds) spent busy and in total, from /proc/stat. */
export async function machineCpuSeconds(): Promise<{ busy: number; total: number }> {
  try {
    const { readFile } = await import('node:fs/promises');
    const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!;
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number) as number[];
    const busy = user! + nice! + system! + irq! + softirq! + steal!;
    return { busy: busy / 100, total: (busy + idle! + iowait!) / 100 };
  } catch {
    return { busy: 0, total: 0 };
  }
}
