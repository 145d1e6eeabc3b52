import type { HubClientEvents, HubEvent } from '@commerce/sdk';
import {
  type ConnectionInput,
  type ConnectionState,
  closeReason,
  initialConnection,
  reduceConnection,
} from '../state/connection-state.ts';
import { SeenEvents } from '../state/seen-events.ts';

/** The part of the SDK's HubClient a screen uses. */
export interface LiveClient {
  on<K extends keyof HubClientEvents>(name: K, listener: (payload: HubClientEvents[K]) => void): () => void;
  subscribe(topic: string): void;
  connect(): Promise<void>;
  close(): void;
}

export interface LiveSessionOptions {
  client: LiveClient;
  topics: readonly string[];
  /** fetch the screen's state from the api and apply it as a snapshot */
  load(): Promise<void>;
  /** apply one hub event to the screen's state */
  apply(event: HubEvent): void;
  onConnection(state: ConnectionState): void;
  now?: () => number;
  retry?: { initialMs: number; maxMs: number };
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export interface LiveSession {
  /** reload the state from the api now (a person asked for it) */
  reload(): void;
  /** hide the "recovered" / "reloaded" notice */
  dismiss(): void;
  connection(): ConnectionState;
  stop(): void;
}

const MAX_BUFFERED = 10_000;

/**
 * One screen's live state: subscribe, and only then load from the api (so nothing committed between
 * the two is lost); apply hub events once each; after a reconnect, take the replayed events when
 * the hub had them all, or reload from the api when it did not (events arriving during a load are
 * held and applied on top of it). A failed load is retried with backoff; the badge says so.
 */
export function startLiveSession(options: LiveSessionOptions): LiveSession {
  const now = options.now ?? Date.now;
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  const retry = options.retry ?? { initialMs: 1000, maxMs: 15_000 };
  const { client } = options;
  const seen = new SeenEvents();
  let state = initialConnection(options.topics);
  let loadedOnce = false;
  let synced = false;
  let needReload = false;
  let reloading = false;
  let again = false;
  let buffer: HubEvent[] | null = null;
  let attempt = 1;
  let failures = 0;
  let retryTimer: unknown;
  let stopped = false;

  const dispatch = (input: ConnectionInput) => {
    state = reduceConnection(state, input, now());
    options.onConnection(state);
  };

  const reload = () => {
    if (stopped) return;
    if (reloading) {
      again = true;
      return;
    }
    reloading = true;
    needReload = false;
    dispatch({ type: 'reload-started' });
    void runLoad();
  };

  const runLoad = async () => {
    buffer = []; // what arrived before this request started is in the snapshot
    try {
      await options.load();
    } catch (error) {
      if (stopped) return;
      failures++;
      dispatch({ type: 'reload-failed', message: (error as Error).message });
      const delay = Math.min(retry.maxMs, retry.initialMs * 2 ** (failures - 1));
      retryTimer = setTimer(() => {
        if (!stopped) void runLoad();
      }, delay);
      return;
    }
    if (stopped) return;
    const held = buffer ?? [];
    buffer = null;
    for (const event of held) options.apply(event);
    failures = 0;
    loadedOnce = true;
    reloading = false;
    dispatch({ type: 'reload-done' });
    if (again) {
      again = false;
      reload();
    }
  };

  const offs = [
    client.on('state', ({ state: s, code, reason }) => {
      if (s === 'connecting') dispatch({ type: 'connecting', attempt });
      else if (s === 'reconnecting') {
        if (code !== undefined) {
          dispatch({ type: 'disconnected', code, reason: closeReason(code, reason), fatal: false, retryInMs: null });
        }
        attempt++;
        dispatch({ type: 'connecting', attempt });
      } else if (s === 'connected') {
        synced = false;
        attempt = 1;
        dispatch({ type: 'connected' });
      } else if (s === 'failed' || (s === 'closed' && !stopped)) {
        dispatch({
          type: 'disconnected',
          code: code ?? 0,
          reason: code === undefined ? reason || s : closeReason(code, reason),
          fatal: true,
          retryInMs: null,
        });
      }
    }),
    client.on('error', ({ code, fatal }) => {
      if (code === 'connect_failed' && !fatal) {
        attempt++;
        dispatch({ type: 'connecting', attempt });
      }
    }),
    client.on('recovered', ({ topic, count }) =>
      dispatch({ type: 'subscribed', topic, recovery: { recovered: true, count } }),
    ),
    client.on('reload-required', ({ topic }) => {
      dispatch({ type: 'subscribed', topic, recovery: { recovered: false } });
      needReload = true;
      // outside a resubscription (the history changed under a live stream) nothing else will ask
      if (synced) reload();
    }),
    client.on('synced', ({ fresh, reloadRequired }) => {
      synced = true;
      // a topic that starts fresh after the first load has an unknown gap: reload as well
      const mustLoad = !loadedOnce || needReload || reloadRequired.length > 0 || fresh.length > 0;
      if (mustLoad && !reloading) dispatch({ type: 'reload-started' });
      for (const topic of fresh) dispatch({ type: 'subscribed', topic, recovery: null });
      if (mustLoad) {
        if (reloading) again = true;
        else {
          reloading = true;
          needReload = false;
          void runLoad();
        }
      }
    }),
    client.on('refused', ({ topic, reason }) => dispatch({ type: 'refused', topic, reason })),
    client.on('unsubscribed', ({ topic, reason }) => {
      if (reason === 'access_lost') dispatch({ type: 'refused', topic, reason: 'access lost' });
    }),
    client.on('event', (event) => {
      if (!seen.firstTime(event.event.id)) return;
      if (buffer) {
        if (buffer.length >= MAX_BUFFERED) buffer = [];
        buffer.push(event);
      } else options.apply(event);
    }),
  ];

  for (const topic of options.topics) client.subscribe(topic);
  options.onConnection(state);
  client.connect().catch(() => {
    // failures are reported through the state events; connect keeps retrying unless fatal
  });

  return {
    reload,
    dismiss: () => dispatch({ type: 'dismiss' }),
    connection: () => state,
    stop() {
      stopped = true;
      clearTimer(retryTimer);
      for (const off of offs) off();
      client.close();
    },
  };
}
