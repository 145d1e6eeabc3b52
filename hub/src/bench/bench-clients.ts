import {
  decodePlain,
  decodeTopicHeader,
  deriveSessionSecrets,
  encodePlain,
  FrameType,
  fromBase64,
  generateEphemeral,
  importPinnedKey,
  importTopicKey,
  Labels,
  openTopicFrame,
  PROTOCOL_VERSION,
  parseJson,
  parseTopicEvents,
  SealedReceiver,
  SealedSender,
  SUBPROTOCOL,
  serverMessageSchema,
  toBase64Url,
  utf8,
  verifyTranscript,
  welcomeSchema,
} from '@commerce/sdk/wire';
import {
  BENCH_TOPIC,
  type ClientCommand,
  type ClientReport,
  type ClientSetup,
  now,
  topicFrameCount,
} from './bench-protocol.ts';
import { connectRaw, type RawWs } from './raw-ws.ts';

/**
 * A process full of terminals. Every terminal counts the events it receives (a sealed frame says
 * how many it carries in its clear header); probe terminals also decrypt (encrypted modes) or parse
 * (plain) the frame holding every `sampleEvery`-th event, check the order of all its events and
 * record publish→decrypted latency. Encrypted-mode terminals do the real handshake with the pinned key.
 */
interface Terminal {
  ws: RawWs;
  count: number;
  probe: boolean;
  key?: CryptoKey;
  lastSeq: number;
  chain: Promise<void>;
}

const terminals: Terminal[] = [];
const latencies: number[] = [];
let sampleEvery = 0;
let decrypted = 0;
let errors = 0;
let closed = 0;
let lastAt = 0;
/** frames received by this process; `lastAt` is refreshed from it every few ms, not per frame */
let received = 0;
let receivedAtLastTick = 0;
let cpuMark = process.cpuUsage();
const topicBytes = utf8(BENCH_TOPIC);
const send = (report: ClientReport) => process.send!(report);

type BenchEvent = { entity: { seq: number; sentAt: number } };

async function probeFrame(t: Terminal, frame: Uint8Array): Promise<void> {
  try {
    let events: BenchEvent[];
    if (t.key) {
      const header = decodeTopicHeader(frame);
      events = parseTopicEvents(await openTopicFrame(t.key, header, topicBytes), header.count) as BenchEvent[];
    } else {
      events = [JSON.parse(Buffer.from(frame).toString()) as BenchEvent];
    }
    const at = now();
    decrypted++;
    for (const event of events) {
      if (event.entity.seq <= t.lastSeq) errors++;
      t.lastSeq = event.entity.seq;
      if (sampleEvery === 1) latencies.push(at - event.entity.sentAt);
    }
  } catch {
    errors++;
  }
}

/** A frame of `events` events arrived (sealed frames carry their count in the clear header). */
function onFrame(t: Terminal, buf: Buffer, start: number, end: number, events = 1): void {
  const before = t.count;
  t.count += events;
  received += events;
  if (t.probe && sampleEvery > 0 && Math.floor(t.count / sampleEvery) > Math.floor(before / sampleEvery)) {
    const copy = new Uint8Array(buf.subarray(start, end));
    t.chain = t.chain.then(() => probeFrame(t, copy));
  }
}

async function encryptedTerminal(
  setup: ClientSetup,
  probe: boolean,
  pinned: Awaited<ReturnType<typeof importPinnedKey>>,
) {
  const ephemeral = await generateEphemeral();
  const inbox: Buffer[] = [];
  let wake: (() => void) | undefined;
  let terminal: Terminal | undefined;
  const ws = await connectRaw(setup.port, [SUBPROTOCOL], {
    message: (buf, start, end) => {
      if (terminal && buf[start + 1] === FrameType.topic)
        return onFrame(terminal, buf, start, end, topicFrameCount(buf, start));
      inbox.push(Buffer.from(buf.subarray(start, end)));
      wake?.();
    },
    closed: () => closed++,
  });
  const next = async () => {
    for (let i = 0; inbox.length === 0; i++) {
      if (i > 100) throw new Error('handshake timed out');
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 100);
      });
    }
    return new Uint8Array(inbox.shift()!);
  };
  ws.send(
    encodePlain({ t: 'hello', v: PROTOCOL_VERSION, clientKey: toBase64Url(ephemeral.publicRaw), token: setup.token }),
  );
  const welcome = welcomeSchema.parse(decodePlain(await next()));
  const transcript = {
    clientKey: ephemeral.publicRaw,
    serverKey: fromBase64(welcome.serverKey),
    sessionId: fromBase64(welcome.sessionId),
  };
  if (!(await verifyTranscript([pinned], fromBase64(welcome.signature), transcript))) throw new Error('pinning failed');
  const secrets = await deriveSessionSecrets(ephemeral.privateKey, transcript.serverKey, transcript);
  const receiver = new SealedReceiver(secrets, Labels.serverToClient);
  ws.send(
    await new SealedSender(secrets, Labels.clientToServer).seal(
      utf8(JSON.stringify({ t: 'sub', rid: 1, topic: BENCH_TOPIC })),
    ),
  );
  const t: Terminal = { ws, count: 0, probe, lastSeq: 0, chain: Promise.resolve() };
  for (;;) {
    const message = serverMessageSchema.parse(parseJson(await receiver.open(await next())));
    if (message.t === 'key' && probe) t.key = await importTopicKey(fromBase64(message.key));
    if (message.t === 'subscribed') break;
  }
  terminal = t;
  return t;
}

async function simpleTerminal(setup: ClientSetup, probe: boolean): Promise<Terminal> {
  const t: Terminal = { ws: undefined as unknown as RawWs, count: 0, probe, lastSeq: 0, chain: Promise.resolve() };
  let keyed: (() => void) | undefined;
  const ready = setup.mode === 'ws' ? new Promise<void>((resolve) => (keyed = resolve)) : Promise.resolve();
  let first = setup.mode === 'ws';
  t.ws = await connectRaw(setup.port, [SUBPROTOCOL], {
    message: (buf, start, end) => {
      if (first) {
        // the ws baseline hands each socket its own key first (in clear: a benchmark shortcut)
        first = false;
        const { key } = JSON.parse(buf.toString('utf8', start, end)) as { key: string };
        void importTopicKey(fromBase64(key)).then((k) => {
          t.key = k;
          keyed?.();
        });
        return;
      }
      onFrame(t, buf, start, end, setup.mode === 'ws' ? topicFrameCount(buf, start) : 1);
    },
    closed: () => closed++,
  });
  await ready;
  return t;
}

async function connectAll(setup: ClientSetup): Promise<void> {
  const pinned = await importPinnedKey(setup.spkiPem);
  let failed = 0;
  let index = 0;
  const worker = async () => {
    while (index < setup.count) {
      const probe = index++ < setup.probes;
      try {
        terminals.push(
          setup.mode === 'encrypted' || setup.mode === 'encrypted-single'
            ? await encryptedTerminal(setup, probe, pinned)
            : await simpleTerminal(setup, probe),
        );
      } catch (error) {
        if (failed++ === 0) console.error(`terminal failed: ${(error as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 40 }, worker));
  // collect the handshakes' garbage now rather than in the middle of a measured phase
  for (let i = 0; i < 2; i++) (globalThis as { gc?: () => void }).gc?.();
  send({ type: 'connected', count: terminals.length, failed });
  setInterval(() => {
    if (received !== receivedAtLastTick) {
      receivedAtLastTick = received;
      lastAt = now();
    }
    let min = Number.POSITIVE_INFINITY;
    let sum = 0;
    for (const t of terminals) {
      sum += t.count;
      if (t.count < min) min = t.count;
    }
    send({ type: 'progress', min: terminals.length ? min : 0, sum });
  }, 10).unref();
}

process.on('message', async (message: ClientCommand) => {
  switch (message.cmd) {
    case 'connect':
      await connectAll(message);
      return;
    case 'phase':
      sampleEvery = message.sampleEvery;
      latencies.length = 0;
      cpuMark = process.cpuUsage();
      return;
    case 'report': {
      await Promise.all(terminals.map((t) => t.chain));
      if (received !== receivedAtLastTick) lastAt = now();
      let min = Number.POSITIVE_INFINITY;
      let sum = 0;
      for (const t of terminals) {
        sum += t.count;
        min = Math.min(min, t.count);
      }
      const cpu = process.cpuUsage(cpuMark);
      const cpuMs = (cpu.user + cpu.system) / 1000;
      send({
        type: 'report',
        min,
        sum,
        lastAt,
        latencies: latencies.splice(0),
        decrypted,
        errors,
        closed,
        cpuMs,
        sysMs: cpu.system / 1000,
      });
      return;
    }
    case 'close':
      for (const t of terminals) t.ws.close();
      setTimeout(() => process.exit(0), 200);
  }
});
