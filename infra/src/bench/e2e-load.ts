import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { seededRandom } from '../seed/random.ts';
import { startArrivals } from '../simulate/arrivals.ts';
import { type LoadCommand, type LoadReport, now, type OrderRecord, parseServerTiming } from './e2e-protocol.ts';

/**
 * The benchmark's order load, in its own process: POS orders through the api at a fixed open-loop
 * rate (Poisson arrivals), 1..6 random menu lines, every branch, over keep-alive HTTP/1.1. Each order's send time and 201
 * time are kept for the join with the terminals' decrypt times.
 */
const send = (report: LoadReport) => process.send!(report);

// node:http with keep-alive rather than fetch: the load generator shares the machine's cores with
// the system under test, and undici's fetch costs several times more CPU per request
const agent = new Agent({ keepAlive: true, maxSockets: 128 });

function post(
  url: URL,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string; timing: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) }, timeout: 60_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            timing: [res.headers['server-timing'] ?? []].flat().join(', ') || undefined,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    // a reset on a kept-alive connection (reusedSocket) before any answer: the api closed it as idle
    req.on('error', (error) => reject(Object.assign(error, { reusedSocket: req.reusedSocket })));
    req.end(body);
  });
}

/**
 * A keep-alive connection the api closed as idle just when it was reused fails with ECONNRESET
 * (or EPIPE) before any answer: what a POS does then is send the same request again with the same
 * Idempotency-Key, which the api applies at most once. The order's time still counts from the
 * first attempt.
 */
async function postRetrying(
  url: URL,
  body: string,
  headers: Record<string, string>,
  onRetry: () => void,
): ReturnType<typeof post> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await post(url, body, headers);
    } catch (error) {
      const { code, reusedSocket } = error as { code?: string; reusedSocket?: boolean };
      if (attempt >= 3 || !reusedSocket || (code !== 'ECONNRESET' && code !== 'EPIPE')) throw error;
      onRetry();
    }
  }
}

async function run(command: Extract<LoadCommand, { cmd: 'run' }>): Promise<void> {
  const rnd = seededRandom(command.seed);
  const orders: OrderRecord[] = [];
  const failures: Record<string, number> = {};
  let failed = 0;
  let retried = 0;
  let maxInFlight = 0;
  const inflight = new Set<Promise<void>>();
  const started = now();
  const measureFrom = started + command.warmupMs;
  const url = new URL(`${command.apiUrl}/orders`);
  const place = async () => {
    const branch = rnd.pick(command.branches);
    const lines = rnd.sample(command.menu, rnd.int(1, 6));
    const body = JSON.stringify({
      channel: 'pos',
      branch_id: branch.branchId,
      lines: lines.map((l) => ({ variant_id: l.variantId, quantity: 1 })),
    });
    const sentAt = now();
    const headers = {
      authorization: `Bearer ${branch.posToken}`,
      'content-type': 'application/json',
      'idempotency-key': randomUUID(),
    };
    try {
      const response = await postRetrying(url, body, headers, () => retried++);
      const text = response.body;
      const ackAt = now();
      if (response.status !== 201) {
        failed++;
        const label = `${response.status} ${text.slice(0, 120)}`;
        failures[label] = (failures[label] ?? 0) + 1;
        return;
      }
      const order = JSON.parse(text) as { id: string };
      const codes = new Set(lines.map((l) => l.stationCode).filter((c): c is string => c !== null));
      const stationIds = [...codes].map((code) => branch.stations[code]).filter((id): id is string => !!id);
      orders.push({
        id: order.id,
        branchId: branch.branchId,
        stationIds,
        sentAt,
        ackAt,
        measured: sentAt >= measureFrom,
        server: parseServerTiming(response.timing),
      });
    } catch (error) {
      failed++;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const label = `${(error as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}`;
      failures[label] = (failures[label] ?? 0) + 1;
    }
  };
  const arrivals = startArrivals(command.ratePerS, rnd.next, () => {
    const task: Promise<void> = place().finally(() => inflight.delete(task));
    inflight.add(task);
    maxInFlight = Math.max(maxInFlight, inflight.size);
  });
  await new Promise((r) => setTimeout(r, command.warmupMs + command.durationMs));
  arrivals.stop();
  await Promise.all(inflight);
  const measured = orders.filter((o) => o.measured).length;
  send({
    type: 'done',
    orders,
    failed,
    retried,
    failures,
    achievedPerS: measured / (command.durationMs / 1000),
    maxInFlight,
  });
}

process.on('message', (command: LoadCommand) => {
  if (command.cmd === 'run') run(command).catch((error) => send({ type: 'failed', message: String(error) }));
  else process.exit(0);
});
process.on('disconnect', () => process.exit(0));
