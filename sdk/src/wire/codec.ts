import { concat, fromUtf8, utf8 } from './bytes.ts';
import {
  FrameType,
  MAX_EPOCH_BYTES,
  MAX_EVENTS_PER_FRAME,
  PROTOCOL_VERSION,
  SEALED_HEADER_BYTES,
  TAG_BYTES,
  TOPIC_FIXED_HEADER_BYTES,
} from './constants.ts';

/** A malformed frame: the receiver closes with protocolError (server) or serverProtocolError (SDK). */
export class WireError extends Error {
  constructor(
    readonly code:
      | 'bad_version'
      | 'bad_type'
      | 'truncated'
      | 'bad_json'
      | 'bad_message'
      | 'bad_epoch'
      | 'bad_counter'
      | 'auth_failed'
      | 'bad_key',
    message: string,
  ) {
    super(message);
    this.name = 'WireError';
  }
}

/** Reads the version and type bytes every frame starts with. */
export function frameType(frame: Uint8Array): number {
  if (frame.length < 2) throw new WireError('truncated', 'frame shorter than its header');
  if (frame[0] !== PROTOCOL_VERSION) throw new WireError('bad_version', `unsupported protocol version ${frame[0]}`);
  const type = frame[1]!;
  if (type !== FrameType.plain && type !== FrameType.sealed && type !== FrameType.topic) {
    throw new WireError('bad_type', `unknown frame type ${type}`);
  }
  return type;
}

export function encodePlain(message: object): Uint8Array {
  return concat(new Uint8Array([PROTOCOL_VERSION, FrameType.plain]), utf8(JSON.stringify(message)));
}

/** JSON of a plain frame, not yet validated against a schema. */
export function decodePlain(frame: Uint8Array): unknown {
  if (frameType(frame) !== FrameType.plain) throw new WireError('bad_type', 'expected a plain frame');
  return parseJson(frame.subarray(2));
}

export function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(fromUtf8(bytes));
  } catch {
    throw new WireError('bad_json', 'frame body is not UTF-8 JSON');
  }
}

// ---- sealed control frames ------------------------------------------------------------------

export interface SealedHeader {
  generation: number;
  counter: number;
}

export function encodeSealedHeader({ generation, counter }: SealedHeader): Uint8Array {
  const header = new Uint8Array(SEALED_HEADER_BYTES);
  const view = new DataView(header.buffer);
  header[0] = PROTOCOL_VERSION;
  header[1] = FrameType.sealed;
  view.setUint32(2, generation);
  view.setUint32(6, counter);
  return header;
}

export function decodeSealedHeader(frame: Uint8Array): SealedHeader & { header: Uint8Array; body: Uint8Array } {
  if (frameType(frame) !== FrameType.sealed) throw new WireError('bad_type', 'expected a sealed frame');
  if (frame.length < SEALED_HEADER_BYTES + TAG_BYTES) throw new WireError('truncated', 'sealed frame too short');
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  return {
    generation: view.getUint32(2),
    counter: view.getUint32(6),
    header: frame.subarray(0, SEALED_HEADER_BYTES),
    body: frame.subarray(SEALED_HEADER_BYTES),
  };
}

// ---- topic event frames ---------------------------------------------------------------------

export interface TopicFrameHeader {
  topicId: number;
  keyId: number;
  counter: number;
  epoch: string;
  /** position of the frame's first event; the i-th event (from 0) is at seq + i */
  seq: number;
  /** events in the frame (1…65535), at consecutive positions of one epoch */
  count: number;
}

const ASCII_EPOCH = /^[\x21-\x7e]+$/;

export function encodeTopicHeader(h: TopicFrameHeader): Uint8Array {
  const epoch = utf8(h.epoch);
  if (epoch.length === 0 || epoch.length > MAX_EPOCH_BYTES || !ASCII_EPOCH.test(h.epoch)) {
    throw new WireError('bad_epoch', 'epoch must be 1..64 printable ASCII bytes');
  }
  if (!Number.isInteger(h.count) || h.count < 1 || h.count > MAX_EVENTS_PER_FRAME) {
    throw new WireError('bad_message', 'a topic frame carries 1..65535 events');
  }
  const header = new Uint8Array(TOPIC_FIXED_HEADER_BYTES + epoch.length);
  const view = new DataView(header.buffer);
  header[0] = PROTOCOL_VERSION;
  header[1] = FrameType.topic;
  view.setUint32(2, h.topicId);
  view.setUint32(6, h.keyId);
  view.setUint32(10, h.counter);
  header[14] = epoch.length;
  header.set(epoch, 15);
  view.setUint32(15 + epoch.length, Math.floor(h.seq / 2 ** 32));
  view.setUint32(19 + epoch.length, h.seq >>> 0);
  view.setUint16(23 + epoch.length, h.count);
  return header;
}

export function decodeTopicHeader(frame: Uint8Array): TopicFrameHeader & { header: Uint8Array; body: Uint8Array } {
  if (frameType(frame) !== FrameType.topic) throw new WireError('bad_type', 'expected a topic frame');
  if (frame.length < TOPIC_FIXED_HEADER_BYTES + 1 + TAG_BYTES)
    throw new WireError('truncated', 'topic frame too short');
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const epochLength = frame[14]!;
  const headerLength = TOPIC_FIXED_HEADER_BYTES + epochLength;
  if (epochLength === 0 || epochLength > MAX_EPOCH_BYTES || frame.length < headerLength + TAG_BYTES) {
    throw new WireError('truncated', 'topic frame header is inconsistent');
  }
  let epoch = '';
  for (let i = 15; i < 15 + epochLength; i++) {
    const c = frame[i]!;
    if (c < 0x21 || c > 0x7e) throw new WireError('bad_epoch', 'epoch is not printable ASCII');
    epoch += String.fromCharCode(c);
  }
  const high = view.getUint32(15 + epochLength);
  const seq = high * 2 ** 32 + view.getUint32(19 + epochLength);
  const count = view.getUint16(23 + epochLength);
  if (count === 0) throw new WireError('bad_message', 'a topic frame carries at least one event');
  if (!Number.isSafeInteger(seq + count - 1)) throw new WireError('truncated', 'seq out of range');
  return {
    topicId: view.getUint32(2),
    keyId: view.getUint32(6),
    counter: view.getUint32(10),
    epoch,
    seq,
    count,
    header: frame.subarray(0, headerLength),
    body: frame.subarray(headerLength),
  };
}

/**
 * A topic frame's plaintext is the JSON array of its `count` events, in position order. Returns
 * them unvalidated (the caller checks each against the event schema).
 */
export function parseTopicEvents(plaintext: Uint8Array, count: number): unknown[] {
  const events = parseJson(plaintext);
  if (!Array.isArray(events) || events.length !== count) {
    throw new WireError('bad_message', 'topic frame body is not an array of its count of events');
  }
  return events;
}

/** GCM nonce: the 8 bytes (generation or key id ‖ counter) followed by four zero bytes. */
export function nonceFrom(idAndCounter: Uint8Array): Uint8Array<ArrayBuffer> {
  const nonce = new Uint8Array(12);
  nonce.set(idAndCounter.subarray(0, 8));
  return nonce;
}
