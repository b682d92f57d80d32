import { JwtVerifier } from 'aws-jwt-verify';
import { validateCognitoJwtFields } from 'aws-jwt-verify/cognito-verifier';
import { JwtExpiredError, JwtInvalidIssuerError } from 'aws-jwt-verify/error';
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import type { Fetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache, SimplePenaltyBox } from 'aws-jwt-verify/jwk';

/** Where to verify a pool's tokens: its issuer and either its JWKS (no HTTP) or the URI to fetch it from. */
export interface CognitoVerifierOptions {
  /** The `iss` the tokens must carry, e.g. http://localhost:20002/cognito/us-east-1_abc. */
  readonly issuer: string;
  /** The pool's public keys; when given, no HTTP request is made. */
  readonly jwks?: JwksLike;
  /** @default `<issuer>/.well-known/jwks.json` */
  readonly jwksUri?: string;
  /** Accepted app client ids (`aud` of ID tokens, `client_id` of access tokens). null accepts any. @default null */
  readonly clientId?: string | readonly string[] | null;
  /** How many verified tokens to remember until they expire. 0 turns the cache off. @default 10000 */
  readonly cacheSize?: number;
  /** The clock the cached tokens' expiry is checked against, in ms. @default Date.now */
  readonly now?: () => number;
}

/** A JSON Web Key Set as any producer types it (jose, the local Cognito); aws-jwt-verify validates it. */
export interface JwksLike {
  readonly keys: readonly object[];
}

/** A verified Cognito ID or access token's claims. */
export type CognitoClaims = JwtPayload & { token_use: 'id' | 'access'; sub: string; iss: string };

/** Verifies Cognito ID or access tokens; rejects with an aws-jwt-verify error (JwtExpiredError, ...). */
export interface CognitoTokenVerifier {
  verify(token: string): Promise<CognitoClaims>;
}

/**
 * A JWKS cache for local issuers: aws-jwt-verify's own fetcher only speaks https, while the local pools
 * serve http://localhost, and a given JWKS needs no request at all. No penalty wait after a miss, since
 * a local issuer that restarted with new keys should be picked up at once.
 */
export function localJwksCache(jwks?: JwksLike): SimpleJwksCache {
  const fetcher: Fetcher = {
    async fetch(uri) {
      if (jwks) return new TextEncoder().encode(JSON.stringify(jwks)).buffer as ArrayBuffer;
      const response = await fetch(uri);
      if (!response.ok) throw new Error(`JWKS ${uri} answered HTTP ${response.status}`);
      return response.arrayBuffer();
    },
  };
  return new SimpleJwksCache({ fetcher, penaltyBox: new SimplePenaltyBox({ waitSeconds: 0 }) });
}

/**
 * A verifier for a local (or any custom-issuer) Cognito pool built on aws-jwt-verify: signature, expiry,
 * issuer, client id and token_use are its checks, not ours. Either token kind is accepted, as AppSync
 * accepts an ID or an access token in the Authorization header.
 */
export function createCognitoVerifier(options: CognitoVerifierOptions): CognitoTokenVerifier {
  const clientId =
    options.clientId == null
      ? null
      : typeof options.clientId === 'string'
        ? options.clientId
        : [...options.clientId];
  const verifier = JwtVerifier.create(
    {
      issuer: options.issuer,
      jwksUri: options.jwksUri ?? `${options.issuer}/.well-known/jwks.json`,
      // The Cognito check below covers the client id: aud for ID tokens, client_id for access tokens.
      audience: null,
      customJwtCheck: ({ payload }) => validateCognitoJwtFields(payload, { tokenUse: null, clientId }),
    },
    { jwksCache: localJwksCache(options.jwks) },
  );
  // A client sends the same token with every request until it expires, and the signature check is
  // the costly part, so verified tokens are remembered by their exact text: any other text (a changed
  // signature, claim or header) is a miss and goes through the full check. Expiry is checked on every
  // use, as aws-jwt-verify would.
  const cacheSize = options.cacheSize ?? 10_000;
  const now = options.now ?? Date.now;
  const verified = new Map<string, CognitoClaims>();
  return {
    async verify(token) {
      const cached = verified.get(token);
      if (cached) {
        if (typeof cached.exp === 'number' && cached.exp * 1000 > now()) return cached;
        verified.delete(token);
        throw new JwtExpiredError(
          `Token expired at ${new Date(Number(cached.exp) * 1000).toISOString()}`,
          cached.exp,
        );
      }
      // Foreign tokens fail on their issuer before any key lookup, so they never trigger a JWKS fetch.
      const issuer = decomposeUnverifiedJwt(token).payload.iss;
      if (issuer !== options.issuer) {
        throw new JwtInvalidIssuerError(`Issuer not allowed: ${String(issuer)}`, issuer, options.issuer);
      }
      const claims = (await verifier.verify(token)) as CognitoClaims;
      if (cacheSize > 0) {
        deepFreeze(claims);
        verified.set(token, claims);
        if (verified.size > cacheSize) verified.delete(verified.keys().next().value!);
      }
      return claims;
    },
  };
}

/** Callers share the cached claims, so none of them may change what the next caller sees. */
function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const inner of Object.values(value)) deepFreeze(inner);
}
