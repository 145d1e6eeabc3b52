import type { DomainEvent } from '@commerce/common';
import type { WebSocketConstructor } from './connection.ts';
import type { TopicCipher } from './wire/crypto.ts';
import type { NotRecoveredReason, Position, RefusalReason } from './wire/messages.ts';

export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed' | 'failed';

export interface HubClientOptions {
  /** the hub's WebSocket endpoint, e.g. `wss://hub.example.com/ws` (never put the token in it) */
  url: string;
  /** the access token, or a function returning a fresh one for each (re)connect */
  token: string | (() => string | Promise<string>);
  /** pinned public key(s) of the hub's signing key: SPKI PEM or base64 DER */
  serverKeys: Array<string | Uint8Array>;
  /** WebSocket constructor; defaults to globalThis.WebSocket (pass `ws`'s in Node 20) */
  WebSocket?: WebSocketConstructor;
  /** how the token travels: in the hello message (default) or as the `bearer.<jwt>` subprotocol */
  tokenTransport?: 'message' | 'subprotocol';
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number } | false;
  /** override the server's heartbeat for client pings (ms) */
  pingIntervalMs?: number;
  /** session-key generation length (messages); tests use small values */
  rekeyAfter?: number;
  agent?: string;
  /** how topic frames are opened; WebCrypto unless given (`nodeTopicCipher` from `@commerce/sdk/node` in Node) */
  topicCipher?: TopicCipher;
  /** sees every binary message as received (diagnostics and tests) */
  onRawFrame?: (bytes: Uint8Array) => void;
}

export interface HubEvent<E = DomainEvent> {
  topic: string;
  position: Position;
  event: E;
  /** true when it came from history during recovery rather than live */
  replayed: boolean;
}

export type RejectReason = 'tampered' | 'unknown_key' | 'unknown_topic' | 'replayed' | 'bad_event';

export interface HubClientEvents {
  state: { state: ConnectionState; code?: number; reason?: string };
  event: HubEvent;
  subscribed: { topic: string; head: Position };
  recovered: { topic: string; count: number };
  'reload-required': { topic: string; reason: NotRecoveredReason };
  refused: { topic: string; reason: RefusalReason };
  unsubscribed: { topic: string; reason: 'requested' | 'access_lost' };
  /** a frame that failed a check and was dropped (the topic resyncs from history when needed) */
  rejected: { reason: RejectReason; topic?: string };
  /** after a (re)connect, every subscription is confirmed: which recovered and which must reload */
  synced: { recovered: string[]; reloadRequired: string[]; fresh: string[] };
  error: { code: string; message: string; fatal: boolean };
}
