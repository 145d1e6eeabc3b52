/**
 * PINs are short: after a few wrong tries an account is locked for a while (per process; enough
 * to make guessing from one api instance useless, and it resets on success).
 */
export interface LoginThrottle {
  /** ms until the key may try again, 0 when allowed */
  retryAfterMs(key: string): number;
  fail(key: string): void;
  succeed(key: string): void;
}

export function createLoginThrottle(
  maxFailures = 5,
  windowMs = 15 * 60_000,
  now: () => number = Date.now,
): LoginThrottle {
  const failures = new Map<string, { count: number; since: number }>();
  return {
    retryAfterMs(key) {
      const entry = failures.get(key);
      if (!entry) return 0;
      const left = entry.since + windowMs - now();
      if (left <= 0) {
        failures.delete(key);
        return 0;
      }
      return entry.count >= maxFailures ? left : 0;
    },
    fail(key) {
      const entry = failures.get(key);
      if (entry && entry.since + windowMs > now()) entry.count += 1;
      else failures.set(key, { count: 1, since: now() });
      if (failures.size > 100_000) failures.delete(failures.keys().next().value!);
    },
    succeed(key) {
      failures.delete(key);
    },
  };
}
