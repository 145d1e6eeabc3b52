/**
 * Wire constants of hub protocol version 2; docs/hub-protocol.md is the prose version of this file.
 * Version 2 changed one thing from 1: a topic frame carries a run of consecutive events (count in
 * the header), sealed together, instead of exactly one.
 */
export const PROTOCOL_VERSION = 2;

/** Offered in Sec-WebSocket-Protocol; the server selects it (never echoes a token). */
export const SUBPROTOCOL = 'commerce-hub.v2';
/** Prefix of the optional second subprotocol value that carries the token: `bearer.<jwt>`. */
export const TOKEN_SUBPROTOCOL_PREFIX = 'bearer.';

/** Second byte of every binary message. */
export const FrameType = {
  /** handshake JSON in clear: hello (client) and welcome (server) */
  plain: 0x01,
  /** control JSON sealed with the sender's session key */
  sealed: 0x02,
  /** a topic event sealed once with the topic key, identical bytes for every subscriber */
  topic: 0x03,
} as const;

export const SEALED_HEADER_BYTES = 10;
/** topic frame header without the epoch: version, type, topicId, keyId, counter, epoch length, seq, count */
export const TOPIC_FIXED_HEADER_BYTES = 25;
/** most events in one topic frame (the u16 count) */
export const MAX_EVENTS_PER_FRAME = 0xffff;
export const TAG_BYTES = 16;
export const MAX_EPOCH_BYTES = 64;

/** Sizes of the key material on the wire. */
export const PUBLIC_KEY_BYTES = 65; // uncompressed P-256 point 0x04 ‖ X ‖ Y
export const SESSION_ID_BYTES = 16;
export const SIGNATURE_BYTES = 64; // ECDSA P-256 r ‖ s
export const TOPIC_KEY_BYTES = 32;

/** Domain-separation labels, encoded as UTF-8 (unchanged since version 1; the signed transcript carries the version byte). */
export const Labels = {
  signature: 'commerce-hub/v1 server-hello',
  salt: 'commerce-hub/v1 salt',
  clientToServer: 'commerce-hub/v1 c2s',
  serverToClient: 'commerce-hub/v1 s2c',
} as const;

/** A sender moves its session key to the next generation after this many sealed messages. */
export const DEFAULT_REKEY_AFTER = 1 << 24;
/** Hard ceiling of messages under one key (the u32 counter), never reached with sane rekey settings. */
export const MAX_COUNTER = 0xffff_ffff;
