/**
 * The KDS timer: time since the order, and its colour. Defaults are the common kitchen ones
 * (yellow at 5 minutes, red at 8); each screen can change them.
 */
export interface TimerThresholds {
  warnAfterMs: number;
  lateAfterMs: number;
}

export const DEFAULT_THRESHOLDS: TimerThresholds = { warnAfterMs: 5 * 60_000, lateAfterMs: 8 * 60_000 };

export type Urgency = 'ok' | 'warn' | 'late';

export function urgency(elapsedMs: number, thresholds: TimerThresholds = DEFAULT_THRESHOLDS): Urgency {
  if (elapsedMs >= thresholds.lateAfterMs) return 'late';
  if (elapsedMs >= thresholds.warnAfterMs) return 'warn';
  return 'ok';
}

/** A clock skewed ahead of the server must not show negative time. */
export function elapsedSince(startMs: number, nowMs: number): number {
  return Math.max(0, nowMs - startMs);
}

/** `m:ss` under an hour, `h:mm:ss` after. */
export function formatElapsed(ms: number): string {
  const total = Math.floor(Math.max(0, ms) / 1000);
  const s = total % 60;
  const m = Math.floor(total / 60) % 60;
  const h = Math.floor(total / 3600);
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * Thresholds from minutes as a person types them (settings form, `?warn=5&late=8`). Invalid input
 * falls back to the defaults rather than leaving a screen without colours.
 */
export function thresholdsFromMinutes(warn: unknown, late: unknown, fallback = DEFAULT_THRESHOLDS): TimerThresholds {
  const w = toMinutes(warn);
  const l = toMinutes(late);
  const warnAfterMs = w === null ? fallback.warnAfterMs : w * 60_000;
  const lateAfterMs = l === null ? fallback.lateAfterMs : l * 60_000;
  if (lateAfterMs <= warnAfterMs) return fallback;
  return { warnAfterMs, lateAfterMs };
}

function toMinutes(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) && n > 0 && n <= 24 * 60 ? n : null;
}
