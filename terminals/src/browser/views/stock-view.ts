import type { StockAlert } from '../../state/stock-alerts.ts';
import { html, type SafeHtml } from './html.ts';
import { agoLabel } from './labels.ts';

const KIND_WORD = { low: 'Low stock', out: 'Out of stock', restocked: 'Restocked' } as const;
const KIND_ICON = { low: '▼', out: '✕', restocked: '▲' } as const;

export interface StockViewContext {
  now: number;
  /** names the event did not carry (levels listed by the api), looked up by the page */
  locationName(locationId: string): string | null;
  pending: ReadonlySet<string>;
}

/** Only a live problem asks for an acknowledgement; news that resolves one does not. */
function alertAction(alert: StockAlert): SafeHtml {
  if (alert.acknowledged) return html`<div class="alert-acked">✓ seen</div>`;
  if (alert.superseded) return html`<div class="alert-acked">since changed</div>`;
  if (alert.kind === 'restocked') return html`<div class="alert-acked">back in stock</div>`;
  return html`<button type="button" class="ack" data-ack="${alert.id}">Acknowledge</button>`;
}

export function alertCard(alert: StockAlert, ctx: StockViewContext): SafeHtml {
  const product = [alert.productName, alert.variantName].filter(Boolean).join(' · ');
  const location = alert.locationName ?? ctx.locationName(alert.locationId) ?? `location ${alert.locationId}`;
  const classes = [
    'alert',
    `k-${alert.kind}`,
    alert.acknowledged ? 'acked' : 'fresh',
    alert.superseded ? 'superseded' : '',
  ].join(' ');
  return html`<article class="${classes}" data-alert="${alert.id}" data-kind="${alert.kind}">
    <div class="alert-icon" aria-hidden="true">${KIND_ICON[alert.kind]}</div>
    <div class="alert-body">
      <header>
        <span class="alert-kind">${KIND_WORD[alert.kind]}</span>
        <span class="alert-sku">${alert.sku ?? `variant ${alert.variantId}`}</span>
      </header>
      ${product ? html`<div class="alert-product">${product}</div>` : ''}
      <div class="alert-numbers">
        <span><b>${alert.available ?? '?'}</b> available</span>
        <span>${alert.onHand ?? '?'} on hand</span>
        <span>${alert.reserved ?? '?'} reserved</span>
        <span>threshold ${alert.threshold ?? '?'}</span>
      </div>
      <div class="alert-where muted">${location} · <span data-ago="${alert.at}">${agoLabel(ctx.now - alert.at)}</span>${
        alert.fromSnapshot ? ' · current level' : ''
      }</div>
    </div>
    ${alertAction(alert)}
  </article>`;
}
