import cliProgress from 'cli-progress';

/** A progress bar on a terminal, a few plain lines otherwise (CI logs, pipes). */
export function progressReporter(label: string) {
  const tty = process.stdout.isTTY === true;
  const bar = tty
    ? new cliProgress.SingleBar(
        { format: `${label} [{bar}] {percentage}% | {value}/{total} {stage}`, hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : null;
  let started = false;
  let lastPrinted = -1;
  return {
    update(done: number, total: number, stage: string) {
      if (bar) {
        if (!started) bar.start(total, 0, { stage });
        started = true;
        bar.update(done, { stage });
        return;
      }
      const pct = Math.floor((done / total) * 100);
      if (pct >= lastPrinted + 25 || done === total) {
        lastPrinted = pct;
        console.log(`${label}: ${done}/${total} (${pct}%) ${stage}`);
      }
    },
    stop() {
      if (started) bar?.stop();
    },
  };
}
