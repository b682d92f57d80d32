/** The authorization types of an AppSync API (AuthenticationType). */
export type AuthMode = 'API_KEY' | 'AWS_IAM' | 'AMAZON_COGNITO_USER_POOLS' | 'OPENID_CONNECT' | 'AWS_LAMBDA';

/** ctx.identity of a request authorized by a Cognito user pool. */
export interface CognitoIdentity {
  readonly sub: string;
  readonly issuer: string;
  readonly username: string;
  readonly claims: Readonly<Record<string, unknown>>;
  readonly sourceIp: readonly string[];
  readonly defaultAuthStrategy: 'ALLOW' | 'DENY';
  readonly groups: readonly string[] | null;
}

/** ctx.identity of a request signed with IAM credentials. */
export interface IamIdentity {
  readonly accountId: string;
  readonly cognitoIdentityPoolId: string | null;
  readonly cognitoIdentityId: string | null;
  readonly sourceIp: readonly string[];
  readonly username: string;
  readonly userArn: string;
  readonly cognitoIdentityAuthType: string | null;
  readonly cognitoIdentityAuthProvider: string | null;
}

/** ctx.identity of a request authorized by an OpenID Connect provider. */
export interface OidcIdentity {
  readonly claims: Readonly<Record<string, unknown>>;
  readonly issuer: string;
  readonly sub: string;
}

/** ctx.identity of a request authorized by a Lambda authorizer. */
export interface LambdaIdentity {
  readonly resolverContext: Readonly<Record<string, unknown>>;
}

/** ctx.identity in any mode; API key requests have none (null). */
export type AppSyncIdentity = CognitoIdentity | IamIdentity | OidcIdentity | LambdaIdentity | null;
