import { describe, expect, it } from 'vitest';
import { fromBase64, fromPem, toBase64Url, toPem, utf8 } from './bytes.ts';
import { CloseCode, closeCodeName } from './close-codes.ts';
import {
  decodePlain,
  decodeSealedHeader,
  decodeTopicHeader,
  encodePlain,
  encodeTopicHeader,
  parseTopicEvents,
  WireError,
} from './codec.ts';
import { Labels } from './constants.ts';
import {
  deriveSessionSecrets,
  generateEphemeral,
  importPinnedKey,
  importSigningKey,
  importTopicKey,
  openTopicFrame,
  SealedReceiver,
  SealedSender,
  sealTopicFrame,
  signTranscript,
  type Transcript,
  verifyTranscript,
} from './crypto.ts';
import { clientMessageSchema, domainEventSchema, serverMessageSchema } from './messages.ts';
import { VECTOR } from './test-vectors.ts';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const ECDH = { name: 'ECDH', namedCurve: 'P-256' } as const;

async function vectorSession() {
  const importPair = async (jwk: JsonWebKey) => {
    const privateKey = await crypto.subtle.importKey('jwk', jwk, ECDH, false, ['deriveBits']);
    const pub = await crypto.subtle.importKey('jwk', { ...jwk, d: undefined }, ECDH, true, []);
    return { privateKey, publicRaw: new Uint8Array(await crypto.subtle.exportKey('raw', pub)) };
  };
  const client = await importPair(VECTOR.clientEphemeral);
  const server = await importPair(VECTOR.serverEphemeral);
  const t: Transcript = { clientKey: client.publicRaw, serverKey: server.publicRaw, sessionId: VECTOR.sessionId };
  return {
    t,
    clientSecrets: await deriveSessionSecrets(client.privateKey, server.publicRaw, t),
    serverSecrets: await deriveSessionSecrets(server.privateKey, client.publicRaw, t),
  };
}

describe('wire bytes', () => {
  it('round-trips base64url and reads standard base64 and PEM', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
      expect(toBase64Url(bytes)).toBe(Buffer.from(bytes).toString('base64url'));
      expect(fromBase64(Buffer.from(bytes).toString('base64'))).toEqual(bytes);
      expect(fromPem(toPem(bytes, 'PUBLIC KEY'))).toEqual(bytes);
    }
    expect(() => fromBase64('ab$d')).toThrow();
  });
});

describe('frame layouts (pinned)', () => {
  it('lays out a topic frame header byte by byte', () => {
    const fields = { topicId: 1, keyId: 2, counter: 3, epoch: 'ab', seq: 2 ** 32 + 5, count: 300 };
    const header = encodeTopicHeader(fields);
    expect(hex(header)).toBe(
      '0203' + '00000001' + '00000002' + '00000003' + '02' + '6162' + '00000001' + '00000005' + '012c',
    );
    const frame = new Uint8Array([...header, ...new Uint8Array(16)]);
    expect(decodeTopicHeader(frame)).toMatchObject(fields);
  });

  it('refuses a topic frame of zero or too many events, and a body that is not its count of events', () => {
    const fields = { topicId: 1, keyId: 2, counter: 3, epoch: 'ab', seq: 1 };
    expect(() => encodeTopicHeader({ ...fields, count: 0 })).toThrow(WireError);
    expect(() => encodeTopicHeader({ ...fields, count: 65_536 })).toThrow(WireError);
    const zero = new Uint8Array([...encodeTopicHeader({ ...fields, count: 1 }), ...new Uint8Array(16)]);
    zero[zero.length - 16 - 1] = 0;
    expect(() => decodeTopicHeader(zero)).toThrow(/at least one event/);
    expect(parseTopicEvents(utf8('[{"a":1},{"a":2}]'), 2)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(() => parseTopicEvents(utf8('[{"a":1}]'), 2)).toThrow(WireError);
    expect(() => parseTopicEvents(utf8('{"a":1}'), 1)).toThrow(WireError);
  });

  it('rejects garbage, other versions and truncated frames with a typed error', () => {
    expect(() => decodePlain(new Uint8Array([1, 1, 123, 125]))).toThrow(/version 1/); // version 1 frames are refused
    expect(() => decodePlain(new Uint8Array([3, 1, 123, 125]))).toThrow(WireError);
    expect(() => decodePlain(new Uint8Array([2, 9]))).toThrow(/unknown frame type/);
    expect(() => decodePlain(new Uint8Array([2, 1, 0xff, 0xfe]))).toThrow(/JSON/);
    expect(() => decodeSealedHeader(new Uint8Array([2, 2, 0, 0]))).toThrow(/too short/);
    expect(() => decodeTopicHeader(new Uint8Array(30).fill(2).map((v, i) => (i === 1 ? 3 : v)))).toThrow(WireError);
    expect(decodePlain(encodePlain({ t: 'x' }))).toEqual({ t: 'x' });
  });

  it('names close codes from one table', () => {
    expect(closeCodeName(CloseCode.slowConsumer)).toBe('slowConsumer');
    expect(closeCodeName(1234)).toBe('unknown');
  });
});

describe('session crypto', () => {
  it('derives the same keys on both sides and matches the known-answer vector', async () => {
    const { clientSecrets, serverSecrets } = await vectorSession();
    const sender = new SealedSender(clientSecrets, Labels.clientToServer);
    const receiver = new SealedReceiver(serverSecrets, Labels.clientToServer);
    const frame = await sender.seal(utf8('{"t":"ping","ts":0}'));
    expect(hex(frame)).toBe(KAT_SEALED_PING);
    expect(new TextDecoder().decode(await receiver.open(frame))).toBe('{"t":"ping","ts":0}');
  });

  it('rejects replayed, reordered and tampered sealed messages', async () => {
    const { clientSecrets, serverSecrets } = await vectorSession();
    const sender = new SealedSender(serverSecrets, Labels.serverToClient);
    const [a, b, c] = await Promise.all([sender.seal(utf8('a')), sender.seal(utf8('b')), sender.seal(utf8('c'))]);
    const inOrder = new SealedReceiver(clientSecrets, Labels.serverToClient);
    await inOrder.open(a!);
    await expect(inOrder.open(a!)).rejects.toMatchObject({ code: 'bad_counter' });
    const skipping = new SealedReceiver(clientSecrets, Labels.serverToClient);
    await expect(skipping.open(b!)).rejects.toMatchObject({ code: 'bad_counter' });
    const tampered = c!.slice();
    tampered[tampered.length - 1]! ^= 1;
    const strict = new SealedReceiver(clientSecrets, Labels.serverToClient);
    await strict.open(a!);
    await strict.open(b!);
    await expect(strict.open(tampered)).rejects.toMatchObject({ code: 'auth_failed' });
    // a key of the other direction never opens this direction's messages
    const wrongDirection = new SealedReceiver(clientSecrets, Labels.clientToServer);
    await expect(wrongDirection.open(a!)).rejects.toMatchObject({ code: 'auth_failed' });
  });

  it('moves to the next key generation after rekeyAfter messages, and the receiver follows', async () => {
    const { clientSecrets, serverSecrets } = await vectorSession();
    const sender = new SealedSender(clientSecrets, Labels.clientToServer, 2);
    const receiver = new SealedReceiver(serverSecrets, Labels.clientToServer);
    const frames = [];
    for (let i = 0; i < 5; i++) frames.push(await sender.seal(utf8(String(i))));
    expect(frames.map((f) => decodeSealedHeader(f).generation)).toEqual([0, 0, 1, 1, 2]);
    expect(frames.map((f) => decodeSealedHeader(f).counter)).toEqual([0, 1, 0, 1, 0]);
    const opened = [];
    for (const f of frames) opened.push(new TextDecoder().decode(await receiver.open(f)));
    expect(opened).toEqual(['0', '1', '2', '3', '4']);
    // generation 1 used with generation 0's key material would not authenticate
    const forged = frames[2]!.slice();
    forged[5] = 0; // generation 1 → 0 while counter stays 0
    const fresh = new SealedReceiver(serverSecrets, Labels.clientToServer);
    await expect(fresh.open(forged)).rejects.toMatchObject({ code: 'auth_failed' });
  });

  it('verifies the server signature only against the pinned key and the exact transcript', async () => {
    const { t } = await vectorSession();
    const signing = await importSigningKey(VECTOR.signingKeyPkcs8);
    const signature = await signTranscript(signing.privateKey, t);
    const pinned = await importPinnedKey(toPem(signing.spki, 'PUBLIC KEY'));
    expect(pinned.keyId).toBe(signing.keyId);
    expect(await verifyTranscript([pinned], signature, t)).toBe(true);
    const other = await generateEphemeral();
    expect(await verifyTranscript([pinned], signature, { ...t, clientKey: other.publicRaw })).toBe(false);
    const stranger = await importSigningKey(
      Buffer.from(
        await crypto.subtle.exportKey(
          'pkcs8',
          ((await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign'])) as CryptoKeyPair)
            .privateKey,
        ),
      ).toString('base64'),
    );
    const forged = await signTranscript(stranger.privateKey, t);
    expect(await verifyTranscript([pinned], forged, t)).toBe(false);
    expect(await verifyTranscript([pinned], new Uint8Array(64), t)).toBe(false);
  });

  it('fails cleanly on an invalid peer point', async () => {
    const mine = await generateEphemeral();
    const bogus = new Uint8Array(65).fill(7);
    await expect(
      deriveSessionSecrets(mine.privateKey, bogus, {
        clientKey: bogus,
        serverKey: mine.publicRaw,
        sessionId: VECTOR.sessionId,
      }),
    ).rejects.toMatchObject({ code: 'bad_key' });
  });
});

describe('topic frames', () => {
  const topicBytes = utf8(VECTOR.topic);
  const header = { topicId: 7, keyId: 9, counter: 0, epoch: 'e1', seq: 42, count: 2 };
  const events = '[{"hello":1},{"hello":2}]';

  it('seals once and opens with the topic key; matches the known-answer vector', async () => {
    const key = await importTopicKey(VECTOR.topicKey);
    const frame = await sealTopicFrame(key, header, topicBytes, utf8(events));
    expect(hex(frame)).toBe(KAT_TOPIC_FRAME);
    const decoded = decodeTopicHeader(frame);
    expect(parseTopicEvents(await openTopicFrame(key, decoded, topicBytes), decoded.count)).toEqual([
      { hello: 1 },
      { hello: 2 },
    ]);
  });

  it('detects a changed position, a different topic, a flipped ciphertext bit or a wrong key', async () => {
    const key = await importTopicKey(VECTOR.topicKey);
    const frame = await sealTopicFrame(key, header, topicBytes, utf8(events));
    const moved = frame.slice();
    moved[moved.length - 16 - events.length - 3] = 43; // seq 42 → 43 in the header
    const fewer = frame.slice();
    fewer[fewer.length - 16 - events.length - 1] = 1; // count 2 → 1
    await expect(openTopicFrame(key, decodeTopicHeader(fewer), topicBytes)).rejects.toThrow();
    expect(decodeTopicHeader(moved).seq).toBe(43);
    await expect(openTopicFrame(key, decodeTopicHeader(moved), topicBytes)).rejects.toMatchObject({
      code: 'auth_failed',
    });
    await expect(openTopicFrame(key, decodeTopicHeader(frame), utf8('m:2:b:2:kitchen:3'))).rejects.toThrow();
    const flipped = frame.slice();
    flipped[flipped.length - 20]! ^= 0x40;
    await expect(openTopicFrame(key, decodeTopicHeader(flipped), topicBytes)).rejects.toThrow();
    const otherKey = await importTopicKey(new Uint8Array(32).fill(1));
    await expect(openTopicFrame(otherKey, decodeTopicHeader(frame), topicBytes)).rejects.toThrow();
  });
});

describe('message schemas', () => {
  it('accept the documented messages and reject unknown fields or types', () => {
    expect(
      clientMessageSchema.parse({ t: 'sub', rid: 1, topic: 'm:1:stock', since: { epoch: 'x', seq: 3 } }),
    ).toBeTruthy();
    expect(clientMessageSchema.safeParse({ t: 'sub', rid: 1, topic: 'm:1:stock', extra: 1 }).success).toBe(false);
    expect(clientMessageSchema.safeParse({ t: 'publish', rid: 1 }).success).toBe(false);
    expect(
      serverMessageSchema.parse({
        t: 'subscribed',
        rid: 1,
        topic: 'm:1:stock',
        topicId: 3,
        head: { epoch: 'e', seq: 9 },
        recovery: { recovered: false, reason: 'trimmed' },
      }),
    ).toBeTruthy();
  });

  it('accept an event whose entity is any object, as is (not copied), and reject one whose entity is not', () => {
    const event = {
      v: 1,
      type: 'order.created',
      id: 'o:1:0/1',
      merchantId: '1',
      topic: 'm:1:b:2:orders',
      entity: { id: '1', lines: [{ sku: 'A', qty: 2 }], note: null },
      position: '0/1',
      occurredAt: 1,
      later: 'fields a newer hub adds',
    };
    const parsed = domainEventSchema.parse(event);
    expect(parsed.entity).toBe(event.entity);
    expect(parsed).toEqual(event);
    for (const entity of [null, [], ['a'], 'order', 3, undefined]) {
      expect(domainEventSchema.safeParse({ ...event, entity }).success, JSON.stringify(entity)).toBe(false);
    }
    expect(domainEventSchema.safeParse({ ...event, v: 2 }).success).toBe(false);
    expect(domainEventSchema.safeParse({ ...event, occurredAt: '1' }).success).toBe(false);
  });
});

// computed independently with node:crypto (createECDH/hkdfSync/createCipheriv) from the spec's rules
const KAT_SEALED_PING = '02020000000000000000dfa75b93a5a5975aa1cb38c7ef840aef32a04d2b82c91a2e4bb65c883532b6225b0210';
const KAT_TOPIC_FRAME =
  '0203000000070000000900000000026531000000000000002a0002d34fbbd089e2219ff0e4d5835111c98304d90c71b8638b9204d791d3c91eff4d537cd8f62dda128e21';
