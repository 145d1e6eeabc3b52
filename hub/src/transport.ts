/**
 * What the protocol core needs from the WebSocket server, so the core runs without uWS in tests.
 * uws-adapter.ts implements it over uWebSockets.js; memory-transport.ts in-process.
 */
export interface Conn {
  /** false if the message was dropped (backpressure limit) or the connection is closed */
  send(bytes: Uint8Array): boolean;
  subscribe(topic: string): void;
  unsubscribe(topic: string): void;
  /** close with a code from CloseCode; safe to call twice */
  close(code: number, reason: string): void;
  readonly closed: boolean;
}

export interface Fanout {
  /** the same bytes to every connection subscribed to the topic on this instance */
  publish(topic: string, bytes: Uint8Array): void;
  subscriberCount(topic: string): number;
}
