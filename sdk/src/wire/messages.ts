import * as z from 'zod/mini';
import { MAX_EPOCH_BYTES, PROTOCOL_VERSION } from './constants.ts';

/**
 * One zod schema per protocol message (version 2). Binary fields are base64url strings; ids are
 * decimal strings; positions are `{ epoch, seq }`.
 */
// zod/mini: the same schemas as zod, tree-shakable, so the browser bundle stays small
const b64 = z.string().check(z.regex(/^[A-Za-z0-9_-]*$/));
const intIn = (min: number, max: number) => z.int().check(z.minimum(min), z.maximum(max));
const text = (min: number, max: number) => z.string().check(z.minLength(min), z.maxLength(max));
const requestId = intIn(0, 2 ** 31 - 1);
const u32 = intIn(0, 0xffff_ffff);

export const positionSchema = z.object({
  epoch: z.string().check(z.maxLength(MAX_EPOCH_BYTES), z.regex(/^[\x21-\x7e]*$/)),
  seq: intIn(0, Number.MAX_SAFE_INTEGER),
});
export type Position = z.infer<typeof positionSchema>;

export const topicNameSchema = text(1, 200);

/**
 * An event's entity: any JSON object (its fields are the event type's business). Checked as one
 * value, not copied key by key as z.record would: every terminal parses every event it receives.
 */
const entitySchema = z.custom<Record<string, unknown>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  { error: 'entity must be an object' },
);

export const domainEventSchema = z.looseObject({
  v: z.literal(1),
  type: z.string(),
  id: z.string(),
  merchantId: z.string(),
  topic: z.string(),
  entity: entitySchema,
  position: z.string(),
  occurredAt: z.nullable(z.number()),
});

// ---- handshake, in clear -------------------------------------------------------------------

export const helloSchema = z.strictObject({
  t: z.literal('hello'),
  v: z.literal(PROTOCOL_VERSION),
  /** the client's ephemeral ECDH P-256 public key, uncompressed (65 bytes) */
  clientKey: b64,
  /** the JWT, unless it was sent as the `bearer.<jwt>` subprotocol */
  token: z.optional(text(1, 8192)),
  /** free text naming the client software, for logs */
  agent: z.optional(text(0, 100)),
});
export type Hello = z.infer<typeof helloSchema>;

export const welcomeSchema = z.strictObject({
  t: z.literal('welcome'),
  v: z.literal(PROTOCOL_VERSION),
  sessionId: b64,
  /** the server's ephemeral ECDH P-256 public key, uncompressed (65 bytes) */
  serverKey: b64,
  /** ECDSA P-256/SHA-256 (r ‖ s) by the pinned long-term key over the transcript (see spec) */
  signature: b64,
  /** base64url SHA-256 of the signing key's SPKI, so a client pinning several keys can name the one used */
  signingKeyId: b64,
  /** ms between client pings the server expects; silence for 2× this closes the session */
  heartbeatMs: intIn(1, 2 ** 31),
  maxMessageBytes: intIn(1, 2 ** 31),
  /** token expiry, ms since epoch */
  expiresAt: z.int(),
  principal: z.object({ kind: z.enum(['staff', 'terminal']), id: z.string(), merchantId: z.string() }),
});
export type Welcome = z.infer<typeof welcomeSchema>;

// ---- client → server, sealed ----------------------------------------------------------------

export const subscribeSchema = z.strictObject({
  t: z.literal('sub'),
  rid: requestId,
  topic: topicNameSchema,
  /** the last position the client saw on this topic; omitted = start at the head */
  since: z.optional(positionSchema),
});
export const unsubscribeSchema = z.strictObject({ t: z.literal('unsub'), rid: requestId, topic: topicNameSchema });
export const pingSchema = z.strictObject({ t: z.literal('ping'), ts: z.number() });
export const reauthSchema = z.strictObject({
  t: z.literal('auth'),
  rid: requestId,
  token: text(1, 8192),
});

export const clientMessageSchema = z.discriminatedUnion('t', [
  subscribeSchema,
  unsubscribeSchema,
  pingSchema,
  reauthSchema,
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

// ---- server → client, sealed ----------------------------------------------------------------

export const REFUSAL_REASONS = [
  'invalid_topic',
  'forbidden_merchant',
  'forbidden_branch',
  'forbidden_station',
  'forbidden_role',
  'too_many_subscriptions',
  'unavailable',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export const NOT_RECOVERED_REASONS = ['epoch_changed', 'trimmed', 'ahead_of_head', 'too_far_behind'] as const;
export type NotRecoveredReason = (typeof NOT_RECOVERED_REASONS)[number];

export const topicKeySchema = z.strictObject({
  t: z.literal('key'),
  topic: topicNameSchema,
  topicId: u32,
  keyId: u32,
  /** the 32-byte AES-256-GCM topic key */
  key: b64,
});

export const replaySchema = z.strictObject({
  t: z.literal('replay'),
  topicId: u32,
  entries: z.array(
    z.object({ epoch: positionSchema.shape.epoch, seq: positionSchema.shape.seq, event: domainEventSchema }),
  ),
});

export const subscribedSchema = z.strictObject({
  t: z.literal('subscribed'),
  rid: requestId,
  topic: topicNameSchema,
  topicId: u32,
  /** position of the last entry that was replayed or that precedes the live stream */
  head: positionSchema,
  /** null when no `since` was sent; otherwise whether exactly the missed entries were replayed */
  recovery: z.nullable(
    z.discriminatedUnion('recovered', [
      z.object({ recovered: z.literal(true), count: intIn(0, Number.MAX_SAFE_INTEGER) }),
      z.object({ recovered: z.literal(false), reason: z.enum(NOT_RECOVERED_REASONS) }),
    ]),
  ),
});

export const refusedSchema = z.strictObject({
  t: z.literal('refused'),
  rid: requestId,
  topic: text(0, 200),
  reason: z.enum(REFUSAL_REASONS),
});

export const unsubscribedSchema = z.strictObject({
  t: z.literal('unsubscribed'),
  rid: z.nullable(requestId),
  topic: topicNameSchema,
  reason: z.enum(['requested', 'access_lost']),
});

export const pongSchema = z.strictObject({ t: z.literal('pong'), ts: z.number() });
export const reauthedSchema = z.strictObject({ t: z.literal('authed'), rid: requestId, expiresAt: z.int() });
export const serverErrorSchema = z.strictObject({
  t: z.literal('error'),
  rid: z.nullable(requestId),
  code: z.string(),
  message: z.string(),
});

export const serverMessageSchema = z.discriminatedUnion('t', [
  topicKeySchema,
  replaySchema,
  subscribedSchema,
  refusedSchema,
  unsubscribedSchema,
  pongSchema,
  reauthedSchema,
  serverErrorSchema,
]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;
export type ServerMessageOf<T extends ServerMessage['t']> = Extract<ServerMessage, { t: T }>;
