import { createCipheriv, createECDH, createHash, hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Labels } from './constants.ts';
import { deriveSessionSecrets, directionKey } from './crypto.ts';
import { VECTOR } from './test-vectors.ts';

// Must show: every value printed in docs/hub-protocol.md §12 follows from the vector's inputs by
// the spec's rules, computed twice: by node:crypto written from the spec alone, and by the SDK.
const doc = readFileSync(new URL('../../../docs/hub-protocol.md', import.meta.url), 'utf8');

/** The §12 code blocks: the labelled values (continuation lines joined) and the two frames. */
function section12() {
  const section = doc.slice(doc.indexOf('## 12. Test vector'));
  const blocks = [...section.matchAll(/```\n([\s\S]*?)```/g)].map((m) => m[1]!);
  expect(blocks).toHaveLength(3);
  const values: Record<string, string> = {};
  let label = '';
  for (const line of blocks[0]!.split('\n').filter(Boolean)) {
    const labelled = /^(\S.*?)\s{2,}([0-9a-f]+)$/.exec(line);
    if (labelled) {
      label = labelled[1]!;
      values[label] = labelled[2]!;
    } else {
      values[label] += line.trim();
    }
  }
  const joined = (block: string) => block.replace(/\s+/g, '');
  return { values, ping: joined(blocks[1]!), topicFrame: joined(blocks[2]!) };
}

const { values, ping, topicFrame } = section12();
const b64 = (s: string) => Buffer.from(s, 'base64url');
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** The spec's derivation (§3.3) with node:crypto only. */
function nodeDerivation() {
  const client = createECDH('prime256v1');
  client.setPrivateKey(b64(VECTOR.clientEphemeral.d));
  const server = createECDH('prime256v1');
  server.setPrivateKey(b64(VECTOR.serverEphemeral.d));
  const clientKey = client.getPublicKey(); // uncompressed 0x04 ‖ X ‖ Y
  const serverKey = server.getPublicKey();
  const shared = client.computeSecret(serverKey);
  expect(server.computeSecret(clientKey)).toEqual(shared);
  const sessionId = Buffer.from(VECTOR.sessionId);
  const salt = createHash('sha256')
    .update(Buffer.concat([Buffer.from('commerce-hub/v1 salt'), clientKey, serverKey, sessionId]))
    .digest();
  const key = (label: string) => Buffer.from(hkdfSync('sha256', shared, salt, Buffer.from(`${label} 0`), 32));
  return {
    clientKey,
    serverKey,
    shared,
    salt,
    c2s: key('commerce-hub/v1 c2s'),
    s2c: key('commerce-hub/v1 s2c'),
  };
}

function gcm(key: Buffer, nonce: Buffer, aad: Buffer, plaintext: string): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, nonce).setAAD(aad);
  return Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
}

describe('docs/hub-protocol.md §12 test vector', () => {
  it('prints the public keys of the fixed ephemeral keys', () => {
    const node = nodeDerivation();
    expect(values['client ephemeral (raw)']).toBe(hex(node.clientKey));
    expect(values['server ephemeral (raw)']).toBe(hex(node.serverKey));
    expect(values.sessionId).toBe(hex(VECTOR.sessionId));
  });

  it('prints the shared secret, salt and first keys that node:crypto derives from the spec', () => {
    const node = nodeDerivation();
    expect({
      shared: values['shared secret'],
      salt: values.salt,
      c2s: values['key(c2s, 0)'],
      s2c: values['key(s2c, 0)'],
    }).toEqual({ shared: hex(node.shared), salt: hex(node.salt), c2s: hex(node.c2s), s2c: hex(node.s2c) });
  });

  it('and the SDK’s WebCrypto derivation gives the same values on both sides', async () => {
    const ECDH = { name: 'ECDH', namedCurve: 'P-256' } as const;
    const node = nodeDerivation();
    const transcript = {
      clientKey: new Uint8Array(node.clientKey),
      serverKey: new Uint8Array(node.serverKey),
      sessionId: VECTOR.sessionId,
    };
    for (const [mine, peer] of [
      [VECTOR.clientEphemeral, transcript.serverKey],
      [VECTOR.serverEphemeral, transcript.clientKey],
    ] as const) {
      const privateKey = await crypto.subtle.importKey('jwk', mine, ECDH, false, ['deriveBits']);
      const secrets = await deriveSessionSecrets(privateKey, peer, transcript);
      expect(hex(secrets.ikm)).toBe(values['shared secret']);
      expect(hex(secrets.salt)).toBe(values.salt);
      expect(hex(await directionKey(secrets, Labels.clientToServer, 0))).toBe(values['key(c2s, 0)']);
      expect(hex(await directionKey(secrets, Labels.serverToClient, 0))).toBe(values['key(s2c, 0)']);
    }
  });

  it('prints the sealed ping and the topic frame that createCipheriv produces from those keys', () => {
    const node = nodeDerivation();
    // §4: header = version ‖ type ‖ generation 0 ‖ counter 0; nonce = bytes[2..10] ‖ 0000_0000; AAD = header
    const sealedHeader = Buffer.from('0202' + '00000000' + '00000000', 'hex');
    const nonce = Buffer.concat([sealedHeader.subarray(2), Buffer.alloc(4)]);
    const sealed = gcm(node.c2s, nonce, sealedHeader, '{"t":"ping","ts":0}');
    expect(ping).toBe(hex(Buffer.concat([sealedHeader, sealed])));
    // §6: topicId 7, keyId 9, counter 0, epoch "e1", seq 42, count 2; AAD = header ‖ topic name
    const topicHeader = Buffer.from(
      '0203' + '00000007' + '00000009' + '00000000' + '02' + '6531' + '00000000' + '0000002a' + '0002',
      'hex',
    );
    const topicNonce = Buffer.concat([topicHeader.subarray(6, 14), Buffer.alloc(4)]);
    const aad = Buffer.concat([topicHeader, Buffer.from(VECTOR.topic)]);
    const body = gcm(Buffer.from(VECTOR.topicKey), topicNonce, aad, '[{"hello":1},{"hello":2}]');
    expect(topicFrame).toBe(hex(Buffer.concat([topicHeader, body])));
  });
});
