/**
 * What the connection badge says. A screen must never look live while it is not: anything short
 * of "connected, every topic subscribed, state loaded" is shown as such, and after a gap the
 * screen says whether it got every missed event back (recovered) or had to reload (some events
 * were missed while it was away; what it shows now came from the api).
 */
export type ConnectionInput =
  | { type: 'connecting'; attempt: number }
  | { type: 'connected' }
  | { type: 'disconnected'; code: number; reason: string; fatal: boolean; retryInMs: number | null }
  | { type: 'subscribed'; topic: string; recovery: null | { recovered: true; count: number } | { recovered: false } }
  | { type: 'refused'; topic: string; reason: string }
  | { type: 'reload-started' }
  | { type: 'reload-done' }
  | { type: 'reload-failed'; message: string }
  | { type: 'dismiss' };

export type Phase = 'connecting' | 'subscribing' | 'live' | 'reconnecting' | 'failed';

export interface ConnectionState {
  phase: Phase;
  topics: readonly string[];
  /** topics confirmed since the latest handshake */
  subscribed: readonly string[];
  everLive: boolean;
  attempt: number;
  reloading: boolean;
  reloadError: string | null;
  /** what happened at the latest (re)subscribe, shown for NOTICE_MS */
  notice: { kind: 'recovered'; count: number; at: number } | { kind: 'reloaded'; at: number } | null;
  /** recovery results of the current (re)subscribe, aggregated over topics */
  pendingRecovery: { missed: number; lost: boolean; any: boolean };
  lastError: string | null;
}

export const NOTICE_MS = 2 * 60_000;

export function initialConnection(topics: readonly string[]): ConnectionState {
  return {
    phase: 'connecting',
    topics,
    subscribed: [],
    everLive: false,
    attempt: 0,
    reloading: false,
    reloadError: null,
    notice: null,
    pendingRecovery: { missed: 0, lost: false, any: false },
    lastError: null,
  };
}

export function reduceConnection(state: ConnectionState, input: ConnectionInput, now: number): ConnectionState {
  switch (input.type) {
    case 'connecting':
      if (state.phase === 'failed') return state;
      return { ...state, phase: state.everLive ? 'reconnecting' : 'connecting', attempt: input.attempt };
    case 'connected':
      return {
        ...state,
        phase: 'subscribing',
        subscribed: [],
        pendingRecovery: { missed: 0, lost: false, any: false },
      };
    case 'disconnected':
      return {
        ...state,
        phase: input.fatal ? 'failed' : state.everLive ? 'reconnecting' : 'connecting',
        subscribed: [],
        lastError: input.reason || `closed (${input.code})`,
      };
    case 'refused':
      return { ...state, phase: 'failed', lastError: `not allowed to follow ${input.topic} (${input.reason})` };
    case 'subscribed': {
      if (state.phase === 'failed') return state;
      const subscribed = state.subscribed.includes(input.topic) ? state.subscribed : [...state.subscribed, input.topic];
      const r = state.pendingRecovery;
      const pendingRecovery = input.recovery
        ? {
            any: true,
            lost: r.lost || !input.recovery.recovered,
            missed: r.missed + (input.recovery.recovered ? input.recovery.count : 0),
          }
        : r;
      const all = state.topics.every((t) => subscribed.includes(t));
      if (!all) return { ...state, subscribed, pendingRecovery };
      let notice = state.notice;
      if (pendingRecovery.any && !pendingRecovery.lost)
        notice = { kind: 'recovered', count: pendingRecovery.missed, at: now };
      return {
        ...state,
        subscribed,
        pendingRecovery,
        notice,
        // a lost gap is not live until the reload from the api has finished
        phase: pendingRecovery.lost || state.reloading ? 'subscribing' : 'live',
        everLive: state.everLive || !(pendingRecovery.lost || state.reloading),
      };
    }
    case 'reload-started':
      return { ...state, reloading: true, reloadError: null };
    case 'reload-done': {
      const allSubscribed = state.topics.every((t) => state.subscribed.includes(t));
      const gap = state.pendingRecovery.lost;
      return {
        ...state,
        reloading: false,
        reloadError: null,
        phase: allSubscribed && state.phase !== 'failed' ? 'live' : state.phase,
        everLive: state.everLive || allSubscribed,
        notice: gap ? { kind: 'reloaded', at: now } : state.notice,
        pendingRecovery: { ...state.pendingRecovery, lost: false },
      };
    }
    case 'reload-failed':
      return { ...state, reloading: false, reloadError: input.message };
    case 'dismiss':
      return { ...state, notice: null };
  }
}

export type Tone = 'ok' | 'info' | 'warn' | 'bad';

export interface ConnectionView {
  tone: Tone;
  label: string;
  detail: string | null;
  /** true only when what the screen shows is current: live, subscribed, loaded */
  live: boolean;
  /** a short machine-readable word for tests and CSS */
  key: 'connecting' | 'connected' | 'recovered' | 'reloaded' | 'reconnecting' | 'reloading' | 'offline';
}

export function connectionView(state: ConnectionState, now: number): ConnectionView {
  if (state.phase === 'failed') {
    return { key: 'offline', tone: 'bad', label: 'Offline', detail: state.lastError, live: false };
  }
  if (state.phase === 'connecting') {
    return { key: 'connecting', tone: 'info', label: 'Connecting…', detail: attemptText(state), live: false };
  }
  if (state.phase === 'reconnecting') {
    return {
      key: 'reconnecting',
      tone: 'warn',
      label: 'Reconnecting…',
      detail: [state.lastError, attemptText(state)].filter(Boolean).join(' · ') || null,
      live: false,
    };
  }
  if (state.reloading || state.reloadError || state.pendingRecovery.lost || state.phase === 'subscribing') {
    if (state.reloadError) {
      return {
        key: 'reloading',
        tone: 'bad',
        label: 'Reload failed, retrying',
        detail: state.reloadError,
        live: false,
      };
    }
    const key = state.everLive ? 'reloading' : 'connecting';
    const label = state.reloading ? 'Loading…' : 'Subscribing…';
    return { key, tone: 'info', label, detail: null, live: false };
  }
  const notice = state.notice && now - state.notice.at < NOTICE_MS ? state.notice : null;
  if (notice?.kind === 'reloaded') {
    return {
      key: 'reloaded',
      tone: 'warn',
      label: 'Reloaded: some events were missed',
      detail: 'the screen was reloaded from the server',
      live: true,
    };
  }
  if (notice?.kind === 'recovered') {
    const n = notice.count;
    return {
      key: 'recovered',
      tone: 'ok',
      label: 'Recovered',
      detail: `${n} missed event${n === 1 ? '' : 's'} replayed`,
      live: true,
    };
  }
  return { key: 'connected', tone: 'ok', label: 'Connected', detail: null, live: true };
}

function attemptText(state: ConnectionState): string | null {
  return state.attempt > 1 ? `attempt ${state.attempt}` : null;
}

/** Words for the close codes a person may see under "Reconnecting…" (see docs/hub-protocol.md). */
const CLOSE_WORDS: Record<number, string> = {
  1000: 'closed',
  1006: 'connection lost',
  1009: 'message too big',
  1011: 'server error',
  1012: 'server restarting',
  4000: 'protocol error',
  4001: 'not signed in',
  4002: 'pairing expired',
  4003: 'this screen was revoked',
  4004: 'integrity check failed',
  4005: 'handshake timed out',
  4008: 'too slow, catching up',
  4029: 'too many messages',
  4601: 'hub key does not match the pinned key',
  4602: 'hub sent a damaged message',
  4603: 'no answer from the hub',
  4604: 'hub broke the protocol',
};

export function closeReason(code: number, reason: string | undefined): string {
  if (reason) return reason;
  return CLOSE_WORDS[code] ?? `closed (${code})`;
}
