import { type ApiClient, ApiRequestError, createApiClient, type Json } from '../api-client.ts';
import {
  type DeviceRecord,
  deviceFromPairing,
  deviceFromToken,
  forgetDevice,
  homePath,
  loadDevice,
  type ScreenKind,
  saveDevice,
} from '../device-store.ts';
import { byId, setHtml, toast } from '../dom.ts';
import { readTokenClaims } from '../token-claims.ts';
import { html } from '../views/html.ts';

/**
 * Pairing a screen: a manager signs in (merchant, email, PIN, or a staff token), picks what this
 * screen is (a station's KDS, the expo, the POS board, the stock feed), and the api mints the
 * device token; the page keeps it with the hub URL and the pinned hub key in localStorage.
 * A device token given directly (the demo tokens) can be used too.
 */
type Choice = 'kds' | 'expo' | 'pos' | 'stock';

const KIND_OF: Record<Choice, ScreenKind> = { kds: 'kds', expo: 'kds', pos: 'pos', stock: 'stock_feed' };
const ROLES_OF = { kds: ['kitchen'], expo: ['kitchen'], pos: ['cashier'], stock: ['stock_clerk'] } as const;
const next = new URLSearchParams(location.search).get('next');

function show(step: 'current' | 'signin' | 'setup'): void {
  for (const id of ['step-current', 'step-signin', 'step-setup']) byId(id).hidden = id !== `step-${step}`;
  document.body.dataset.step = step;
}

function errorText(error: unknown): string {
  if (error instanceof ApiRequestError) return error.status === 401 ? 'Wrong merchant, email or PIN.' : error.message;
  return (error as Error).message;
}

function goTo(device: DeviceRecord, choice?: Choice): void {
  const path = choice === 'expo' ? '/expo' : homePath(device);
  location.assign(next?.startsWith('/') && !next.startsWith('//') ? next : path);
}

async function hubFromServer(api: ApiClient): Promise<{ url: string; publicKey: string } | null> {
  try {
    const config = await api.terminalConfig();
    const hub = config.hub as { url?: string; public_key?: string } | null;
    return hub?.url && hub.public_key ? { url: hub.url, publicKey: hub.public_key } : null;
  } catch {
    return null;
  }
}

function showCurrent(device: DeviceRecord): void {
  setHtml(
    byId('current-device'),
    html`<b>${device.name}</b> — ${device.kind === 'kds' ? 'kitchen display' : device.kind === 'pos' ? 'POS order board' : 'stock feed'}
      <span class="muted">(terminal ${device.terminalId}, paired ${new Date(device.pairedAt).toLocaleString()})</span>`,
  );
  (byId('open-screen') as HTMLAnchorElement).href = homePath(device);
  byId('open-expo').hidden = device.kind !== 'kds';
  show('current');
}

async function startSetup(api: ApiClient, staff: { name: string; roles: string[] }): Promise<void> {
  if (!staff.roles.some((r) => r === 'owner' || r === 'manager')) {
    toast(`${staff.name} may not pair screens: ask a manager or the owner.`);
    return;
  }
  byId('staff-name').textContent = staff.name;
  const branches = await api.branches();
  const branchSelect = byId<HTMLSelectElement>('branch');
  branchSelect.replaceChildren(
    ...branches.map((b) => {
      const option = document.createElement('option');
      option.value = String(b.id);
      option.textContent = String(b.name);
      return option;
    }),
  );
  const loadStations = async () => {
    const stations = await api.stations(branchSelect.value);
    setHtml(
      byId('stations'),
      html`${stations.map(
        (s: Json) => html`<label class="check"><input type="checkbox" name="station" value="${String(s.id)}"
          data-name="${String(s.name)}"> ${String(s.name)}</label>`,
      )}`,
    );
  };
  branchSelect.onchange = () => void loadStations().catch((e) => toast(errorText(e)));
  await loadStations();
  const form = byId<HTMLFormElement>('setup-form');
  const updateName = () => {
    const choice = (form.elements.namedItem('kind') as RadioNodeList).value as Choice;
    byId('station-field').hidden = choice !== 'kds';
    const picked = Array.from(form.querySelectorAll<HTMLInputElement>('input[name=station]:checked')).map(
      (i) => i.dataset.name,
    );
    const suggested =
      choice === 'kds'
        ? `${picked.join(' + ') || 'Kitchen'} KDS`
        : choice === 'expo'
          ? 'Expo KDS'
          : choice === 'pos'
            ? 'POS Board'
            : 'Stock Feed';
    const name = form.elements.namedItem('name') as HTMLInputElement;
    if (!name.dataset.touched) name.value = suggested;
  };
  form.addEventListener('change', updateName);
  (form.elements.namedItem('name') as HTMLInputElement).addEventListener('input', (e) => {
    (e.target as HTMLInputElement).dataset.touched = '1';
  });
  updateName();
  form.onsubmit = async (event) => {
    event.preventDefault();
    const choice = (form.elements.namedItem('kind') as RadioNodeList).value as Choice;
    const stationIds =
      choice === 'kds'
        ? Array.from(form.querySelectorAll<HTMLInputElement>('input[name=station]:checked')).map((i) => i.value)
        : [];
    if (choice === 'kds' && stationIds.length === 0) {
      toast('Pick the station(s) this screen serves.');
      return;
    }
    const kind = KIND_OF[choice];
    try {
      const paired = await api.pair({
        kind,
        name: (form.elements.namedItem('name') as HTMLInputElement).value.trim(),
        ...(kind === 'stock_feed' ? {} : { branch_id: branchSelect.value }),
        station_ids: stationIds,
        roles: [...ROLES_OF[choice]],
      });
      const device = deviceFromPairing(paired, await hubFromServer(api));
      if ('error' in device) throw new Error(device.error);
      saveDevice(localStorage, device);
      goTo(device, choice);
    } catch (error) {
      toast(`Pairing failed: ${errorText(error)}`);
    }
  };
  show('setup');
}

function wireSignIn(api: ApiClient): void {
  byId<HTMLFormElement>('signin-form').onsubmit = async (event) => {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value.trim();
    try {
      const result = await api.login({ merchant: value('merchant'), email: value('email'), pin: value('pin') });
      api.setToken(String(result.token));
      const staff = result.staff as { name: string; roles: string[] };
      await startSetup(api, staff);
    } catch (error) {
      toast(errorText(error));
    }
  };
  byId<HTMLFormElement>('token-form').onsubmit = async (event) => {
    event.preventDefault();
    const token = (byId<HTMLTextAreaElement>('token').value || '').trim();
    const claims = readTokenClaims(token);
    if (!claims) {
      toast('That is not a token.');
      return;
    }
    try {
      if (claims.kind === 'staff') {
        api.setToken(token);
        const me = await api.me();
        const staff = me.principal as { roles: string[]; id: string };
        await startSetup(api, { name: `staff ${staff.id}`, roles: staff.roles });
        return;
      }
      const hub = await hubFromServer(api);
      if (!hub) throw new Error('this server does not publish its hub; pair with a manager sign-in instead');
      const device = deviceFromToken(token, hub);
      if ('error' in device) throw new Error(device.error);
      saveDevice(localStorage, device);
      goTo(device);
    } catch (error) {
      toast(errorText(error));
    }
  };
}

const api = createApiClient();
wireSignIn(api);
byId('pair-again').addEventListener('click', () => show('signin'));
byId('forget').addEventListener('click', () => {
  forgetDevice(localStorage);
  show('signin');
});
const current = loadDevice(localStorage);
if (current && !next) showCurrent(current);
else show('signin');
