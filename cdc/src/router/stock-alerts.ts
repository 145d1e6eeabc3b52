/**
 * Stock alerts from one level change's before and after, never from polling. Each side has a
 * state from its own available (= on_hand - reserved) and its own low_stock_threshold:
 *   out: available ≤ 0        low: 0 < available ≤ threshold        ok: available > threshold
 * and an alert fires when the state changes:
 *   stock.out       low|ok → out   (available went from > 0 to 0)
 *   stock.low       ok → low       (from > threshold to ≤ threshold, still > 0)
 *   stock.restocked out|low → ok   (from ≤ threshold, or 0, to > threshold)
 * out → low (a partial refill still under the threshold) fires nothing: the level is still a problem
 * and stock.changed carries the number. A new level (insert) or a deleted one fires nothing: there is
 * no crossing. Raising or lowering the threshold alone can fire low or restocked, on purpose: the
 * level crossed the line the merchant just drew.
 */
import type { StockLevelSnapshot } from './entities.ts';

export type StockState = 'out' | 'low' | 'ok';
export type StockAlert = 'low' | 'out' | 'restocked';

export function stockState(level: Pick<StockLevelSnapshot, 'available' | 'lowStockThreshold'>): StockState {
  if (level.available <= 0) return 'out';
  if (level.available <= level.lowStockThreshold) return 'low';
  return 'ok';
}

export function stockAlert(before: StockLevelSnapshot | null, after: StockLevelSnapshot | null): StockAlert | null {
  if (!before || !after) return null;
  const from = stockState(before);
  const to = stockState(after);
  if (from === to) return null;
  if (to === 'out') return 'out';
  if (to === 'low') return from === 'ok' ? 'low' : null;
  return 'restocked';
}
