import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
  /** garbage collection pauses over the same time */
  gc: { count: number; totalMs: number; maxMs: number };
}

/**
 * How long callbacks waited for this process's event loop (ms) while it ran, and the garbage
 * collector's pauses: work queued behind other work on the one thread shows up here first.
 */
export function watchEventLoop(): { stop(): LoopDelay } {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const gc = { count: 0, totalMs: 0, maxMs: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.count++;
      gc.totalMs += entry.duration;
      gc.maxMs = Math.max(gc.maxMs, entry.duration);
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

export const NO_LOOP_DELAY: LoopDelay = { p50: 0, p99: 0, max: 0, gc: { count: 0, totalMs: 0, maxMs: 0 } };

export const fmtLoop = (d: LoopDelay) =>
  `p50 ${d.p50.toFixed(1)} p99 ${d.p99.toFixed(1)} max ${d.max.toFixed(1)} ms` +
  ` (GC ${d.gc.count}× ${d.gc.totalMs.toFixed(0)} ms, longest ${d.gc.maxMs.toFixed(1)} ms)`;
