import { topics } from '@commerce/common';
import { allDayCounts } from '../state/all-day.ts';
import { expoOrders } from '../state/expo-view.ts';
import {
  emptyKitchenBoard,
  type KitchenAction,
  type KitchenBoard,
  openTickets,
  recentlyBumped,
  reduceKitchen,
  ticketsMissingItems,
} from '../state/kitchen-board.ts';
import type { ItemStatus, KitchenItem } from '../state/kitchen-types.ts';
import { DEFAULT_THRESHOLDS, type TimerThresholds, thresholdsFromMinutes } from '../state/ticket-timer.ts';
import { ApiRequestError } from './api-client.ts';
import { byId, renderKeyed, scheduler, setHtml, tickTimers, toast } from './dom.ts';
import type { Screen } from './screen-shell.ts';
import { html } from './views/html.ts';
import { allDayList, expoCard, type KitchenViewContext, recallList, ticketCard } from './views/kitchen-view.ts';

const THRESHOLDS_KEY = 'commerce.terminal.kds.thresholds';
/** how long a ticket may stay without items before the screen asks the api for it */
const HYDRATE_AFTER_MS = 1500;
/** a pending mark clears itself if the hub never confirms (the action failed somewhere) */
const PENDING_MS = 8000;

interface Station {
  id: string;
  name: string;
  code: string;
}

/**
 * A kitchen screen: one station (or several) as ticket cards, or the expo view of every station
 * grouped by order. Taps call the api; the cards change only when the hub says the change happened.
 */
export async function runKitchenScreen(screen: Screen, mode: 'station' | 'expo'): Promise<void> {
  const { device, api } = screen;
  const branchId = device.branchId;
  if (!branchId) throw new Error('a kitchen screen needs a branch');
  const stations = await loadStations(screen, branchId);
  const served = device.stationIds.length > 0 ? stations.filter((s) => device.stationIds.includes(s.id)) : stations;
  const stationIds = served.map((s) => s.id);
  const names = new Map(stations.map((s) => [s.id, s.name]));
  byId('screen-sub').textContent = served.map((s) => s.name).join(' · ');

  let board: KitchenBoard = emptyKitchenBoard(stationIds);
  let thresholds = await loadThresholds(screen);
  const pending = new Map<string, ReturnType<typeof setTimeout>>();
  const hydrating = new Map<string, number>();

  const ctx = (): KitchenViewContext => ({
    now: screen.now(),
    thresholds,
    stationName: (id) => names.get(id) ?? `station ${id}`,
    showStation: mode === 'expo' || stationIds.length > 1,
    mode,
    pending: new Set(pending.keys()),
  });

  const render = scheduler(() => {
    const c = ctx();
    const boardEl = byId('board');
    if (mode === 'expo') {
      const orders = expoOrders(board, stationIds);
      renderKeyed(
        boardEl,
        orders.map((o) => ({ key: `o${o.orderId}`, html: expoCard(o, c) })),
      );
    } else {
      renderKeyed(
        boardEl,
        openTickets(board).map((t) => ({ key: `t${t.id}`, html: ticketCard(t, c) })),
      );
    }
    const open = mode === 'expo' ? expoOrders(board).length : openTickets(board).length;
    setHtml(byId('board-count'), html`${open} open`);
    boardEl.classList.toggle('empty', open === 0);
    setHtml(byId('allday'), allDayList(allDayCounts(board)));
    setHtml(byId('recall'), recallList(recentlyBumped(board, 8), c));
    (byId('recall-last') as HTMLButtonElement).disabled = recentlyBumped(board, 1).length === 0;
    hydrate();
  });

  const dispatch = (action: KitchenAction) => {
    const before = board;
    board = reduceKitchen(board, action);
    if (board !== before) {
      settlePending(before);
      render();
    }
  };

  /** A pending mark goes when the state it waited for arrives. */
  const settlePending = (before: KitchenBoard) => {
    for (const key of pending.keys()) {
      const [kind, id] = key.split(':') as [string, string];
      const changed =
        kind === 'item'
          ? findItem(board, id)?.status !== findItem(before, id)?.status
          : kind === 'ticket' || kind === 'recall'
            ? board.tickets[id]?.status !== before.tickets[id]?.status
            : false;
      if (changed) clearPending(key);
    }
  };
  const clearPending = (key: string) => {
    clearTimeout(pending.get(key));
    pending.delete(key);
  };

  const hydrate = () => {
    for (const id of ticketsMissingItems(board)) {
      const since = hydrating.get(id);
      if (since === undefined) {
        hydrating.set(id, Date.now());
        setTimeout(render, HYDRATE_AFTER_MS + 50);
      } else if (since > 0 && Date.now() - since >= HYDRATE_AFTER_MS) {
        hydrating.set(id, -1);
        api
          .ticket(id)
          .then((ticket) => dispatch({ type: 'ticket', ticket }))
          .catch(() => hydrating.delete(id));
      }
    }
  };

  const act = (key: string, action: () => Promise<unknown>, what: string) => {
    if (pending.has(key)) return;
    pending.set(
      key,
      setTimeout(() => {
        pending.delete(key);
        render();
      }, PENDING_MS),
    );
    render();
    action().catch((error) => {
      clearPending(key);
      render();
      toast(`${what} failed: ${error instanceof ApiRequestError ? error.message : String(error)}`);
    });
  };

  byId('board').addEventListener('click', (event) => {
    const target = event.target as HTMLElement;
    const item = target.closest<HTMLElement>('[data-item]');
    if (item?.dataset.next && item.dataset.item) {
      const id = item.dataset.item;
      const next = item.dataset.next as Exclude<ItemStatus, 'queued'>;
      act(`item:${id}`, () => api.setItemStatus(id, next), 'Updating the item');
      return;
    }
    const bump = target.closest<HTMLElement>('[data-bump]');
    if (bump?.dataset.bump) {
      const id = bump.dataset.bump;
      act(`ticket:${id}`, () => api.bump(id), 'Bumping');
      return;
    }
    const bumpOrder = target.closest<HTMLElement>('[data-bump-order]');
    if (bumpOrder?.dataset.bumpOrder) {
      for (const t of openTickets(board).filter((t) => t.orderId === bumpOrder.dataset.bumpOrder)) {
        act(`ticket:${t.id}`, () => api.bump(t.id), 'Bumping');
      }
    }
  });
  const recall = (id: string) => act(`recall:${id}`, () => api.recall(id), 'Recalling');
  byId('recall-last').addEventListener('click', () => {
    const last = recentlyBumped(board, 1)[0];
    if (last) recall(last.id);
  });
  byId('recall').addEventListener('click', (event) => {
    const id = (event.target as HTMLElement).closest<HTMLElement>('[data-recall]')?.dataset.recall;
    if (id) recall(id);
  });
  wireThresholdSettings(thresholds, (next) => {
    thresholds = next;
    render();
  });
  // colours follow the clock between renders
  screen.onTick((now) => tickTimers(byId('board'), now, thresholds));

  screen.live({
    topics: stationIds.map((s) => topics.kitchen(device.merchantId, branchId, s)),
    async load() {
      const perStation = await Promise.all(
        stationIds.flatMap((station_id) => [
          api.tickets({ station_id, status: 'open', limit: 200 }),
          api.tickets({ station_id, status: 'bumped', limit: 10 }),
        ]),
      );
      dispatch({ type: 'snapshot', tickets: perStation.flat() });
      render();
    },
    apply(event) {
      dispatch({ type: 'event', eventType: event.event.type, entity: event.event.entity });
    },
  });
  render();
}

function findItem(board: KitchenBoard, itemId: string): KitchenItem | undefined {
  for (const t of Object.values(board.tickets)) if (t.items[itemId]) return t.items[itemId];
  return undefined;
}

async function loadStations(screen: Screen, branchId: string): Promise<Station[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      const rows = await screen.api.stations(branchId);
      return rows.map((r) => ({ id: String(r.id), name: String(r.name ?? r.code), code: String(r.code ?? '') }));
    } catch (error) {
      if (error instanceof ApiRequestError && (error.status === 401 || error.status === 403)) throw error;
      toast(`Cannot load the stations yet (${(error as Error).message}); retrying…`);
      await new Promise((r) => setTimeout(r, Math.min(10_000, 1000 * 2 ** attempt)));
    }
  }
}

/** This screen's own setting, else the server's default, else 5 / 8 minutes. */
async function loadThresholds(screen: Screen): Promise<TimerThresholds> {
  let fallback = DEFAULT_THRESHOLDS;
  try {
    const config = await screen.api.terminalConfig();
    const kds = config.kds as { warn_minutes?: number; late_minutes?: number } | undefined;
    fallback = thresholdsFromMinutes(kds?.warn_minutes, kds?.late_minutes);
  } catch {
    // the defaults will do
  }
  try {
    const own = JSON.parse(localStorage.getItem(THRESHOLDS_KEY) ?? 'null') as { warn?: number; late?: number } | null;
    if (own) return thresholdsFromMinutes(own.warn, own.late, fallback);
  } catch {
    // a damaged setting falls back
  }
  return fallback;
}

function wireThresholdSettings(current: TimerThresholds, onChange: (t: TimerThresholds) => void): void {
  const form = document.getElementById('settings-form') as HTMLFormElement | null;
  if (!form) return;
  const warn = form.elements.namedItem('warn') as HTMLInputElement;
  const late = form.elements.namedItem('late') as HTMLInputElement;
  warn.value = String(current.warnAfterMs / 60_000);
  late.value = String(current.lateAfterMs / 60_000);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = thresholdsFromMinutes(warn.value, late.value, { warnAfterMs: -1, lateAfterMs: -1 });
    if (next.warnAfterMs < 0) {
      toast('Red must come after yellow (minutes, more than 0).');
      return;
    }
    localStorage.setItem(THRESHOLDS_KEY, JSON.stringify({ warn: Number(warn.value), late: Number(late.value) }));
    onChange(next);
    toast('Timer colours saved for this screen.', 'info');
    (document.getElementById('menu') as HTMLDialogElement | null)?.close();
  });
}
