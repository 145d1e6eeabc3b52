import { createHubClient, type HubEvent } from '@commerce/sdk';
import { type ConnectionState, connectionView } from '../state/connection-state.ts';
import { type ApiClient, createApiClient } from './api-client.ts';
import { type DeviceRecord, forgetDevice, homePath, isExpired, loadDevice, type ScreenKind } from './device-store.ts';
import { byId, setHtml, tickTimers } from './dom.ts';
import { type LiveSession, startLiveSession } from './live-session.ts';
import { connectionBadge } from './views/connection-view.ts';
import { clockLabel } from './views/labels.ts';

/** What every screen page gets from the shell: its device, the api, the server's clock. */
export interface Screen {
  device: DeviceRecord;
  api: ApiClient;
  /** the server's idea of now (our clock corrected by the api's Date header) */
  now(): number;
  /** starts following topics; `load` and `apply` feed the page's state */
  live(options: { topics: string[]; load(): Promise<void>; apply(event: HubEvent): void }): LiveSession;
  /** called every second with the server's now */
  onTick(fn: (now: number) => void): void;
}

/**
 * Boots a screen page: reads the paired device (or sends the person to /pair), wires the header
 * (name, clock, connection badge, menu) and hands back what the page needs. The badge is always
 * in view and the body carries `data-conn` and `data-live`, so nothing looks live when it is not.
 */
export function bootScreen(accepts: readonly ScreenKind[], page: string): Screen | null {
  const device = loadDevice(localStorage);
  if (!device) {
    location.replace(`/pair?next=${encodeURIComponent(page)}`);
    return null;
  }
  if (!accepts.includes(device.kind)) {
    blocked(`This screen is paired as a ${kindName(device.kind)}.`, homePath(device));
    return null;
  }
  if (!globalThis.crypto?.subtle) {
    // WebCrypto (the hub's encryption) exists only in secure contexts: https, or localhost
    blocked(
      'This screen needs a secure page to decrypt the live feed: open it over https (or on this machine as localhost).',
      location.href.replace(/^http:/, 'https:'),
    );
    return null;
  }
  if (isExpired(device, Date.now())) {
    blocked('The pairing of this screen has expired. A manager can pair it again.', '/pair');
    return null;
  }
  let skew = 0;
  const api = createApiClient({
    token: device.token,
    onClock: (ms) => {
      // the Date header has 1 s resolution: only correct clocks that are clearly off
      skew = Math.abs(ms) > 1500 ? ms : 0;
    },
  });
  const now = () => Date.now() + skew;
  const ticks: Array<(now: number) => void> = [];
  byId('screen-name').textContent = device.name;
  const clock = byId('clock');
  setInterval(() => {
    const t = now();
    clock.textContent = clockLabel(t);
    tickTimers(document, t, null);
    for (const fn of ticks) fn(t);
  }, 1000);
  clock.textContent = clockLabel(now());
  wireMenu(device);

  let session: LiveSession | null = null;
  const showConnection = (state: ConnectionState) => {
    const view = connectionView(state, now());
    setHtml(byId('conn-slot'), connectionBadge(view));
    document.body.dataset.conn = view.key;
    document.body.dataset.live = String(view.live);
    const stale = document.getElementById('stale-banner');
    if (stale) {
      stale.hidden = view.live;
      stale.textContent = view.live ? '' : `Not live — ${view.label.toLowerCase()} ${view.detail ?? ''}`.trim();
    }
  };
  ticks.push(() => {
    if (session) showConnection(session.connection());
  });
  byId('conn-slot').addEventListener('click', () => session?.dismiss());

  return {
    device,
    api,
    now,
    onTick: (fn) => ticks.push(fn),
    live(options) {
      const client = createHubClient({
        url: device.hub.url,
        token: device.token,
        serverKeys: [device.hub.publicKey],
        agent: `terminal-page/${page.slice(1)}`,
        reconnect: { initialDelayMs: 300, maxDelayMs: 5000 },
      });
      session = startLiveSession({ client, ...options, onConnection: showConnection, now });
      document.getElementById('menu-reload')?.addEventListener('click', () => session?.reload());
      addEventListener('pagehide', () => session?.stop());
      return session;
    },
  };
}

function kindName(kind: ScreenKind): string {
  return kind === 'kds' ? 'kitchen display' : kind === 'pos' ? 'POS order board' : 'stock feed';
}

function blocked(message: string, href: string): void {
  const main = document.querySelector('main');
  if (main) {
    main.innerHTML = '';
    const box = document.createElement('div');
    box.className = 'blocked';
    const p = document.createElement('p');
    p.textContent = message;
    const a = document.createElement('a');
    a.href = href;
    a.className = 'big-btn';
    a.textContent =
      href === '/pair' ? 'Pair this screen' : href.startsWith('https:') ? 'Open over https' : 'Open its page';
    box.append(p, a);
    main.append(box);
  }
  document.body.dataset.conn = 'offline';
}

function wireMenu(device: DeviceRecord): void {
  const dialog = document.getElementById('menu') as HTMLDialogElement | null;
  if (!dialog) return;
  byId('menu-btn').addEventListener('click', () => dialog.showModal());
  document.getElementById('menu-close')?.addEventListener('click', () => dialog.close());
  const info = document.getElementById('menu-device');
  if (info) info.textContent = `${device.name} · terminal ${device.terminalId}`;
  document.getElementById('menu-forget')?.addEventListener('click', () => {
    if (!confirm('Forget this screen? A manager will have to pair it again.')) return;
    forgetDevice(localStorage);
    location.replace('/pair');
  });
}
