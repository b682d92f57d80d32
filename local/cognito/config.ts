/**
 * Plain configuration for the local Cognito user pools. The cdk.out loader maps AWS::Cognito::UserPool,
 * UserPoolClient and UserPoolGroup onto these shapes, so nothing here knows about CloudFormation.
 */

/** An app client of a user pool, as AWS::Cognito::UserPoolClient describes it. */
export interface UserPoolClientConfig {
  readonly clientId: string;
  readonly name?: string;
  /**
   * ALLOW_USER_PASSWORD_AUTH, ALLOW_ADMIN_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH, ... or the legacy
   * USER_PASSWORD_AUTH / ADMIN_NO_SRP_AUTH values.
   * @default AWS's default for a client without the list: ALLOW_USER_SRP_AUTH, ALLOW_CUSTOM_AUTH, ALLOW_REFRESH_TOKEN_AUTH
   */
  readonly explicitAuthFlows?: readonly string[];
  /** When set, every call must carry SECRET_HASH, as for a real client with a generated secret. @default no secret */
  readonly clientSecret?: string;
}

/** A group of a user pool. */
export interface UserPoolGroupConfig {
  readonly name: string;
  /** Lower comes first in cognito:groups, as Cognito orders by precedence. @default unordered (after ranked groups) */
  readonly precedence?: number;
}

/** One user pool with its clients and groups. */
export interface UserPoolConfig {
  readonly userPoolId: string;
  readonly name?: string;
  readonly clients: readonly UserPoolClientConfig[];
  readonly groups?: readonly UserPoolGroupConfig[];
}

/** A user created at start, confirmed, with a permanent password. */
export interface SeedUser {
  readonly userPoolId?: string;
  readonly username: string;
  readonly password: string;
  readonly email?: string;
  readonly groups?: readonly string[];
  /** Extra attributes, custom ones with their `custom:` prefix (custom:vendorId). */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** Everything the local Cognito service needs. */
export interface LocalCognitoOptions {
  readonly userPools: readonly UserPoolConfig[];
  /** Users to create at start; a user without userPoolId goes to the first pool. @default none */
  readonly users?: readonly SeedUser[];
  /**
   * The URL the issuer claim starts with; the issuer is `<issuerBaseUrl>/<userPoolId>` and the JWKS lives
   * at `<issuer>/.well-known/jwks.json`, so it must be where the JWKS handler is mounted.
   * @default 'http://localhost:20002/cognito'
   */
  readonly issuerBaseUrl?: string;
  /** A JSON file that keeps users (password hashes only) across restarts. @default in memory only */
  readonly persistPath?: string;
  /** The clock, so tests can issue tokens in the past. @default () => new Date() */
  readonly now?: () => Date;
  /** Lifetime of ID and access tokens in seconds. @default 3600 */
  readonly tokenValiditySeconds?: number;
}

/** The default base of the issuer URL. */
export const DEFAULT_ISSUER_BASE_URL = 'http://localhost:20002/cognito';

/** The issuer claim of a local pool's tokens. */
export function issuerFor(issuerBaseUrl: string, userPoolId: string): string {
  return `${issuerBaseUrl.replace(/\/+$/, '')}/${userPoolId}`;
}

/** Where a local pool's JWKS is served. */
export function jwksUriFor(issuerBaseUrl: string, userPoolId: string): string {
  return `${issuerFor(issuerBaseUrl, userPoolId)}/.well-known/jwks.json`;
}
