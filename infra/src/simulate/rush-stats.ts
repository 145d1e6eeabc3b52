import { LatencyRecorder } from './latency.ts';

/** Every figure the rush shows, updated by the actors and read by the live view each second. */
export class RushStats {
  /** reset when the first order may arrive (terminals connect before) */
  startedAt = performance.now();
  // POS
  ordersArrived = 0;
  ordersPlaced = 0;
  ordersShed = 0;
  ordersSoldOut = 0;
  // kitchen
  ticketsCreated = 0;
  ticketsBumped = 0;
  itemsAdvanced = 0;
  readonly openTickets = new Set<string>();
  /** the kitchen's calls in flight at most (--max-in-flight), and the most taps that waited for one */
  kitchenInFlightCap = 0;
  kitchenWaitingPeak = 0;
  // stock
  readonly alerts = { low: 0, out: 0, restocked: 0 };
  restocks = 0;
  // storefront
  searches = 0;
  searchesNoHits = 0;
  // hub
  eventsReceived = 0;
  readonly rejectedFrames = new Map<string, number>();
  reloads = 0;
  // latency, ms
  readonly orderApi = new LatencyRecorder();
  readonly kitchenApi = new LatencyRecorder();
  readonly kdsEvent = new LatencyRecorder();
  readonly posEvent = new LatencyRecorder();
  readonly search = new LatencyRecorder();
  readonly errors = new Map<string, number>();

  error(label: string): void {
    this.errors.set(label, (this.errors.get(label) ?? 0) + 1);
  }

  rejected(reason: string): void {
    this.rejectedFrames.set(reason, (this.rejectedFrames.get(reason) ?? 0) + 1);
  }

  get errorCount(): number {
    let n = 0;
    for (const count of this.errors.values()) n += count;
    return n;
  }

  get elapsedS(): number {
    return (performance.now() - this.startedAt) / 1000;
  }
}

/** At most `limit` tasks at once; the rest wait their turn (a kitchen that falls behind queues). */
export function createLimiter(limit: number) {
  let active = 0;
  const waiting: Array<() => void> = [];
  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      // a finishing task hands its slot straight to the next in line, so `active` never overshoots
      if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
      else active++;
      try {
        return await task();
      } finally {
        const next = waiting.shift();
        if (next) next();
        else active--;
      }
    },
    get active() {
      return active;
    },
    get waiting() {
      return waiting.length;
    },
  };
}
