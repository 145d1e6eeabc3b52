import { fmtMs, type LatencySummary } from './latency.ts';
import type { RushStats } from './rush-stats.ts';

export interface Gauges {
  connected: number;
  terminals: number;
  targetPerS: number;
}

const pair = (s: LatencySummary) => `p50 ${fmtMs(s.p50).padStart(5)} p99 ${fmtMs(s.p99).padStart(5)} ms`;

/**
 * The live view: one block redrawn in place every second on a terminal, one compact line per
 * second when the output is a file or a pipe (CI logs stay readable).
 */
export type Output = { isTTY?: boolean; write(text: string): unknown };

export function createDashboard(stats: RushStats, out: Output = process.stdout) {
  let lastAt = performance.now();
  let lastPlaced = 0;
  let lastSearches = 0;
  let drawn = 0;
  return {
    tick(gauges: Gauges): void {
      const now = performance.now();
      const seconds = Math.max(0.001, (now - lastAt) / 1000);
      const ordersPerS = (stats.ordersPlaced - lastPlaced) / seconds;
      const searchesPerS = (stats.searches - lastSearches) / seconds;
      lastAt = now;
      lastPlaced = stats.ordersPlaced;
      lastSearches = stats.searches;
      const orderApi = stats.orderApi.takeWindow();
      const kitchenApi = stats.kitchenApi.takeWindow();
      const kds = stats.kdsEvent.takeWindow();
      const pos = stats.posEvent.takeWindow();
      const search = stats.search.takeWindow();
      const t = `${stats.elapsedS.toFixed(0)}s`;
      if (!out.isTTY) {
        out.write(
          `[${t}] orders/s ${ordersPerS.toFixed(1)}/${gauges.targetPerS} api p50/p99 ${fmtMs(orderApi.p50)}/${fmtMs(orderApi.p99)} ms` +
            ` | KDS event p50/p99 ${fmtMs(kds.p50)}/${fmtMs(kds.p99)} ms | terminals ${gauges.connected}/${gauges.terminals}` +
            ` | tickets open ${stats.openTickets.size} bumped ${stats.ticketsBumped} | alerts ${stats.alerts.low}/${stats.alerts.out}/${stats.alerts.restocked}` +
            ` | search p50/p99 ${fmtMs(search.p50)}/${fmtMs(search.p99)} ms | errors ${stats.errorCount}\n`,
        );
        return;
      }
      const lines = [
        `lunch rush  ${t}   (figures of the last second; Ctrl-C ends early)`,
        `  orders     ${ordersPerS.toFixed(1).padStart(6)}/s of ${gauges.targetPerS}   placed ${stats.ordersPlaced}  sold out ${stats.ordersSoldOut}  shed ${stats.ordersShed}`,
        `  api        POST /orders ${pair(orderApi)}   kitchen calls ${pair(kitchenApi)}`,
        `  events     commit→decrypted on KDS ${pair(kds)}   on POS boards ${pair(pos)}`,
        `  terminals  ${gauges.connected}/${gauges.terminals} connected   events received ${stats.eventsReceived}`,
        `  kitchen    tickets open ${stats.openTickets.size}   bumped ${stats.ticketsBumped}   items advanced ${stats.itemsAdvanced}`,
        `  stock      alerts low ${stats.alerts.low}  out ${stats.alerts.out}  restocked ${stats.alerts.restocked}   deliveries ${stats.restocks}`,
        `  search     ${searchesPerS.toFixed(1).padStart(6)}/s  ${pair(search)}   no hits ${stats.searchesNoHits}/${stats.searches}`,
        `  errors     ${stats.errorCount}${stats.errorCount ? `  (${[...stats.errors.keys()].slice(0, 2).join('; ')})` : ''}`,
      ];
      if (drawn) out.write(`\x1b[${drawn}A`);
      out.write(lines.map((line) => `\x1b[2K${line}`).join('\n') + '\n');
      drawn = lines.length;
    },
  };
}

export interface RushSummary {
  seconds: number;
  targetPerS: number;
  terminals: { pos: number; kds: number; stockFeed: number; connectedAtEnd: number };
  stats: RushStats;
}

/** The final summary: whole-run figures. */
export function renderSummary({ seconds, targetPerS, terminals, stats }: RushSummary): string {
  const line = (label: string, s: LatencySummary) =>
    `  ${label.padEnd(34)} p50 ${fmtMs(s.p50).padStart(6)}  p99 ${fmtMs(s.p99).padStart(6)}  max ${fmtMs(s.max).padStart(6)} ms  (n=${s.count})`;
  const errors = [...stats.errors.entries()].sort((a, b) => b[1] - a[1]);
  const rejected = [...stats.rejectedFrames.entries()].map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  return [
    '',
    `rush summary: ${seconds.toFixed(1)} s at a target of ${targetPerS} orders/s`,
    `  orders: arrived ${stats.ordersArrived}, placed ${stats.ordersPlaced} (${(stats.ordersPlaced / seconds).toFixed(1)}/s),` +
      ` sold out ${stats.ordersSoldOut}, shed ${stats.ordersShed}`,
    line('api POST /orders', stats.orderApi.summary()),
    line('api kitchen calls', stats.kitchenApi.summary()),
    line('event commit→decrypted on KDS', stats.kdsEvent.summary()),
    line('event commit→decrypted on POS', stats.posEvent.summary()),
    line('storefront search', stats.search.summary()),
    `  terminals: ${terminals.pos} POS + ${terminals.kds} KDS + ${terminals.stockFeed} stock feed, ${terminals.connectedAtEnd} connected at the end;` +
      ` events received ${stats.eventsReceived}; frames rejected: ${rejected}; reloads ${stats.reloads}`,
    `  kitchen: tickets ${stats.ticketsCreated} created, ${stats.ticketsBumped} bumped, ${stats.openTickets.size} still open; items advanced ${stats.itemsAdvanced}`,
    ...(stats.kitchenWaitingPeak > 0
      ? [
          `  the kitchen fell behind: up to ${stats.kitchenWaitingPeak} taps waited for one of its ${stats.kitchenInFlightCap} calls in flight` +
            ' (--max-in-flight), so the api latencies above are mostly that line (calls in flight ÷ calls per second):' +
            ' the machine could not keep up with this rush; try fewer --orders-per-s or a bigger machine',
        ]
      : []),
    `  stock: alerts low ${stats.alerts.low}, out ${stats.alerts.out}, restocked ${stats.alerts.restocked}; deliveries received ${stats.restocks}`,
    `  search: ${stats.searches} queries, ${stats.searchesNoHits} without hits`,
    `  errors: ${stats.errorCount}${errors.length ? '' : ' (none)'}`,
    ...errors.slice(0, 10).map(([label, count]) => `    ${count} × ${label}`),
  ].join('\n');
}
