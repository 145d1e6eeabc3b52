import type { ConnectionView } from '../../state/connection-state.ts';
import { html, type SafeHtml } from './html.ts';

/** The badge every screen shows in its header. */
export function connectionBadge(view: ConnectionView): SafeHtml {
  return html`<div class="conn tone-${view.tone}" data-conn="${view.key}" role="status" aria-live="polite">
    <span class="conn-dot" aria-hidden="true"></span>
    <span class="conn-label">${view.label}</span>
    ${view.detail ? html`<span class="conn-detail">${view.detail}</span>` : ''}
  </div>`;
}
