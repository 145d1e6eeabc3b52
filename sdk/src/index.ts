import { HubClient } from './client.ts';
import type { HubClientOptions } from './client-types.ts';

export type {
  ConnectionState,
  HubClientEvents,
  HubClientOptions,
  HubEvent,
  RejectReason,
} from './client-types.ts';
export type { WebSocketConstructor, WebSocketLike } from './connection.ts';
export { CloseCode, closeCodeName } from './wire/close-codes.ts';
export type { NotRecoveredReason, Position, RefusalReason } from './wire/messages.ts';
export { HubClient };

export function createHubClient(options: HubClientOptions): HubClient {
  return new HubClient(options);
}
