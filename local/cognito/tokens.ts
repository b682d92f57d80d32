import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, jwtVerify, type CryptoKey, type JWK } from 'jose';

/** The JSON Web Key Set a pool publishes at `<issuer>/.well-known/jwks.json`. */
export interface Jwks {
  readonly keys: JWK[];
}

/** What the signer needs to know about the user a token is issued to. */
export interface TokenSubject {
  readonly sub: string;
  readonly username: string;
  /** Groups in precedence order. */
  readonly groups: readonly string[];
  /** User attributes by name (email, email_verified, custom:vendorId, ...), sub excluded. */
  readonly attributes: Readonly<Record<string, string>>;
}

/** One sign-in (or refresh of it): origin_jti and auth_time survive refreshes, as Cognito documents. */
export interface AuthEvent {
  readonly clientId: string;
  readonly originJti: string;
  /** Seconds since the epoch of the original authentication. */
  readonly authTime: number;
}

/** Claim changes of one token, as a pre token generation trigger returns them. */
export interface ClaimChanges {
  readonly claimsToAddOrOverride?: Readonly<Record<string, unknown>>;
  readonly claimsToSuppress?: readonly string[];
}

/** What a pre token generation trigger changed, applied by {@link PoolTokenSigner.issue}. */
export interface TokenCustomization {
  readonly idToken?: ClaimChanges;
  readonly accessToken?: ClaimChanges & {
    readonly scopesToAdd?: readonly string[];
    readonly scopesToSuppress?: readonly string[];
  };
  /** Replaces cognito:groups in both tokens. */
  readonly groups?: readonly string[];
}

// Claims a trigger cannot add, change or suppress (the pre token generation trigger's documented
// exclusions); Cognito keeps its own value for them.
const PROTECTED_CLAIMS = new Set([
  'acr',
  'amr',
  'aud',
  'auth_time',
  'azp',
  'client_id',
  'cognito:username',
  'event_id',
  'exp',
  'iat',
  'identities',
  'iss',
  'jti',
  'nbf',
  'nonce',
  'origin_jti',
  'scope',
  'sub',
  'token_use',
  'username',
  'cognito:groups',
]);

function applyClaimChanges(claims: Record<string, unknown>, changes: ClaimChanges | undefined) {
  for (const name of changes?.claimsToSuppress ?? []) if (!PROTECTED_CLAIMS.has(name)) delete claims[name];
  for (const [name, value] of Object.entries(changes?.claimsToAddOrOverride ?? {})) {
    if (!PROTECTED_CLAIMS.has(name)) claims[name] = value;
  }
  return claims;
}

/** The ID and access tokens of one sign-in. */
export interface IssuedTokens {
  readonly idToken: string;
  readonly accessToken: string;
}

interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly jwk: JWK;
}

async function newSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, publicKey, jwk };
}

// Booleans in the ID token, as Cognito types them; every other attribute is a string claim.
const BOOLEAN_ATTRIBUTES = new Set(['email_verified', 'phone_number_verified']);

/**
 * Signs a pool's tokens with RS256. ID and access tokens use different keys, as the Cognito docs say
 * ("the key ID (kid) is different because different keys are used to sign ID tokens and access tokens").
 */
export class PoolTokenSigner {
  private constructor(
    readonly issuer: string,
    private readonly idKey: SigningKey,
    private readonly accessKey: SigningKey,
  ) {}

  /** Generates the pool's key pairs; they live as long as the process. */
  static async create(issuer: string): Promise<PoolTokenSigner> {
    return new PoolTokenSigner(issuer, await newSigningKey(), await newSigningKey());
  }

  /** The public keys, for the JWKS endpoint and for verifiers that take the set directly. */
  jwks(): Jwks {
    return { keys: [this.idKey.jwk, this.accessKey.jwk] };
  }

  /** Issues an ID and an access token with the claims Cognito puts in them. */
  async issue(
    user: TokenSubject,
    event: AuthEvent,
    now: Date,
    validitySeconds: number,
    customization: TokenCustomization = {},
  ): Promise<IssuedTokens> {
    const iat = Math.floor(now.getTime() / 1000);
    const eventId = randomUUID();
    const groupList = customization.groups ?? user.groups;
    const groups = groupList.length > 0 ? { 'cognito:groups': [...groupList] } : {};
    const scopes = new Set([
      'aws.cognito.signin.user.admin',
      ...(customization.accessToken?.scopesToAdd ?? []),
    ]);
    for (const scope of customization.accessToken?.scopesToSuppress ?? []) scopes.delete(scope);
    const common = {
      sub: user.sub,
      ...groups,
      iss: this.issuer,
      origin_jti: event.originJti,
      event_id: eventId,
    };
    const idClaims = {
      ...common,
      ...idTokenAttributes(user.attributes),
      'cognito:username': user.username,
      aud: event.clientId,
      token_use: 'id',
      auth_time: event.authTime,
      exp: iat + validitySeconds,
      iat,
      jti: randomUUID(),
    };
    const accessClaims = {
      ...common,
      client_id: event.clientId,
      token_use: 'access',
      scope: [...scopes].join(' '),
      auth_time: event.authTime,
      exp: iat + validitySeconds,
      iat,
      jti: randomUUID(),
      username: user.username,
    };
    return {
      idToken: await this.sign(applyClaimChanges(idClaims, customization.idToken), this.idKey),
      accessToken: await this.sign(
        applyClaimChanges(accessClaims, customization.accessToken),
        this.accessKey,
      ),
    };
  }

  /** Verifies one of this pool's access tokens, for operations such as GetUser that take one. */
  async verifyAccessToken(token: string, now: Date): Promise<Record<string, unknown>> {
    const { payload } = await jwtVerify(token, this.accessKey.publicKey, {
      issuer: this.issuer,
      algorithms: ['RS256'],
      currentDate: now,
    });
    if (payload['token_use'] !== 'access') throw new Error('not an access token');
    return payload;
  }

  private sign(claims: Record<string, unknown>, key: SigningKey): Promise<string> {
    // Claims are set wholesale (exp/iat included) so the payload keeps Cognito's claim set exactly.
    return new SignJWT(claims).setProtectedHeader({ kid: key.kid, alg: 'RS256' }).sign(key.privateKey);
  }
}

function idTokenAttributes(attributes: Readonly<Record<string, string>>): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'sub') continue;
    claims[name] = BOOLEAN_ATTRIBUTES.has(name) ? value === 'true' : value;
  }
  return claims;
}
