import { importTopicKey, openTopicFrame, sealTopicFrame, utf8 } from '@commerce/sdk/wire';
import { VECTOR } from '@commerce/sdk/wire/test-vectors';
import { describe, expect, it } from 'vitest';
import { sealTopicFrameSync } from './topic-sealer.ts';

describe('sealTopicFrameSync', () => {
  it('produces exactly the bytes of the WebCrypto sealer, which the SDK opens', async () => {
    const key = await importTopicKey(VECTOR.topicKey);
    const topic = utf8(VECTOR.topic);
    for (const [seq, count, text] of [
      [1, 1, '[{}]'],
      [2 ** 40, 2, '[{"a":"ü"},{}]'],
      [7, 1, `["${'x'.repeat(5000)}"]`],
    ] as const) {
      const header = { topicId: 3, keyId: 0xfffffffe, counter: seq % 1000, epoch: 'ep-1', seq, count };
      const sync = sealTopicFrameSync(VECTOR.topicKey, header, topic, utf8(text));
      const web = await sealTopicFrame(key, header, topic, utf8(text));
      expect(Buffer.from(sync).equals(Buffer.from(web))).toBe(true);
      const { decodeTopicHeader } = await import('@commerce/sdk/wire');
      expect(new TextDecoder().decode(await openTopicFrame(key, decodeTopicHeader(sync), topic))).toBe(text);
    }
  });
});
