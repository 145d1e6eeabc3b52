/** Percentile of an ascending array (nearest rank); NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
  };
}

/**
 * Latency samples (ms) kept for the whole run and for the current window, so the live view shows
 * the last second while the summary covers everything. Bounded: past `maxSamples` the whole-run
 * set keeps a uniform reservoir sample instead of every value.
 */
export class LatencyRecorder {
  readonly #all: number[] = [];
  #window: number[] = [];
  #seen = 0;
  readonly #maxSamples: number;
  readonly #random: () => number;

  constructor(maxSamples = 1_000_000, random: () => number = Math.random) {
    this.#maxSamples = maxSamples;
    this.#random = random;
  }

  record(ms: number): void {
    if (!Number.isFinite(ms)) return;
    this.#seen++;
    this.#window.push(ms);
    if (this.#all.length < this.#maxSamples) this.#all.push(ms);
    else {
      const slot = Math.floor(this.#random() * this.#seen);
      if (slot < this.#maxSamples) this.#all[slot] = ms;
    }
  }

  /** The samples since the last call, summarized; starts a new window. */
  takeWindow(): LatencySummary {
    const window = this.#window;
    this.#window = [];
    return summarize(window);
  }

  summary(): LatencySummary {
    return { ...summarize(this.#all), count: this.#seen };
  }

  get count(): number {
    return this.#seen;
  }
}

/** `12.3` / `–` for a missing figure: for aligned terminal tables. */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  return ms >= 100 ? ms.toFixed(0) : ms.toFixed(1);
}
