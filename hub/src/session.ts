import type { Principal } from '@commerce/common';
import { type SealedReceiver, type SealedSender, type ServerMessage, utf8 } from '@commerce/sdk/wire';
import type { Bucket } from './rate-limit.ts';
import type { TopicChannel } from './topic-channel.ts';
import type { Conn } from './transport.ts';

export type SessionPhase = 'hello' | 'handshaking' | 'open' | 'closing';

export interface SessionCrypto {
  sender: SealedSender;
  receiver: SealedReceiver;
}

let nextSessionNo = 1;

/**
 * One terminal connection. Sealed messages leave strictly in counter order through `outbox`;
 * client messages are handled one at a time through `inbox`, in arrival order.
 */
export class Session {
  readonly no = nextSessionNo++;
  phase: SessionPhase = 'hello';
  principal: Principal | undefined;
  crypto: SessionCrypto | undefined;
  /** topics this session is subscribed to, with their channels */
  readonly topics = new Map<string, TopicChannel>();
  /** topics whose subscription is being set up (they count against the limit already) */
  readonly joining = new Set<string>();
  readonly bucket: Bucket;
  inbox: Promise<void> = Promise.resolve();
  #outbox: Promise<unknown> = Promise.resolve();

  constructor(
    readonly conn: Conn,
    readonly openedAt: number,
    /** a token offered as the `bearer.<jwt>` subprotocol, used if hello carries none */
    readonly protocolToken: string | undefined,
    burst: number,
  ) {
    this.bucket = { tokens: burst, at: openedAt };
  }

  get open(): boolean {
    return this.phase === 'open' && !this.conn.closed;
  }

  /**
   * Seals and sends one control message after every earlier one. Resolves true once handed to the
   * socket, false if the session is gone or the socket dropped it.
   */
  sendSealed(message: ServerMessage): Promise<boolean> {
    const crypto = this.crypto;
    if (!crypto || this.conn.closed) return Promise.resolve(false);
    const sealing = crypto.sender.seal(utf8(JSON.stringify(message)));
    const sent = this.#outbox.then(async () => {
      const frame = await sealing;
      return !this.conn.closed && this.conn.send(frame);
    });
    this.#outbox = sent.catch(() => false);
    return sent;
  }
}
