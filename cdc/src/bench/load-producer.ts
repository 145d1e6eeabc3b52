/**
 * The latency run's load, in its own process so it does not share cdc's event loop: `rate`
 * single-row commits per second on an open-loop schedule (a late commit does not delay the next
 * one's slot). Commit i sets a level's on_hand to BASE + i; its send and commit-acknowledged times go to stdout as one JSON
 * line at the end, so the bench can match each published event to its commit.
 * argv: <databaseUrl> <rate> <seconds> <comma-separated level ids>
 */
import postgres from 'postgres';
import { nowMs, ON_HAND_BASE } from './stats.ts';

const [databaseUrl, rateArg, secondsArg, levelsArg] = process.argv.slice(2);
const rate = Number(rateArg);
const total = Math.round(rate * Number(secondsArg));
const levels = (levelsArg ?? '').split(',');
const sql = postgres(databaseUrl!, { max: 8, onnotice: () => {} });

await sql`select 1`;
const sentAt: number[] = new Array(total);
const ackedAt: number[] = new Array(total);
const inFlight: Array<Promise<unknown>> = [];
let failed = 0;
const start = nowMs() + 50;
for (let i = 0; i < total; i++) {
  const due = start + (i * 1000) / rate;
  const wait = due - nowMs();
  if (wait > 1) await new Promise((r) => setTimeout(r, wait));
  sentAt[i] = nowMs();
  inFlight.push(
    sql`update inventory_levels set on_hand = ${ON_HAND_BASE + i} where id = ${levels[i % levels.length]!}`.then(
      () => {
        ackedAt[i] = nowMs();
      },
      () => {
        failed++;
      },
    ),
  );
}
await Promise.all(inFlight);
const elapsed = (nowMs() - start) / 1000;
process.stdout.write(`${JSON.stringify({ sentAt, ackedAt, failed, elapsedS: elapsed })}\n`);
await sql.end();
