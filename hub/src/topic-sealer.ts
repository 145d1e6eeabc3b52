import { createCipheriv } from 'node:crypto';
import { encodeTopicHeader, type TopicFrameHeader } from '@commerce/sdk/wire';

/**
 * Seals a topic frame with node:crypto, synchronously. Byte for byte what the wire module's
 * WebCrypto `sealTopicFrame` produces (a test pins that), but without WebCrypto's per-call job and
 * thread-pool hop: this runs once per event on the publish path, so it stays synchronous and cheap.
 * Session crypto (handshake, sealed control messages) stays on WebCrypto, shared with the SDK.
 */
export function sealTopicFrameSync(
  rawKey: Uint8Array,
  header: TopicFrameHeader,
  topicBytes: Uint8Array,
  plaintext: Uint8Array,
): Buffer {
  const head = encodeTopicHeader(header);
  const nonce = Buffer.alloc(12);
  nonce.set(head.subarray(6, 14));
  const cipher = createCipheriv('aes-256-gcm', rawKey, nonce);
  // AAD = header ‖ topic, fed in two parts (GCM takes AAD incrementally before any data)
  cipher.setAAD(head);
  cipher.setAAD(topicBytes);
  const body = cipher.update(plaintext);
  cipher.final();
  const frame = Buffer.allocUnsafe(head.length + body.length + 16);
  frame.set(head, 0);
  frame.set(body, head.length);
  cipher.getAuthTag().copy(frame, head.length + body.length);
  return frame;
}
