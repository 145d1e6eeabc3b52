import { type KitchenBoard, openTickets } from './kitchen-board.ts';

export interface AllDayCount {
  name: string;
  /** units still to make (queued or preparing) across the open tickets */
  count: number;
}

/**
 * "All day": how many of each item the open tickets still need, so a cook can fire six burgers at
 * once. Ready and served items are done; they no longer count.
 */
export function allDayCounts(board: KitchenBoard): AllDayCount[] {
  const counts = new Map<string, number>();
  for (const ticket of openTickets(board)) {
    for (const item of Object.values(ticket.items)) {
      if (item.status !== 'queued' && item.status !== 'preparing') continue;
      counts.set(item.name, (counts.get(item.name) ?? 0) + item.quantity);
    }
  }
  return [...counts]
    .map(([name, count]) => ({ name, count }))
    .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
}
