/**
 * Fixed keys for the protocol's known-answer tests (and the test vector in docs/hub-protocol.md).
 * Test material only: never use these keys for anything else.
 */
export const VECTOR = {
  clientEphemeral: {
    kty: 'EC',
    crv: 'P-256',
    x: '9Me7J_B_doxuGbgW__5Az6qt5KYo3YZ4Rqml2frc57E',
    y: 'g2ql6SzGOSumZV_tqGn8vSu42-dzGFqdnIu3MzVlo7s',
    d: 'lZ-Uu8kH_2fKm2u1f5y8sUNL792M3FmJ3scamvaf_Jg',
  },
  serverEphemeral: {
    kty: 'EC',
    crv: 'P-256',
    x: 'zbCUkeW5ruGOGsknGFTMFM2wmLyF6WLaTpvHj3w8RkY',
    y: 'I4C4ltrwg3V2PSOM31QKT5DjRx_aH0hG24fWkDso-gw',
    d: 'zwYpX8m-k59WXEWOUS-tBEuNbgvJF3vjra93X40Lcpg',
  },
  /** the server's long-term signing key, PKCS#8 base64 */
  signingKeyPkcs8:
    'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg1xVJBgLnXUv1CT0EKjCQF0lAb29R4n89tiv0aOQIRFWhRANCAASrOxOLq9iAubGStFk3639MJgkeHRup4OzcK6aNACzK99BAFFxVhv6xjy5HzLPK50+KyHZ9o4/ogLWpruJRJeoa',
  /** session id bytes 0x00..0x0f */
  sessionId: Uint8Array.from({ length: 16 }, (_, i) => i),
  /** topic key bytes 0x20..0x3f */
  topicKey: Uint8Array.from({ length: 32 }, (_, i) => 0x20 + i),
  topic: 'm:1:b:2:kitchen:3',
} as const;
