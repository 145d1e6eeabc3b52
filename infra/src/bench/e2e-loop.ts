import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';

export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
  /** garbage collection pauses over the same time */
  gc: {
    count: number;
    totalMs: number;
    maxMs: number;
    /** the longest pause's kind */
    maxKind: string;
    /** pauses of 5 ms or more: when (wall-clock ms, as e2e-protocol's now()), how long, which kind */
    long: Array<{ at: number; ms: number; kind: string }>;
  };
  /**
   * What this thread's heap kept over the same time (MB): the old generation's growth (what
   * survived into it, garbage included until a mark-compact frees it), which is what makes
   * mark-compacts come, and the external memory's (Buffers and other off-heap bytes).
   */
  heap: { seconds: number; oldSpaceMb: number; externalMb: number };
}

const MB = 1024 * 1024;
const oldSpaceBytes = () => getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')?.space_used_size ?? 0;

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental marking',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
};

/**
 * How long callbacks waited for this process's event loop (ms) while it ran, and the garbage
 * collector's pauses: work queued behind other work on the one thread shows up here first.
 */
export function watchEventLoop(): { stop(): LoopDelay } {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const gc: LoopDelay['gc'] = { count: 0, totalMs: 0, maxMs: 0, maxKind: '', long: [] };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.count++;
      gc.totalMs += entry.duration;
      const code = (entry as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0;
      const kind = GC_KINDS[code] ?? `kind ${code}`;
      if (entry.duration >= 5) gc.long.push({ at: performance.timeOrigin + entry.startTime, ms: entry.duration, kind });
      if (entry.duration > gc.maxMs) {
        gc.maxMs = entry.duration;
        gc.maxKind = kind;
      }
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const started = { at: performance.now(), oldSpace: oldSpaceBytes(), external: process.memoryUsage().external };
  return {
    stop() {
      histogram.disable();
      observer.disconnect();
      const ms = (ns: number) => ns / 1e6;
      const heap = {
        seconds: (performance.now() - started.at) / 1000,
        oldSpaceMb: (oldSpaceBytes() - started.oldSpace) / MB,
        externalMb: (process.memoryUsage().external - started.external) / MB,
      };
      return { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max), gc, heap };
    },
  };
}

export const NO_LOOP_DELAY: LoopDelay = {
  p50: 0,
  p99: 0,
  max: 0,
  gc: { count: 0, totalMs: 0, maxMs: 0, maxKind: '', long: [] },
  heap: { seconds: 0, oldSpaceMb: 0, externalMb: 0 },
};

export const fmtLoop = (d: LoopDelay) =>
  `p50 ${d.p50.toFixed(1)} p99 ${d.p99.toFixed(1)} max ${d.max.toFixed(1)} ms` +
  ` (GC ${d.gc.count}× ${d.gc.totalMs.toFixed(0)} ms, longest ${d.gc.maxMs.toFixed(1)} ms${d.gc.maxKind ? ` ${d.gc.maxKind}` : ''};` +
  ` old space ${signed(d.heap.oldSpaceMb)} MB, external ${signed(d.heap.externalMb)} MB over ${d.heap.seconds.toFixed(0)} s)`;

const signed = (mb: number) => `${mb >= 0 ? '+' : ''}${mb.toFixed(1)}`;
