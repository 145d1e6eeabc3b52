import { formatMoney } from '../../state/money-format.ts';
import { type BoardOrder, type OrderColumns, paymentState } from '../../state/order-board.ts';
import { html, type SafeHtml } from './html.ts';
import { agoLabel, whereLabel } from './labels.ts';

const STATUS_WORD: Record<BoardOrder['status'], string> = {
  created: 'new',
  paid: 'open',
  fulfilled: 'fulfilled',
  completed: 'completed',
  cancelled: 'cancelled',
};

const PAYMENT_WORD = { unpaid: 'unpaid', paid: 'paid', void: 'void' } as const;

export function orderCard(order: BoardOrder, now: number): SafeHtml {
  const pay = paymentState(order);
  return html`<article class="order st-${order.status}" data-order="${order.id}">
    <header class="order-head">
      <span class="order-no">#${order.id}</span>
      <span class="order-where">${whereLabel(order.tableLabel, order.channel)}</span>
    </header>
    <div class="order-total">${formatMoney(order.total)}</div>
    <div class="order-meta">
      <span class="pill pay-${pay}">${PAYMENT_WORD[pay]}</span>
      <span class="pill status">${STATUS_WORD[order.status]}</span>
      ${order.lineCount !== null ? html`<span class="muted">${order.lineCount} line${order.lineCount === 1 ? '' : 's'}</span>` : ''}
    </div>
    <div class="order-age muted" data-ago="${order.createdAt}">${agoLabel(now - order.createdAt)}</div>
  </article>`;
}

export function orderColumnsView(columns: OrderColumns, now: number): Record<keyof OrderColumns, SafeHtml[]> {
  return {
    open: columns.open.map((o) => orderCard(o, now)),
    paid: columns.paid.map((o) => orderCard(o, now)),
    done: columns.done.map((o) => orderCard(o, now)),
  };
}
