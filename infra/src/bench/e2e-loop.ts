import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

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
}

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
  return {
    stop() {
      histogram.disable();
      observer.disconnect();
      const ms = (ns: number) => ns / 1e6;
      return { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max), gc };
    },
  };
}

export const NO_LOOP_DELAY: LoopDelay = {
  p50: 0,
  p99: 0,
  max: 0,
  gc: { count: 0, totalMs: 0, maxMs: 0, maxKind: '', long: [] },
};

export const fmtLoop = (d: LoopDelay) =>
  `p50 ${d.p50.toFixed(1)} p99 ${d.p99.toFixed(1)} max ${d.max.toFixed(1)} ms` +
  ` (GC ${d.gc.count}× ${d.gc.totalMs.toFixed(0)} ms, longest ${d.gc.maxMs.toFixed(1)} ms${d.gc.maxKind ? ` ${d.gc.maxKind}` : ''})`;
