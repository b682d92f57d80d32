import type { AwsRequestContext, AwsServiceError } from '../aws-json.js';

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
  /**
   * The attributes users may write through this client (SignUp, UpdateUserAttributes), custom ones with
   * their `custom:` prefix. @default AWS's default for a client without the list: the standard attributes
   */
  readonly writeAttributes?: readonly string[];
}

/** A Lambda trigger of a user pool (LambdaConfig). */
export interface UserPoolTriggerConfig {
  readonly lambdaArn: string;
  /** The event version of the pre token generation trigger: V1_0 (ID token only), V2_0 or V3_0. */
  readonly lambdaVersion?: 'V1_0' | 'V2_0' | 'V3_0';
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
  /** AdminCreateUserConfig.AllowAdminCreateUserOnly: SignUp is refused. @default false */
  readonly allowAdminCreateUserOnly?: boolean;
  /** Names of immutable attributes (Schema entries with Mutable: false), `custom:` prefixed. @default none */
  readonly immutableAttributes?: readonly string[];
  /** Custom attributes the pool defines, `custom:` prefixed. @default any custom attribute is accepted */
  readonly customAttributes?: readonly string[];
  /** LambdaConfig.PreTokenGenerationConfig (or PreTokenGeneration, a V1_0 trigger). @default none */
  readonly preTokenGeneration?: UserPoolTriggerConfig;
}

/** Invokes a Lambda function synchronously and returns its parsed response; throws when the function fails. */
export type InvokeTrigger = (functionArn: string, event: unknown) => Promise<unknown>;

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
  /** Runs the pools' Lambda triggers; can also be set later with setTriggerInvoker. @default none (a pool with a trigger fails sign-in) */
  readonly invokeTrigger?: InvokeTrigger;
  /**
   * Checks the SigV4 signature of admin (IAM-authorized) operations: returns undefined when the request
   * is signed with known credentials, or the error to answer with.
   * @default every admin operation verified against the local IAM credentials (local/auth/sigv4.ts)
   */
  readonly verifyIam?: (request: AwsRequestContext) => Promise<AwsServiceError | undefined>;
}

/**
 * The standard (OIDC) attributes of a user pool; a client without WriteAttributes may write these
 * (CreateUserPoolClient, WriteAttributes). The *_verified flags are for admins only.
 */
export const STANDARD_ATTRIBUTES: readonly string[] = [
  'address',
  'birthdate',
  'email',
  'family_name',
  'gender',
  'given_name',
  'locale',
  'middle_name',
  'name',
  'nickname',
  'phone_number',
  'picture',
  'preferred_username',
  'profile',
  'updated_at',
  'website',
  'zoneinfo',
];

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
