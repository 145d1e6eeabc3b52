/**
 * Every WebSocket close code the hub protocol uses, in one table. The hub sends 1xxx/40xx/41xx;
 * the SDK closes with 46xx when it detects a problem on the server's side of the connection.
 * `retry` tells a client whether reconnecting (with backoff) can help.
 */
export const CloseCode = {
  normal: 1000,
  /** draining: stop using this instance, reconnect (to another) after the first backoff step only */
  serviceRestart: 1012,
  /** unexpected server failure */
  internalError: 1011,
  /** a client message larger than the advertised maxMessageBytes */
  messageTooBig: 1009,
  /** garbage, wrong version byte, unknown or out-of-order message */
  protocolError: 4000,
  /** missing, malformed or unverifiable token */
  unauthenticated: 4001,
  /** the token expired during the session */
  tokenExpired: 4002,
  /** the terminal or token was revoked */
  revoked: 4003,
  /** a sealed client message failed authentication or its counter was replayed/out of order */
  integrityFailure: 4004,
  /** no hello within the handshake timeout */
  handshakeTimeout: 4005,
  /** the terminal could not keep up: backpressure limit reached, reconnect and recover */
  slowConsumer: 4008,
  /** too many client messages per second */
  rateLimited: 4029,
  /** SDK: the server's signature did not verify against any pinned key */
  pinningFailed: 4601,
  /** SDK: a sealed server message failed authentication or arrived out of order */
  serverIntegrityFailure: 4602,
  /** SDK: no pong within the timeout */
  pongTimeout: 4603,
  /** SDK: the server broke the protocol (malformed message) */
  serverProtocolError: 4604,
} as const;

export type CloseCodeName = keyof typeof CloseCode;

/** Codes after which reconnecting with the same credentials cannot succeed. */
export const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.unauthenticated,
  CloseCode.revoked,
  CloseCode.pinningFailed,
]);

export function closeCodeName(code: number): CloseCodeName | 'unknown' {
  for (const [name, value] of Object.entries(CloseCode)) if (value === code) return name as CloseCodeName;
  return 'unknown';
}
