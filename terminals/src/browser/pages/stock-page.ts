import { topics } from '@commerce/common';
import {
  type AckRecord,
  ackRecord,
  emptyStockFeed,
  reduceStock,
  type StockAction,
  type StockFeed,
  unacknowledged,
} from '../../state/stock-alerts.ts';
import { byId, renderKeyed, scheduler, setHtml, toast } from '../dom.ts';
import { bootScreen, type Screen } from '../screen-shell.ts';
import { chime, unlockSound } from '../sound.ts';
import { html } from '../views/html.ts';
import { alertCard } from '../views/stock-view.ts';

const ACKS_KEY = 'commerce.terminal.stock.acks';
const SOUND_KEY = 'commerce.terminal.stock.sound';
const ACKS_KEPT = 500;

/** The stock alerts feed: low / out / restocked as they happen; acknowledge; optional chime. */
function run(screen: Screen): void {
  const { device, api } = screen;
  let feed: StockFeed = emptyStockFeed();
  const locations = new Map<string, string>();
  let acks: AckRecord[] = readAcks();
  let sound = localStorage.getItem(SOUND_KEY) === 'on';

  const render = scheduler(() => {
    const ctx = {
      now: screen.now(),
      locationName: (id: string) => locations.get(id) ?? null,
      pending: new Set<string>(),
    };
    renderKeyed(
      byId('alerts'),
      feed.alerts.map((a) => ({ key: `a${a.id}`, html: alertCard(a, ctx) })),
    );
    const waiting = unacknowledged(feed).length;
    setHtml(byId('unacked'), html`${waiting}`);
    byId('unacked').classList.toggle('hot', waiting > 0);
    byId('alerts').classList.toggle('empty', feed.alerts.length === 0);
    (byId('ack-all') as HTMLButtonElement).disabled = waiting === 0;
  });
  const dispatch = (action: StockAction) => {
    const before = feed;
    feed = reduceStock(feed, action);
    if (feed !== before) render();
  };
  const acknowledge = (ids: string[]) => {
    const records = feed.alerts.filter((a) => ids.includes(a.id)).map(ackRecord);
    acks = [...acks.filter((ack) => !ids.includes(ack.id)), ...records].slice(-ACKS_KEPT);
    localStorage.setItem(ACKS_KEY, JSON.stringify(acks));
  };

  byId('alerts').addEventListener('click', (event) => {
    const id = (event.target as HTMLElement).closest<HTMLElement>('[data-ack]')?.dataset.ack;
    if (!id) return;
    acknowledge([id]);
    dispatch({ type: 'ack', id });
  });
  byId('ack-all').addEventListener('click', () => {
    acknowledge(unacknowledged(feed).map((a) => a.id));
    dispatch({ type: 'ack-all' });
  });
  const soundBtn = byId<HTMLButtonElement>('sound');
  const showSound = () => {
    soundBtn.textContent = sound ? '♪ Sound on' : '♪ Sound off';
    soundBtn.setAttribute('aria-pressed', String(sound));
  };
  soundBtn.addEventListener('click', () => {
    sound = !sound;
    localStorage.setItem(SOUND_KEY, sound ? 'on' : 'off');
    if (sound) unlockSound();
    showSound();
  });
  showSound();
  // a sound setting kept from before needs one touch to be allowed to play again
  addEventListener('pointerdown', () => sound && unlockSound(), { once: true });

  screen.live({
    topics: [topics.stockAlerts(device.merchantId)],
    async load() {
      const [levels, locs] = await Promise.all([
        api.levels({ below_threshold: 'true', limit: 100 }),
        api.locations().catch(() => []),
      ]);
      for (const l of locs) locations.set(String(l.id), String(l.name));
      dispatch({ type: 'levels', levels: levels.items, now: screen.now() });
      dispatch({ type: 'restore-acks', acks });
      render();
    },
    apply(event) {
      const known = feed.alerts.some((a) => a.id === event.event.id);
      dispatch({
        type: 'event',
        eventType: event.event.type,
        eventId: event.event.id,
        entity: event.event.entity,
        occurredAt: event.event.occurredAt,
        now: screen.now(),
      });
      dispatch({ type: 'restore-acks', acks });
      const added = known ? undefined : feed.alerts.find((a) => a.id === event.event.id);
      if (added && !added.acknowledged && added.kind !== 'restocked') {
        if (sound && !event.replayed) chime(added.kind === 'out');
        document.body.classList.remove('flash');
        void document.body.offsetWidth; // restart the animation
        document.body.classList.add('flash');
      }
    },
  });
  render();
}

function readAcks(): AckRecord[] {
  try {
    const value = JSON.parse(localStorage.getItem(ACKS_KEY) ?? '[]');
    if (!Array.isArray(value)) return [];
    return value.filter(
      (x): x is AckRecord =>
        typeof x === 'object' &&
        x !== null &&
        typeof x.id === 'string' &&
        typeof x.key === 'string' &&
        typeof x.at === 'number',
    );
  } catch {
    return [];
  }
}

const screen = bootScreen(['stock_feed'], '/stock');
if (screen) {
  try {
    run(screen);
  } catch (error) {
    toast(`This screen cannot start: ${(error as Error).message}`);
  }
}
