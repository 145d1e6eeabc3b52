import { fromBase64, toBase64Url } from './wire/bytes.ts';
import { CloseCode } from './wire/close-codes.ts';
import { decodePlain, decodeTopicHeader, encodePlain, frameType, parseJson, WireError } from './wire/codec.ts';
import { FrameType, Labels, PROTOCOL_VERSION, SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from './wire/constants.ts';
import {
  deriveSessionSecrets,
  type EphemeralKey,
  generateEphemeral,
  type PinnedKey,
  SealedReceiver,
  SealedSender,
  verifyTranscript,
} from './wire/crypto.ts';
import {
  type ClientMessage,
  type ServerMessage,
  serverMessageSchema,
  type Welcome,
  welcomeSchema,
} from './wire/messages.ts';

/** The part of the WebSocket API the SDK uses: the browser's, or `ws` in Node. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

export interface ConnectionOptions {
  url: string;
  token: string;
  tokenTransport: 'message' | 'subprotocol';
  pinned: PinnedKey[];
  WebSocket: WebSocketConstructor;
  rekeyAfter?: number;
  agent?: string;
  /** sees every binary message before it is handled (tests, diagnostics) */
  onRawFrame?: (bytes: Uint8Array) => void;
}

export type TopicFrame = ReturnType<typeof decodeTopicHeader>;

export interface ConnectionHandlers {
  welcome(welcome: Welcome): void;
  message(message: ServerMessage): Promise<void> | void;
  frame(frame: TopicFrame): Promise<void> | void;
  closed(code: number, reason: string): void;
}

/**
 * One WebSocket session: hello → verify the signed welcome against the pinned keys → session
 * keys → sealed messages both ways. Everything received is handled strictly in arrival order.
 */
export class HubConnection {
  #ws: WebSocketLike | undefined;
  #ephemeral: EphemeralKey | undefined;
  #sender: SealedSender | undefined;
  #receiver: SealedReceiver | undefined;
  #chain: Promise<void> = Promise.resolve();
  #outbox: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(
    private readonly options: ConnectionOptions,
    private readonly handlers: ConnectionHandlers,
  ) {}

  get handshaken(): boolean {
    return this.#sender !== undefined;
  }

  async open(): Promise<void> {
    this.#ephemeral = await generateEphemeral();
    const protocols = [SUBPROTOCOL];
    if (this.options.tokenTransport === 'subprotocol') protocols.push(TOKEN_SUBPROTOCOL_PREFIX + this.options.token);
    const ws = new this.options.WebSocket(this.options.url, protocols);
    this.#ws = ws;
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      const hello = {
        t: 'hello' as const,
        v: PROTOCOL_VERSION,
        clientKey: toBase64Url(this.#ephemeral!.publicRaw),
        ...(this.options.tokenTransport === 'message' ? { token: this.options.token } : {}),
        ...(this.options.agent ? { agent: this.options.agent } : {}),
      };
      ws.send(encodePlain(hello));
    };
    ws.onmessage = (event) => {
      const bytes = toBytes(event.data);
      if (!bytes) return this.close(CloseCode.serverProtocolError, 'text frame');
      this.options.onRawFrame?.(bytes);
      this.#chain = this.#chain.then(() => this.#receive(bytes)).catch((error) => this.#fail(error));
    };
    ws.onclose = (event) => this.#finish(event.code, event.reason);
    ws.onerror = () => {
      // a close event follows; nothing else to do here
    };
  }

  /** Seals and sends in call order. */
  send(message: ClientMessage): void {
    const sender = this.#sender;
    if (!sender || this.#closed) return;
    const sealing = sender.seal(new TextEncoder().encode(JSON.stringify(message)));
    this.#outbox = this.#outbox
      .then(async () => {
        const frame = await sealing;
        if (!this.#closed) this.#ws?.send(frame);
      })
      .catch(() => undefined);
  }

  /** Sends raw bytes as they are (tests use it to play a misbehaving client). */
  sendRaw(bytes: Uint8Array): void {
    if (!this.#closed) this.#ws?.send(bytes);
  }

  close(code: number, reason: string): void {
    if (this.#closed) return;
    try {
      this.#ws?.close(code, reason);
    } catch {
      this.#ws?.close();
    }
    this.#finish(code, reason);
  }

  #finish(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.handlers.closed(code, reason);
  }

  async #receive(bytes: Uint8Array): Promise<void> {
    if (this.#closed) return;
    const type = frameType(bytes);
    if (!this.#receiver) {
      if (type !== FrameType.plain) throw new WireError('bad_message', 'expected welcome');
      return this.#welcome(decodePlain(bytes));
    }
    if (type === FrameType.topic) return this.handlers.frame(decodeTopicHeader(bytes));
    if (type !== FrameType.sealed) throw new WireError('bad_message', 'plain message after the handshake');
    const parsed = serverMessageSchema.safeParse(parseJson(await this.#receiver.open(bytes)));
    if (!parsed.success) throw new WireError('bad_message', parsed.error.issues[0]?.message ?? 'invalid message');
    await this.handlers.message(parsed.data);
  }

  async #welcome(json: unknown): Promise<void> {
    const parsed = welcomeSchema.safeParse(json);
    if (!parsed.success) throw new WireError('bad_message', 'malformed welcome');
    const welcome = parsed.data;
    const transcript = {
      clientKey: this.#ephemeral!.publicRaw,
      serverKey: fromBase64(welcome.serverKey),
      sessionId: fromBase64(welcome.sessionId),
    };
    const signature = fromBase64(welcome.signature);
    if (!(await verifyTranscript(this.options.pinned, signature, transcript))) {
      return this.close(CloseCode.pinningFailed, 'server key not pinned');
    }
    const secrets = await deriveSessionSecrets(this.#ephemeral!.privateKey, transcript.serverKey, transcript);
    this.#ephemeral = undefined;
    this.#receiver = new SealedReceiver(secrets, Labels.serverToClient);
    this.#sender = new SealedSender(secrets, Labels.clientToServer, this.options.rekeyAfter);
    this.handlers.welcome(welcome);
  }

  #fail(error: unknown): void {
    if (this.#closed) return;
    const integrity = error instanceof WireError && (error.code === 'bad_counter' || error.code === 'auth_failed');
    this.close(
      integrity ? CloseCode.serverIntegrityFailure : CloseCode.serverProtocolError,
      error instanceof WireError ? error.code : 'client error',
    );
  }
}

function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}
