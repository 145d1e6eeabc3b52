import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nodeTopicCipher } from './node.ts';
import { utf8 } from './wire/bytes.ts';
import { decodeTopicHeader, WireError } from './wire/codec.ts';
import { importTopicKey, openTopicFrame, sealTopicFrame, webTopicCipher } from './wire/crypto.ts';
import { VECTOR } from './wire/test-vectors.ts';

/** A frame sealed by the WebCrypto code (the reference), split as the client splits it. */
async function sealed(raw: Uint8Array, topic: string, plaintext: Uint8Array, counter: number) {
  const header = { topicId: 7, keyId: 9, counter, epoch: 'e1', seq: 42 + counter, count: 1 };
  const bytes = await sealTopicFrame(await importTopicKey(raw), header, utf8(topic), plaintext);
  return decodeTopicHeader(bytes);
}

describe('nodeTopicCipher', () => {
  it('opens what WebCrypto seals, to the same bytes, for empty to large payloads', async () => {
    const key = nodeTopicCipher.importKey(VECTOR.topicKey);
    const webKey = await webTopicCipher.importKey(VECTOR.topicKey);
    for (const size of [0, 1, 15, 16, 17, 600, 70_000]) {
      const plaintext = randomBytes(size);
      const frame = await sealed(VECTOR.topicKey, VECTOR.topic, plaintext, size);
      const opened = nodeTopicCipher.open(key, frame, utf8(VECTOR.topic));
      expect(Buffer.from(opened).equals(plaintext)).toBe(true);
      expect(Buffer.from(await webTopicCipher.open(webKey, frame, utf8(VECTOR.topic))).equals(plaintext)).toBe(true);
    }
  });

  it('rejects a changed header, body, tag, topic or key with auth_failed, as WebCrypto does', async () => {
    const raw = randomBytes(32);
    const topic = 'm:1:b:2:orders';
    const frame = await sealed(raw, topic, utf8('[{"id":"evt-1"}]'), 3);
    const flip = (bytes: Uint8Array, at: number) => {
      const copy = Uint8Array.from(bytes);
      copy[at]! ^= 0x01;
      return copy;
    };
    const cases = [
      { what: 'header', frame: { header: flip(frame.header, 10), body: frame.body }, topic, raw },
      // the last header byte (the count) is in the AAD only, not in the nonce
      { what: 'count', frame: { header: flip(frame.header, frame.header.length - 1), body: frame.body }, topic, raw },
      { what: 'body', frame: { header: frame.header, body: flip(frame.body, 0) }, topic, raw },
      { what: 'tag', frame: { header: frame.header, body: flip(frame.body, frame.body.length - 1) }, topic, raw },
      { what: 'topic', frame, topic: 'm:1:b:3:orders', raw },
      { what: 'key', frame, topic, raw: randomBytes(32) },
      { what: 'short', frame: { header: frame.header, body: frame.body.subarray(0, 15) }, topic, raw },
    ];
    for (const c of cases) {
      let error: unknown;
      try {
        nodeTopicCipher.open(nodeTopicCipher.importKey(c.raw), c.frame, utf8(c.topic));
      } catch (e) {
        error = e;
      }
      expect(error, c.what).toBeInstanceOf(WireError);
      expect((error as WireError).code, c.what).toBe('auth_failed');
      await expect(openTopicFrame(await importTopicKey(c.raw), c.frame, utf8(c.topic)), c.what).rejects.toMatchObject({
        code: 'auth_failed',
      });
    }
    // and the untouched frame still opens
    expect(new TextDecoder().decode(nodeTopicCipher.open(nodeTopicCipher.importKey(raw), frame, utf8(topic)))).toBe(
      '[{"id":"evt-1"}]',
    );
  });

  it('refuses a key that is not 32 bytes, as the WebCrypto import does', async () => {
    expect(() => nodeTopicCipher.importKey(new Uint8Array(16))).toThrow(/32 bytes/);
    await expect(importTopicKey(new Uint8Array(16))).rejects.toThrow(/32 bytes/);
  });
});
