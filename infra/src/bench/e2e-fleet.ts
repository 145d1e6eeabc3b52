import type { LoopDelay } from './e2e-loop.ts';
import { Proc } from './e2e-procs.ts';
import type { Delivery, TerminalPlan, TerminalsCommand, TerminalsReport } from './e2e-protocol.ts';

type Collected = Extract<TerminalsReport, { type: 'collected' }>;

/**
 * The benchmark's terminals spread over `processes` child processes (round-robin, so every topic
 * has subscribers in each), driven as one: real terminals are separate devices, and one process
 * decrypting for all of them queues each delivery behind the others'. Reports are merged.
 */
export class TerminalFleet {
  readonly procs: Array<Proc<TerminalsCommand, TerminalsReport>>;

  constructor(processes: number, execArgv: (index: number) => string[] = () => []) {
    this.procs = Array.from(
      { length: processes },
      (_, i) => new Proc<TerminalsCommand, TerminalsReport>('./e2e-terminals.ts', execArgv(i)),
    );
  }

  async connect(url: string, publicKeyPem: string, terminals: readonly TerminalPlan[]) {
    const shares = this.procs.map((_, i) => terminals.filter((_, t) => t % this.procs.length === i));
    const reports = await Promise.all(
      this.procs.map((proc, i) =>
        proc.request({ cmd: 'connect', url, publicKeyPem, terminals: shares[i]! }, 'connected', 180_000),
      ),
    );
    return { count: sum(reports.map((r) => r.count)), ms: Math.max(...reports.map((r) => r.ms)) };
  }

  async count(): Promise<number> {
    const reports = await Promise.all(this.procs.map((proc) => proc.request({ cmd: 'count' }, 'count', 10_000)));
    return sum(reports.map((r) => r.deliveries));
  }

  async collect(): Promise<Omit<Collected, 'type'> & { loopDelays: LoopDelay[] }> {
    const reports = await Promise.all(this.procs.map((proc) => proc.request({ cmd: 'collect' }, 'collected', 30_000)));
    return { ...mergeCollected(reports), loopDelays: reports.map((r) => r.loopDelay) };
  }

  async cpuSeconds(): Promise<number> {
    return sum(await Promise.all(this.procs.map((proc) => proc.cpuSeconds())));
  }

  async exit(): Promise<void> {
    await Promise.all(this.procs.map((proc) => proc.exit({ cmd: 'exit' })));
  }
}

/** One report from several processes: deliveries of the same event joined, counters added. */
export function mergeCollected(reports: readonly Collected[]): Omit<Collected, 'type'> {
  const byKey = new Map<string, Delivery>();
  for (const report of reports)
    for (const d of report.deliveries) {
      const found = byKey.get(d.key);
      if (found) {
        found.at.push(...d.at);
        found.terminals.push(...d.terminals);
      } else byKey.set(d.key, { key: d.key, at: [...d.at], terminals: [...d.terminals], committedAt: d.committedAt });
    }
  const worst = [...reports].sort((a, b) => b.loopDelay.p99 - a.loopDelay.p99)[0]!.loopDelay;
  return {
    deliveries: [...byKey.values()],
    rejected: sum(reports.map((r) => r.rejected)),
    reloads: sum(reports.map((r) => r.reloads)),
    disconnects: sum(reports.map((r) => r.disconnects)),
    loopDelay: worst,
  };
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
