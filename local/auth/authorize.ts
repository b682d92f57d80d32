import { JwtVerifier } from 'aws-jwt-verify';
import { JwtExpiredError, JwtParseError } from 'aws-jwt-verify/error';
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import { LOCAL_ACCOUNT } from '../aws-ids.js';
import { verifyApiKey, type ApiKeyConfig } from './api-key.js';
import {
  createCognitoVerifier,
  localJwksCache,
  type CognitoClaims,
  type CognitoTokenVerifier,
  type JwksLike,
} from './cognito-verifier.js';
import type { AppSyncIdentity, AuthMode, CognitoIdentity, IamIdentity } from './identity.js';
import { isSigV4Authorization, verifySigV4, type SigV4Options, type SignedHttpRequest } from './sigv4.js';

/** The user pool an API trusts (UserPoolConfig of the GraphQL API). */
export interface ApiUserPoolConfig {
  readonly userPoolId: string;
  /** Only tokens of app clients whose id matches are accepted. @default any client of the pool */
  readonly appIdClientRegex?: string;
  /** Only for Cognito as the default mode. @default 'ALLOW' */
  readonly defaultAction?: 'ALLOW' | 'DENY';
}

/** The OpenID Connect provider an API trusts (OpenIDConnectConfig). */
export interface ApiOidcConfig {
  readonly issuer: string;
  /** @default any audience */
  readonly clientId?: string;
  readonly jwks?: JwksLike;
  /** @default `<issuer>/.well-known/jwks.json` */
  readonly jwksUri?: string;
}

/** An API's authorization configuration. */
export interface ApiAuthConfig {
  readonly defaultMode: AuthMode;
  /** @default none */
  readonly additionalModes?: readonly AuthMode[];
  readonly userPool?: ApiUserPoolConfig;
  readonly oidc?: ApiOidcConfig;
  /** @default none */
  readonly apiKeys?: readonly ApiKeyConfig[];
}

/** Where a user pool's keys come from; the local Cognito (LocalCognito) is one. */
export interface UserPoolKeySource {
  issuer(userPoolId: string): string;
  jwks(userPoolId: string): JwksLike;
}

/** What a Lambda authorizer answers (AWS_LAMBDA authorization response). */
export interface LambdaAuthorizerResponse {
  readonly isAuthorized: boolean;
  readonly resolverContext?: Record<string, unknown>;
  readonly deniedFields?: readonly string[];
  readonly ttlOverride?: number;
}

/** Dependencies of the authorizer that are not configuration. */
export interface AuthorizerDeps {
  /** Needed when a user pool is configured. */
  readonly userPools?: UserPoolKeySource;
  /** IAM credentials and region the signatures are checked against. @default LOCAL_CREDENTIALS, us-east-1 */
  readonly sigv4?: SigV4Options;
  /** Invokes the API's Lambda authorizer. Needed when AWS_LAMBDA is enabled. */
  readonly lambdaAuthorizer?: (event: { authorizationToken: string }) => Promise<LambdaAuthorizerResponse>;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** One GraphQL request as authorization sees it; IAM needs method, url and the raw body. */
export interface AuthRequest extends SignedHttpRequest {
  /** The peer address, used when there is no x-forwarded-for. @default '127.0.0.1' */
  readonly sourceIp?: string;
}

/** An authorized request: its mode, ctx.identity, and for Lambda authorizers the denied fields. */
export interface Authorized {
  readonly ok: true;
  readonly mode: AuthMode;
  readonly identity: AppSyncIdentity;
  readonly deniedFields?: readonly string[];
}

/** A rejected request with the HTTP status and the error AppSync answers with. */
export interface AuthFailure {
  readonly ok: false;
  readonly status: 400 | 401 | 403;
  readonly errorType: string;
  readonly message: string;
}

/** The outcome of authorizing a request. */
export type AuthorizeResult = Authorized | AuthFailure;

/** The HTTP body AppSync sends with a rejected request: `{"errors":[{"errorType","message"}]}`. */
export function authFailureBody(failure: AuthFailure) {
  return { errors: [{ errorType: failure.errorType, message: failure.message }] };
}

const unauthorized = (message: string): AuthFailure => ({
  ok: false,
  status: 401,
  errorType: 'UnauthorizedException',
  message,
});
// The messages AppSync answers with, as seen in its 401 responses.
const MISSING = unauthorized('Missing authorization header');
const NOT_AUTHORIZED = unauthorized('You are not authorized to make this call.');
const INVALID_HEADER = unauthorized('Valid authorization header not provided.');
const UNPARSEABLE = unauthorized('Unable to parse JWT token.');
const EXPIRED = unauthorized('Token has expired.');

function header(request: AuthRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : (value as string | undefined);
}

function sourceIps(request: AuthRequest): string[] {
  const forwarded = header(request, 'x-forwarded-for');
  if (forwarded) return forwarded.split(',').map((ip) => ip.trim());
  return [request.sourceIp ?? '127.0.0.1'];
}

function unverifiedIssuer(token: string): string | undefined {
  try {
    return decomposeUnverifiedJwt(token).payload.iss;
  } catch {
    return undefined;
  }
}

/**
 * Builds the request authorizer of one API. It picks the mode as AppSync does (x-api-key → API key,
 * a SigV4 Authorization → IAM, any other Authorization → Cognito, OIDC or Lambda by the token) and
 * returns ctx.identity shaped as AppSync shapes it for that mode, or the 401/403 AppSync answers with.
 */
export function createAuthorizer(config: ApiAuthConfig, deps: AuthorizerDeps = {}) {
  const enabled = new Set<AuthMode>([config.defaultMode, ...(config.additionalModes ?? [])]);
  const now = deps.now ?? (() => new Date());
  const clientRegex = config.userPool?.appIdClientRegex
    ? new RegExp(`^(?:${config.userPool.appIdClientRegex})$`)
    : undefined;
  let cognito: { issuer: string; verifier: CognitoTokenVerifier } | undefined;
  const userPoolVerifier = () => {
    if (!cognito && config.userPool) {
      if (!deps.userPools) throw new Error('a user pool is configured but no user pool key source was given');
      const issuer = deps.userPools.issuer(config.userPool.userPoolId);
      const jwks = deps.userPools.jwks(config.userPool.userPoolId);
      cognito = { issuer, verifier: createCognitoVerifier({ issuer, jwks }) };
    }
    return cognito;
  };
  const oidc = config.oidc
    ? JwtVerifier.create(
        {
          issuer: config.oidc.issuer,
          audience: config.oidc.clientId ?? null,
          jwksUri: config.oidc.jwksUri ?? `${config.oidc.issuer}/.well-known/jwks.json`,
        },
        { jwksCache: localJwksCache(config.oidc.jwks) },
      )
    : undefined;

  async function viaCognito(token: string, request: AuthRequest): Promise<AuthorizeResult> {
    const pool = userPoolVerifier()!;
    let claims: CognitoClaims;
    try {
      claims = await pool.verifier.verify(token);
    } catch (err) {
      if (err instanceof JwtExpiredError) return EXPIRED;
      if (err instanceof JwtParseError) return UNPARSEABLE;
      return INVALID_HEADER;
    }
    const clientId = String(claims.token_use === 'id' ? claims.aud : claims['client_id']);
    if (clientRegex && !clientRegex.test(clientId)) return INVALID_HEADER;
    const groups = claims['cognito:groups'];
    const identity: CognitoIdentity = {
      sub: claims.sub,
      issuer: claims.iss,
      username: String(claims['cognito:username'] ?? claims['username']),
      claims,
      sourceIp: sourceIps(request),
      defaultAuthStrategy: config.userPool?.defaultAction ?? 'ALLOW',
      groups: Array.isArray(groups) ? groups.map(String) : null,
    };
    return { ok: true, mode: 'AMAZON_COGNITO_USER_POOLS', identity };
  }

  async function viaOidc(token: string): Promise<AuthorizeResult> {
    try {
      const claims = await oidc!.verify(token);
      return {
        ok: true,
        mode: 'OPENID_CONNECT',
        identity: { claims, issuer: String(claims.iss), sub: String(claims.sub) },
      };
    } catch (err) {
      if (err instanceof JwtExpiredError) return EXPIRED;
      return INVALID_HEADER;
    }
  }

  async function viaLambda(token: string): Promise<AuthorizeResult> {
    if (!deps.lambdaAuthorizer) throw new Error('AWS_LAMBDA is enabled but no Lambda authorizer was given');
    const response = await deps.lambdaAuthorizer({ authorizationToken: token });
    if (!response.isAuthorized) return NOT_AUTHORIZED;
    return {
      ok: true,
      mode: 'AWS_LAMBDA',
      identity: { resolverContext: response.resolverContext ?? {} },
      ...(response.deniedFields ? { deniedFields: response.deniedFields } : {}),
    };
  }

  async function viaIam(request: AuthRequest): Promise<AuthorizeResult> {
    const result = await verifySigV4(request, { ...deps.sigv4, now });
    if (!result.ok) return { ...result, ok: false };
    const identity: IamIdentity = {
      accountId: LOCAL_ACCOUNT,
      cognitoIdentityPoolId: null,
      cognitoIdentityId: null,
      sourceIp: sourceIps(request),
      username: result.username,
      userArn: result.userArn,
      cognitoIdentityAuthType: null,
      cognitoIdentityAuthProvider: null,
    };
    return { ok: true, mode: 'AWS_IAM', identity };
  }

  /** Authorizes one request. */
  return async function authorize(request: AuthRequest): Promise<AuthorizeResult> {
    const apiKey = header(request, 'x-api-key');
    if (apiKey && enabled.has('API_KEY')) {
      const check = verifyApiKey(apiKey, config.apiKeys ?? [], now());
      return check.ok ? { ok: true, mode: 'API_KEY', identity: null } : NOT_AUTHORIZED;
    }
    const authorization = header(request, 'authorization');
    if (!authorization) return MISSING;
    if (isSigV4Authorization(authorization)) return enabled.has('AWS_IAM') ? viaIam(request) : INVALID_HEADER;
    const issuer = unverifiedIssuer(authorization);
    if (issuer !== undefined) {
      if (enabled.has('AMAZON_COGNITO_USER_POOLS') && issuer === userPoolVerifier()?.issuer) {
        return viaCognito(authorization, request);
      }
      if (enabled.has('OPENID_CONNECT') && issuer === config.oidc?.issuer) return viaOidc(authorization);
    }
    if (enabled.has('AWS_LAMBDA')) return viaLambda(authorization);
    if (issuer === undefined) return UNPARSEABLE;
    // A well-formed token from an issuer the API does not trust.
    return INVALID_HEADER;
  };
}

/** Authorizes one request against one API's configuration (builds the verifiers on every call). */
export function authorizeRequest(
  request: AuthRequest,
  config: ApiAuthConfig,
  deps: AuthorizerDeps = {},
): Promise<AuthorizeResult> {
  return createAuthorizer(config, deps)(request);
}
