import type { AllDayCount } from '../../state/all-day.ts';
import type { ExpoOrder } from '../../state/expo-view.ts';
import { isTicketReady, ticketItems } from '../../state/kitchen-board.ts';
import { type KitchenItem, type KitchenTicket, nextItemStatus } from '../../state/kitchen-types.ts';
import { elapsedSince, formatElapsed, type TimerThresholds, urgency } from '../../state/ticket-timer.ts';
import { html, type SafeHtml } from './html.ts';
import { whereLabel } from './labels.ts';

export interface KitchenViewContext {
  now: number;
  thresholds: TimerThresholds;
  stationName(stationId: string): string;
  /** show the station on each card (a screen serving several stations) */
  showStation: boolean;
  mode: 'station' | 'expo';
  /** items and tickets with an action on its way (shown as such until the hub says it happened) */
  pending: ReadonlySet<string>;
}

const STATUS_WORD: Record<KitchenItem['status'], string> = {
  queued: 'new',
  preparing: 'cooking',
  ready: 'ready',
  served: 'served',
};

function timer(since: number, ctx: KitchenViewContext): SafeHtml {
  return html`<span class="timer" data-since="${since}">${formatElapsed(elapsedSince(since, ctx.now))}</span>`;
}

function itemButton(item: KitchenItem, ctx: KitchenViewContext): SafeHtml {
  const next = nextItemStatus(item.status, ctx.mode);
  const pending = ctx.pending.has(`item:${item.id}`);
  return html`<li>
    <button type="button" class="item s-${item.status}${pending ? ' pending' : ''}" data-item="${item.id}"
      ${next ? html`data-next="${next}"` : html`aria-disabled="true"`}
      aria-label="${item.quantity} ${item.name}, ${STATUS_WORD[item.status]}${next ? `, tap to mark ${STATUS_WORD[next]}` : ''}">
      <span class="qty">${item.quantity}×</span>
      <span class="name">${item.name}</span>
      <span class="state">${STATUS_WORD[item.status]}</span>
      ${item.modifiers.length ? html`<span class="mods">${item.modifiers.join(' · ')}</span>` : ''}
      ${item.note ? html`<span class="note">${item.note}</span>` : ''}
    </button>
  </li>`;
}

function itemList(ticket: KitchenTicket, ctx: KitchenViewContext): SafeHtml {
  const items = ticketItems(ticket);
  if (!ticket.itemsKnown && items.length === 0) return html`<p class="loading-items">loading items…</p>`;
  return html`<ul class="items">${items.map((i) => itemButton(i, ctx))}</ul>`;
}

/** One ticket on a station screen. */
export function ticketCard(ticket: KitchenTicket, ctx: KitchenViewContext): SafeHtml {
  const u = urgency(elapsedSince(ticket.createdAt, ctx.now), ctx.thresholds);
  const ready = isTicketReady(ticket);
  const bumping = ctx.pending.has(`ticket:${ticket.id}`);
  return html`<article class="ticket u-${u}${ready ? ' all-ready' : ''}" data-ticket="${ticket.id}" data-since="${ticket.createdAt}">
    <header class="ticket-head">
      <span class="ticket-no">#${ticket.orderId}</span>
      <span class="ticket-where">${whereLabel(ticket.tableLabel, ticket.channel)}</span>
      ${timer(ticket.createdAt, ctx)}
    </header>
    ${ctx.showStation ? html`<div class="ticket-station">${ctx.stationName(ticket.stationId)}</div>` : ''}
    ${ticket.recalledAt && ticket.recalledAt > (ticket.bumpedAt ?? 0) ? html`<div class="recalled">recalled</div>` : ''}
    ${itemList(ticket, ctx)}
    <footer class="ticket-foot">
      <button type="button" class="bump${bumping ? ' pending' : ''}" data-bump="${ticket.id}">${ready ? 'Bump ✓' : 'Bump'}</button>
    </footer>
  </article>`;
}

/** One order on the expo screen: every station's ticket of it, side by side. */
export function expoCard(order: ExpoOrder, ctx: KitchenViewContext): SafeHtml {
  const u = urgency(elapsedSince(order.createdAt, ctx.now), ctx.thresholds);
  const bumping = order.tickets.some((t) => ctx.pending.has(`ticket:${t.id}`));
  return html`<article class="ticket expo u-${u}${order.ready ? ' all-ready' : ''}" data-order="${order.orderId}" data-since="${order.createdAt}">
    <header class="ticket-head">
      <span class="ticket-no">#${order.orderId}</span>
      <span class="ticket-where">${whereLabel(order.tableLabel, order.channel)}</span>
      ${timer(order.createdAt, ctx)}
    </header>
    <div class="expo-progress">${order.readyStations} / ${order.tickets.length} stations ready</div>
    ${order.tickets.map(
      (t) => html`<section class="expo-station${isTicketReady(t) ? ' station-ready' : ''}" data-ticket="${t.id}">
        <h3>${ctx.stationName(t.stationId)}</h3>
        ${itemList(t, ctx)}
      </section>`,
    )}
    <footer class="ticket-foot">
      <button type="button" class="bump${bumping ? ' pending' : ''}" data-bump-order="${order.orderId}">${order.ready ? 'Send out ✓' : 'Bump order'}</button>
    </footer>
  </article>`;
}

export function allDayList(counts: readonly AllDayCount[]): SafeHtml {
  if (counts.length === 0) return html`<p class="muted">nothing to make</p>`;
  return html`<ol class="allday">${counts.map(
    (c) => html`<li><span class="allday-count">${c.count}</span><span class="allday-name">${c.name}</span></li>`,
  )}</ol>`;
}

export function recallList(bumped: readonly KitchenTicket[], ctx: KitchenViewContext): SafeHtml {
  if (bumped.length === 0) return html`<p class="muted">no bumped tickets yet</p>`;
  return html`<ul class="recall-list">${bumped.map(
    (
      t,
    ) => html`<li><button type="button" class="recall-one${ctx.pending.has(`recall:${t.id}`) ? ' pending' : ''}" data-recall="${t.id}">
      <span class="ticket-no">#${t.orderId}</span> ${whereLabel(t.tableLabel, t.channel)}
      ${ctx.showStation ? html`<span class="muted">${ctx.stationName(t.stationId)}</span>` : ''}
    </button></li>`,
  )}</ul>`;
}
