import { concat, fromPem, own, toBase64Url, utf8 } from './bytes.ts';
import {
  decodeSealedHeader,
  encodeSealedHeader,
  encodeTopicHeader,
  nonceFrom,
  type TopicFrameHeader,
  WireError,
} from './codec.ts';
import {
  DEFAULT_REKEY_AFTER,
  Labels,
  MAX_COUNTER,
  PROTOCOL_VERSION,
  SESSION_ID_BYTES,
  TOPIC_KEY_BYTES,
} from './constants.ts';

/** Everything here is WebCrypto (globalThis.crypto.subtle): the same code runs in browsers and Node 20. */
const subtle = (): SubtleCrypto => globalThis.crypto.subtle;
const ECDH = { name: 'ECDH', namedCurve: 'P-256' } as const;
const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const ECDSA_SHA256 = { name: 'ECDSA', hash: 'SHA-256' } as const;

export interface EphemeralKey {
  privateKey: CryptoKey;
  /** uncompressed P-256 point, 65 bytes */
  publicRaw: Uint8Array;
}

export async function generateEphemeral(): Promise<EphemeralKey> {
  const pair = (await subtle().generateKey(ECDH, false, ['deriveBits'])) as CryptoKeyPair;
  const publicRaw = new Uint8Array(await subtle().exportKey('raw', pair.publicKey));
  return { privateKey: pair.privateKey, publicRaw };
}

/** The public inputs both sides bind the session to. */
export interface Transcript {
  clientKey: Uint8Array;
  serverKey: Uint8Array;
  sessionId: Uint8Array;
}

/** What the server signs: label ‖ version ‖ server ephemeral ‖ client ephemeral ‖ session id. */
export function signedBytes(t: Transcript): Uint8Array<ArrayBuffer> {
  return own(concat(utf8(Labels.signature), new Uint8Array([PROTOCOL_VERSION]), t.serverKey, t.clientKey, t.sessionId));
}

/**
 * The session's secret inputs as bytes: the ECDH shared secret (HKDF input keying material) and the
 * transcript salt. Kept as 64 bytes rather than CryptoKey objects: a hub holds tens of thousands of
 * idle sessions, and each live CryptoKey costs ~1 KB of native memory; keys are imported per use.
 */
export interface SessionSecrets {
  ikm: Uint8Array<ArrayBuffer>;
  /** SHA-256(label ‖ client ephemeral ‖ server ephemeral ‖ session id) */
  salt: Uint8Array<ArrayBuffer>;
}

/** ECDH with the peer's ephemeral key; throws WireError('bad_key') if the point is invalid. */
export async function deriveSessionSecrets(
  mine: CryptoKey,
  peerRaw: Uint8Array,
  t: Transcript,
): Promise<SessionSecrets> {
  if (t.sessionId.length !== SESSION_ID_BYTES) throw new WireError('bad_key', 'session id must be 16 bytes');
  let shared: ArrayBuffer;
  try {
    const peer = await subtle().importKey('raw', own(peerRaw), ECDH, false, []);
    shared = await subtle().deriveBits({ name: 'ECDH', public: peer }, mine, 256);
  } catch (cause) {
    throw new WireError('bad_key', `invalid peer key: ${(cause as Error).message}`);
  }
  const salt = new Uint8Array(
    await subtle().digest('SHA-256', own(concat(utf8(Labels.salt), t.clientKey, t.serverKey, t.sessionId))),
  );
  return { ikm: new Uint8Array(shared), salt };
}

/** The raw AES-256-GCM key of one direction and generation: HKDF info = "<direction label> <generation>". */
export async function directionKey(secrets: SessionSecrets, label: string, generation: number): Promise<Uint8Array> {
  const base = await subtle().importKey('raw', secrets.ikm, 'HKDF', false, ['deriveBits']);
  const info = own(utf8(`${label} ${generation}`));
  return new Uint8Array(
    await subtle().deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: secrets.salt, info }, base, 256),
  );
}

function aesKey(raw: Uint8Array, usage: 'encrypt' | 'decrypt'): Promise<CryptoKey> {
  return subtle().importKey('raw', own(raw), { name: 'AES-GCM', length: 256 }, false, [usage]);
}

/**
 * Seals control messages in one direction. The counter is taken when seal() is called, so callers
 * must send results in call order. After `rekeyAfter` messages the next generation's key is used.
 */
export class SealedSender {
  #generation = 0;
  #counter = 0;
  #key: { generation: number; raw: Promise<Uint8Array> };

  constructor(
    private readonly secrets: SessionSecrets,
    private readonly label: string,
    private readonly rekeyAfter = DEFAULT_REKEY_AFTER,
  ) {
    this.#key = { generation: 0, raw: directionKey(secrets, label, 0) };
  }

  seal(plaintext: Uint8Array): Promise<Uint8Array> {
    if (this.#counter >= Math.min(this.rekeyAfter, MAX_COUNTER)) {
      this.#generation++;
      this.#counter = 0;
    }
    const header = encodeSealedHeader({ generation: this.#generation, counter: this.#counter++ });
    if (this.#key.generation !== this.#generation) {
      this.#key = { generation: this.#generation, raw: directionKey(this.secrets, this.label, this.#generation) };
    }
    return this.#key.raw.then(async (raw) => {
      const params = { name: 'AES-GCM', iv: nonceFrom(header.subarray(2)), additionalData: header };
      return concat(
        header,
        new Uint8Array(await subtle().encrypt(params, await aesKey(raw, 'encrypt'), own(plaintext))),
      );
    });
  }
}

/**
 * Opens control messages of one direction, accepting exactly the next counter, or counter 0 of the
 * next generation: a replayed, reordered or skipped message fails with WireError('bad_counter').
 */
export class SealedReceiver {
  #generation = 0;
  #next = 0;
  #key: { generation: number; raw: Promise<Uint8Array> };

  constructor(
    private readonly secrets: SessionSecrets,
    private readonly label: string,
  ) {
    this.#key = { generation: 0, raw: directionKey(secrets, label, 0) };
  }

  open(frame: Uint8Array): Promise<Uint8Array> {
    const sealed = decodeSealedHeader(frame);
    if (sealed.generation === this.#generation + 1 && sealed.counter === 0) {
      this.#generation++;
      this.#key = { generation: this.#generation, raw: directionKey(this.secrets, this.label, this.#generation) };
    } else if (sealed.generation !== this.#generation || sealed.counter !== this.#next) {
      return Promise.reject(
        new WireError(
          'bad_counter',
          `expected ${this.#generation}/${this.#next}, got ${sealed.generation}/${sealed.counter}`,
        ),
      );
    }
    this.#next = sealed.counter + 1;
    const header = own(sealed.header);
    return this.#key.raw.then(async (raw) => {
      try {
        const params = { name: 'AES-GCM', iv: nonceFrom(header.subarray(2)), additionalData: header };
        return new Uint8Array(await subtle().decrypt(params, await aesKey(raw, 'decrypt'), own(sealed.body)));
      } catch {
        throw new WireError('auth_failed', 'sealed message failed authentication');
      }
    });
  }
}

// ---- the long-term signing key and pinning --------------------------------------------------

export interface SigningKey {
  privateKey: CryptoKey;
  /** DER SubjectPublicKeyInfo of the public half: what terminals pin */
  spki: Uint8Array;
  keyId: string;
}

/** Imports a PKCS#8 PEM (or base64 DER) ECDSA P-256 private key and works out its public half. */
export async function importSigningKey(pkcs8Pem: string): Promise<SigningKey> {
  let extractable: CryptoKey;
  try {
    extractable = await subtle().importKey('pkcs8', own(fromPem(pkcs8Pem)), ECDSA, true, ['sign']);
  } catch (cause) {
    throw new WireError('bad_key', `signing key is not a PKCS#8 P-256 key: ${(cause as Error).message}`);
  }
  const jwk = await subtle().exportKey('jwk', extractable);
  const publicKey = await subtle().importKey('jwk', { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, ECDSA, true, [
    'verify',
  ]);
  const spki = new Uint8Array(await subtle().exportKey('spki', publicKey));
  const privateKey = await subtle().importKey('jwk', jwk, ECDSA, false, ['sign']);
  return { privateKey, spki, keyId: await keyIdOf(spki) };
}

export async function keyIdOf(spki: Uint8Array): Promise<string> {
  return toBase64Url(new Uint8Array(await subtle().digest('SHA-256', own(spki))));
}

export async function signTranscript(key: CryptoKey, t: Transcript): Promise<Uint8Array> {
  return new Uint8Array(await subtle().sign(ECDSA_SHA256, key, signedBytes(t)));
}

export interface PinnedKey {
  key: CryptoKey;
  keyId: string;
}

/** A pinned server key from SPKI PEM or base64(url) DER. */
export async function importPinnedKey(spki: string | Uint8Array): Promise<PinnedKey> {
  const der = typeof spki === 'string' ? fromPem(spki) : spki;
  try {
    return { key: await subtle().importKey('spki', own(der), ECDSA, false, ['verify']), keyId: await keyIdOf(der) };
  } catch (cause) {
    throw new WireError('bad_key', `pinned key is not a P-256 SPKI: ${(cause as Error).message}`);
  }
}

/** True if any pinned key verifies the signature over the transcript. */
export async function verifyTranscript(pinned: PinnedKey[], signature: Uint8Array, t: Transcript): Promise<boolean> {
  const data = signedBytes(t);
  for (const { key } of pinned) {
    try {
      if (await subtle().verify(ECDSA_SHA256, key, own(signature), data)) return true;
    } catch {
      // a malformed signature simply does not verify
    }
  }
  return false;
}

// ---- topic keys ------------------------------------------------------------------------------

/** A topic key is AES-256 (WebCrypto would take a 16- or 24-byte key too): WireError('bad_message') otherwise. */
export function checkTopicKey(raw: Uint8Array): void {
  if (raw.length !== TOPIC_KEY_BYTES)
    throw new WireError('bad_message', `a topic key has ${TOPIC_KEY_BYTES} bytes, got ${raw.length}`);
}

export function importTopicKey(raw: Uint8Array): Promise<CryptoKey> {
  try {
    checkTopicKey(raw);
  } catch (error) {
    return Promise.reject(error);
  }
  return subtle().importKey('raw', own(raw), { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

/** Encrypts one event for a topic: AAD = the whole header ‖ UTF-8 topic name. */
export async function sealTopicFrame(
  key: CryptoKey,
  header: TopicFrameHeader,
  topicBytes: Uint8Array,
  plaintext: Uint8Array,
): Promise<Uint8Array> {
  const head = encodeTopicHeader(header);
  const params = { name: 'AES-GCM', iv: nonceFrom(head.subarray(6)), additionalData: own(concat(head, topicBytes)) };
  return concat(head, new Uint8Array(await subtle().encrypt(params, key, own(plaintext))));
}

/**
 * How a client opens topic frames: WebCrypto by default (browsers and Node alike). A frame's
 * cipher is AES-256-GCM, nonce = header bytes 6..13 ‖ 4 zero bytes, AAD = header ‖ UTF-8 topic
 * name. Node programs that receive many frames can pass `nodeTopicCipher` from
 * `@commerce/sdk/node` (node:crypto, synchronous, about a tenth of WebCrypto's CPU per frame).
 * `open` rejects (or throws) WireError('auth_failed') when the frame does not authenticate.
 */
export interface TopicCipher<K = unknown> {
  importKey(raw: Uint8Array): K | Promise<K>;
  open(
    key: K,
    frame: { header: Uint8Array; body: Uint8Array },
    topicBytes: Uint8Array,
  ): Uint8Array | Promise<Uint8Array>;
}

export const webTopicCipher: TopicCipher<CryptoKey> = { importKey: importTopicKey, open: openTopicFrame };

/** Decrypts a topic frame whose header was decoded with decodeTopicHeader. */
export async function openTopicFrame(
  key: CryptoKey,
  frame: { header: Uint8Array; body: Uint8Array },
  topicBytes: Uint8Array,
): Promise<Uint8Array> {
  const params = {
    name: 'AES-GCM',
    iv: nonceFrom(frame.header.subarray(6)),
    additionalData: own(concat(frame.header, topicBytes)),
  };
  try {
    return new Uint8Array(await subtle().decrypt(params, key, own(frame.body)));
  } catch {
    throw new WireError('auth_failed', 'topic frame failed authentication');
  }
}
