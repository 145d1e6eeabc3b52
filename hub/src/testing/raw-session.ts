import {
  decodePlain,
  deriveSessionSecrets,
  encodePlain,
  FrameType,
  fromBase64,
  generateEphemeral,
  Labels,
  PROTOCOL_VERSION,
  parseJson,
  SealedReceiver,
  SealedSender,
  type ServerMessage,
  SUBPROTOCOL,
  serverMessageSchema,
  toBase64Url,
  utf8,
  welcomeSchema,
} from '@commerce/sdk/wire';
import WebSocket from 'ws';

/**
 * A hand-driven protocol client built only from the wire module: tests use it to hold key material
 * (e.g. the topic key a revoked terminal knew) and to misbehave in ways the SDK never would.
 */
export async function rawSocket(
  url: string,
  protocols: string[] = [SUBPROTOCOL],
  options: WebSocket.ClientOptions = {},
) {
  const ws = new WebSocket(url, protocols, options);
  ws.binaryType = 'nodebuffer';
  const inbox: Uint8Array[] = [];
  let closed: { code: number; reason: string } | undefined;
  ws.on('message', (data: Buffer) => inbox.push(new Uint8Array(data)));
  const closing = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => {
      closed = { code, reason: reason.toString() };
      resolve(closed);
    });
  });
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
  return {
    ws,
    inbox,
    closing,
    get closed() {
      return closed;
    },
    send: (bytes: Uint8Array | string) => ws.send(bytes),
    async next(timeoutMs = 3_000): Promise<Uint8Array> {
      const deadline = Date.now() + timeoutMs;
      while (inbox.length === 0) {
        if (Date.now() > deadline || closed) throw new Error(`no message (closed: ${JSON.stringify(closed)})`);
        await new Promise((r) => setTimeout(r, 5));
      }
      return inbox.shift()!;
    },
  };
}

/** Connects and completes the handshake (signature check skipped: tests pin nothing here). */
export async function rawSession(url: string, token: string, options: WebSocket.ClientOptions = {}) {
  const socket = await rawSocket(url, [SUBPROTOCOL], options);
  const ephemeral = await generateEphemeral();
  socket.send(encodePlain({ t: 'hello', v: PROTOCOL_VERSION, clientKey: toBase64Url(ephemeral.publicRaw), token }));
  const welcome = welcomeSchema.parse(decodePlain(await socket.next()));
  const transcript = {
    clientKey: ephemeral.publicRaw,
    serverKey: fromBase64(welcome.serverKey),
    sessionId: fromBase64(welcome.sessionId),
  };
  const secrets = await deriveSessionSecrets(ephemeral.privateKey, transcript.serverKey, transcript);
  const sender = new SealedSender(secrets, Labels.clientToServer);
  const receiver = new SealedReceiver(secrets, Labels.serverToClient);
  const topicFrames: Uint8Array[] = [];
  const messages: ServerMessage[] = [];
  return {
    socket,
    welcome,
    topicFrames,
    messages,
    async seal(message: object): Promise<Uint8Array> {
      return sender.seal(utf8(JSON.stringify(message)));
    },
    async sendSealed(message: object): Promise<Uint8Array> {
      const frame = await sender.seal(utf8(JSON.stringify(message)));
      socket.send(frame);
      return frame;
    },
    /** Reads until a sealed message of type `t` arrives; topic frames are kept aside. */
    async expect<T extends ServerMessage['t']>(t: T, timeoutMs = 3_000): Promise<Extract<ServerMessage, { t: T }>> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const bytes = await socket.next(Math.max(1, deadline - Date.now()));
        if (bytes[1] === FrameType.topic) {
          topicFrames.push(bytes);
          continue;
        }
        const message = serverMessageSchema.parse(parseJson(await receiver.open(bytes)));
        messages.push(message);
        if (message.t === t) return message as Extract<ServerMessage, { t: T }>;
      }
    },
  };
}
