import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_S = 100;

function cpuTicks(pid: number): { self: number; ppid: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name may hold spaces: fields start after the closing parenthesis
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { self: Number(fields[11]) + Number(fields[12]), ppid: Number(fields[1]) };
  } catch {
    return null;
  }
}

/**
 * CPU seconds used so far by a process and all its descendants (Linux /proc). The machine is
 * shared, so wall-clock throughput moves with other load; CPU time per order does not.
 */
export function cpuSeconds(rootPid: number): number {
  const children = new Map<number, number[]>();
  const ticks = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const t = cpuTicks(pid);
    if (!t) continue;
    ticks.set(pid, t.self);
    const list = children.get(t.ppid) ?? [];
    list.push(pid);
    children.set(t.ppid, list);
  }
  let total = 0;
  const stack = [rootPid];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    total += ticks.get(pid) ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total / TICKS_PER_S;
}

export function postmasterPid(dataDir: string): number {
  return Number(readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0]);
}
