/**
 * Open-loop arrivals: a Poisson process at `ratePerS`, independent of how fast the system answers
 * (a closed loop would slow down with the system and hide its latency). Arrivals that fell due
 * while the event loop was busy are fired on the next tick, not dropped.
 */
export function startArrivals(ratePerS: number, random: () => number, onArrival: () => void): { stop(): void } {
  if (ratePerS <= 0) return { stop() {} };
  const gapMs = () => (-Math.log(1 - random()) * 1000) / ratePerS;
  let next = performance.now() + gapMs();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    const now = performance.now();
    // bounded burst per tick so a long stall cannot lock the loop
    for (let i = 0; next <= now && i < 10_000; i++) {
      onArrival();
      next += gapMs();
    }
    timer = setTimeout(tick, Math.max(1, Math.min(next - performance.now(), 50)));
  };
  timer = setTimeout(tick, Math.max(1, next - performance.now()));
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
