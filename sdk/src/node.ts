import { createDecipheriv } from 'node:crypto';
import { nonceFrom, WireError } from './wire/codec.ts';
import { TAG_BYTES } from './wire/constants.ts';
import { checkTopicKey, type TopicCipher } from './wire/crypto.ts';

export type { TopicCipher } from './wire/crypto.ts';

/**
 * Topic frames opened with node:crypto: the same AES-256-GCM as the WebCrypto default (same
 * nonce, same AAD, same rejection), synchronous and without WebCrypto's per-call job, so a Node
 * program that follows many topics (a kiosk bridge, a printer service, the benchmarks' terminal
 * fleets) spends about a tenth of the CPU per frame. Node only: browsers keep the default.
 */
export const nodeTopicCipher = {
  importKey(raw: Uint8Array): Buffer {
    checkTopicKey(raw);
    return Buffer.from(raw);
  },
  open(key: Buffer, frame: { header: Uint8Array; body: Uint8Array }, topicBytes: Uint8Array): Uint8Array {
    if (frame.body.length < TAG_BYTES) throw new WireError('auth_failed', 'topic frame failed authentication');
    const decipher = createDecipheriv('aes-256-gcm', key, nonceFrom(frame.header.subarray(6)), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(frame.header);
    decipher.setAAD(topicBytes);
    decipher.setAuthTag(frame.body.subarray(frame.body.length - TAG_BYTES));
    const head = decipher.update(frame.body.subarray(0, frame.body.length - TAG_BYTES));
    try {
      const tail = decipher.final();
      return tail.length === 0 ? head : Buffer.concat([head, tail]);
    } catch {
      throw new WireError('auth_failed', 'topic frame failed authentication');
    }
  },
} satisfies TopicCipher<Buffer>;
