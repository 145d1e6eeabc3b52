import { createTokenVerifier } from '@commerce/common';
import { importSigningKey, toPem } from '@commerce/sdk/wire';
import { benchEvent, type Mode, now, type ServerCommand, type ServerReport } from './bench-protocol.ts';
import { type BenchServer, encryptedServer, plainServer, wsBaselineServer } from './bench-servers.ts';

/**
 * One benchmark server in its own process (so its CPU and RSS are its own). Publishes on command:
 * as fast as the clients' acknowledged progress allows (a window of unacknowledged events), or at
 * a fixed rate, for a duration.
 */
const mode = process.argv[2] as Mode;
const env = JSON.parse(process.env.BENCH_KEYS ?? '{}') as { authPublicPem: string; signingKeyPem: string };
const send = (report: ServerReport) => process.send!(report);

let server: BenchServer;
if (mode === 'plain') server = await plainServer();
else if (mode === 'ws') server = await wsBaselineServer();
else {
  const verify = await createTokenVerifier({ publicKeyPem: env.authPublicPem, issuer: 'bench', audience: 'bench' });
  server = await encryptedServer(verify, env.signingKeyPem, mode === 'encrypted-single' ? 1 : undefined);
}
const signing = await importSigningKey(env.signingKeyPem);
send({ type: 'ready', port: server.port, spkiPem: toPem(signing.spki, 'PUBLIC KEY') });

let seq = 0;
const BURST = 32;
let acked = 0;
let publishing:
  | {
      until: number;
      window: number;
      ratePerS: number;
      firstAt: number;
      started: number;
      startSeq: number;
      cpu: NodeJS.CpuUsage;
    }
  | undefined;

let timer: ReturnType<typeof setTimeout> | ReturnType<typeof setImmediate> | undefined;
let waitingForAck = false;
function schedule(delayMs: number): void {
  if (timer) return;
  const run = () => {
    timer = undefined;
    pump();
  };
  timer = delayMs <= 0 ? setImmediate(run) : setTimeout(run, delayMs);
}

/** Publishes what is due and allowed, then sleeps until the next event is due or an ack opens the window. */
function pump(): void {
  const run = publishing;
  if (!run) return;
  waitingForAck = false;
  const t = now();
  if (t >= run.until) {
    publishing = undefined;
    const cpu = process.cpuUsage(run.cpu);
    send({
      type: 'published',
      count: seq,
      firstAt: run.firstAt,
      lastAt: t,
      cpuMs: (cpu.user + cpu.system) / 1000,
      sysMs: cpu.system / 1000,
    });
    return;
  }
  const paced = run.ratePerS > 0;
  const due = paced ? Math.floor(((t - run.started) / 1000) * run.ratePerS) : Number.POSITIVE_INFINITY;
  // windowed runs publish in bursts of at least BURST events, so every server writes each socket
  // many frames at once whatever its speed (small trickles would cost the terminals more per frame)
  const room = acked + run.window - seq;
  let budget = paced || room >= BURST ? Math.min(64, room) : 0;
  while (budget-- > 0 && seq - run.startSeq < due) {
    seq++;
    if (run.firstAt === 0) run.firstAt = now();
    server.publish(benchEvent(seq), seq);
  }
  if (paced) schedule(Math.max(1, run.started + ((seq - run.startSeq + 1) * 1000) / run.ratePerS - now()));
  else if (acked + run.window - seq >= BURST) schedule(0);
  else {
    waitingForAck = true; // window full: an ack (or the end of the run) wakes us
    schedule(Math.max(1, run.until - now()));
  }
}

process.on('message', async (message: ServerCommand) => {
  switch (message.cmd) {
    case 'publish':
      publishing = {
        until: now() + message.durationMs,
        window: message.window,
        ratePerS: message.ratePerS,
        firstAt: 0,
        started: now(),
        startSeq: seq,
        cpu: process.cpuUsage(),
      };
      pump();
      return;
    case 'ack': {
      const opened = message.min > acked;
      acked = Math.max(acked, message.min);
      if (opened && waitingForAck && timer && publishing && acked + publishing.window - seq >= BURST) {
        clearTimeout(timer as ReturnType<typeof setTimeout>);
        timer = undefined;
        pump();
      }
      return;
    }
    case 'rss': {
      for (let i = 0; i < 3; i++) {
        (globalThis as { gc?: () => void }).gc?.();
        await new Promise((r) => setTimeout(r, 200));
      }
      const usage = process.memoryUsage();
      send({
        type: 'rss',
        rss: usage.rss,
        heapUsed: usage.heapUsed,
        heapTotal: usage.heapTotal,
        external: usage.external,
        connections: server.connections(),
      });
      return;
    }
    case 'stop':
      await server.stop();
      process.exit(0);
  }
});
