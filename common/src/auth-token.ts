import { type CryptoKey, importPKCS8, importSPKI, jwtVerify, type KeyObject, SignJWT } from 'jose';
import { z } from 'zod';
import { AppError } from './errors.ts';

/**
 * The bearer token every api call and hub session carries. One shape for staff and devices,
 * verified the same way everywhere: ES256 only, issuer, audience and expiry checked.
 */
export const ROLES = ['owner', 'manager', 'cashier', 'kitchen', 'stock_clerk', 'terminal'] as const;
export type Role = (typeof ROLES)[number];

export const TOKEN_ALGORITHMS = ['ES256'] as const;

const idString = z.string().regex(/^[1-9][0-9]{0,18}$/);

export const tokenClaimsSchema = z.object({
  sub: z.string().regex(/^(staff|terminal):[1-9][0-9]{0,18}$/),
  mid: idString,
  roles: z.array(z.enum(ROLES)).min(1),
  /** branches it serves; empty = every branch of the merchant */
  branches: z.array(idString).default([]),
  /** stations it serves; empty = every station of its branches */
  stations: z.array(idString).default([]),
  jti: z.string().min(1),
  exp: z.number().int(),
});

export interface Principal {
  kind: 'staff' | 'terminal';
  id: string;
  merchantId: string;
  roles: Role[];
  branchIds: string[];
  stationIds: string[];
  tokenId: string;
  expiresAt: number;
}

export interface TokenVerifierOptions {
  publicKeyPem: string;
  issuer: string;
  audience: string;
  clockToleranceSec?: number;
}

export type TokenVerifier = (token: string) => Promise<Principal>;

export async function createTokenVerifier(options: TokenVerifierOptions): Promise<TokenVerifier> {
  const key = await importSPKI(options.publicKeyPem, 'ES256');
  return async (token) => {
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms: [...TOKEN_ALGORITHMS],
        issuer: options.issuer,
        audience: options.audience,
        clockTolerance: options.clockToleranceSec ?? 5,
        requiredClaims: ['exp', 'sub', 'jti'],
      }));
    } catch (cause) {
      const reason = cause instanceof Error && 'code' in cause ? String(cause.code) : 'ERR_JWT_INVALID';
      throw new AppError('unauthenticated', 'auth.token_invalid', `token rejected (${reason})`, { cause });
    }
    const claims = tokenClaimsSchema.safeParse(payload);
    if (!claims.success) {
      throw new AppError('unauthenticated', 'auth.claims_invalid', 'token claims are malformed');
    }
    const [kind, id] = claims.data.sub.split(':') as ['staff' | 'terminal', string];
    return {
      kind,
      id,
      merchantId: claims.data.mid,
      roles: claims.data.roles,
      branchIds: claims.data.branches,
      stationIds: claims.data.stations,
      tokenId: claims.data.jti,
      expiresAt: claims.data.exp * 1000,
    };
  };
}

export interface TokenSignerOptions {
  privateKeyPem: string;
  issuer: string;
  audience: string;
}

export interface TokenRequest {
  kind: 'staff' | 'terminal';
  id: string;
  merchantId: string;
  roles: Role[];
  branchIds?: string[];
  stationIds?: string[];
  ttlSeconds: number;
}

export type TokenSigner = (request: TokenRequest) => Promise<string>;

export async function createTokenSigner(options: TokenSignerOptions): Promise<TokenSigner> {
  const key: CryptoKey | KeyObject = await importPKCS8(options.privateKeyPem, 'ES256');
  return (request) =>
    new SignJWT({
      mid: request.merchantId,
      roles: request.roles,
      branches: request.branchIds ?? [],
      stations: request.stationIds ?? [],
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
      .setSubject(`${request.kind}:${request.id}`)
      .setIssuer(options.issuer)
      .setAudience(options.audience)
      .setIssuedAt()
      .setJti(crypto.randomUUID())
      .setExpirationTime(Math.floor(Date.now() / 1000) + request.ttlSeconds)
      .sign(key);
}
