import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { AwsServiceError, type AwsJsonService } from '../aws-json.js';
import {
  DEFAULT_ISSUER_BASE_URL,
  issuerFor,
  type LocalCognitoOptions,
  type SeedUser,
  type UserPoolClientConfig,
  type UserPoolConfig,
} from './config.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { PoolTokenSigner, type AuthEvent, type Jwks } from './tokens.js';
import { UserStore, type StoredUser } from './user-store.js';

/** A pool at run time: its config, its signing keys and its issuer. */
export interface LocalUserPool {
  readonly config: UserPoolConfig;
  readonly issuer: string;
  readonly signer: PoolTokenSigner;
}

interface RefreshGrant extends AuthEvent {
  readonly userPoolId: string;
  readonly username: string;
}

interface PendingChallenge {
  readonly userPoolId: string;
  readonly clientId: string;
  readonly username: string;
}

type Input = Record<string, unknown>;

// A client created without ExplicitAuthFlows gets these (CreateUserPoolClient API reference).
const DEFAULT_FLOWS = ['ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];

// Which ExplicitAuthFlows values enable an AuthFlow; the legacy names still count, as in AWS.
const FLOW_ENABLED_BY: Record<string, readonly string[]> = {
  USER_PASSWORD_AUTH: ['ALLOW_USER_PASSWORD_AUTH', 'USER_PASSWORD_AUTH'],
  ADMIN_USER_PASSWORD_AUTH: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ADMIN_NO_SRP_AUTH'],
  ADMIN_NO_SRP_AUTH: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ADMIN_NO_SRP_AUTH'],
  USER_SRP_AUTH: ['ALLOW_USER_SRP_AUTH'],
  CUSTOM_AUTH: ['ALLOW_CUSTOM_AUTH', 'CUSTOM_AUTH_FLOW_ONLY'],
  REFRESH_TOKEN_AUTH: ['ALLOW_REFRESH_TOKEN_AUTH'],
  REFRESH_TOKEN: ['ALLOW_REFRESH_TOKEN_AUTH'],
};

const INCORRECT_CREDENTIALS = 'Incorrect username or password.';

function str(input: Input, key: string): string | undefined {
  const value = input[key];
  return typeof value === 'string' ? value : undefined;
}

function required(input: Input, key: string): string {
  const value = str(input, key);
  if (!value) throw new AwsServiceError('InvalidParameterException', `Missing required parameter ${key}`);
  return value;
}

function params(input: Input, key: string): Record<string, string> {
  const value = input[key];
  return value && typeof value === 'object' ? (value as Record<string, string>) : {};
}

function attributeList(input: Input, key: string): Record<string, string> {
  const list = Array.isArray(input[key]) ? (input[key] as { Name?: string; Value?: string }[]) : [];
  return Object.fromEntries(list.filter((a) => a.Name).map((a) => [a.Name!, a.Value ?? '']));
}

const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/**
 * The Cognito user pools API (AWSCognitoIdentityProviderService) for the local runtime: the unmodified
 * @aws-sdk/client-cognito-identity-provider signs in against it with only an endpoint override.
 */
export class LocalCognito implements AwsJsonService {
  /** The X-Amz-Target prefix of the Cognito user pools API. */
  readonly targetPrefix = 'AWSCognitoIdentityProviderService';
  private readonly refreshGrants = new Map<string, RefreshGrant>();
  private readonly challenges = new Map<string, PendingChallenge>();
  private readonly now: () => Date;
  private readonly validity: number;

  private constructor(
    readonly pools: ReadonlyMap<string, LocalUserPool>,
    readonly issuerBaseUrl: string,
    private readonly users: UserStore,
    options: LocalCognitoOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.validity = options.tokenValiditySeconds ?? 3600;
  }

  /** Generates the pools' keys and seeds the configured users (keeping persisted ones as they are). */
  static async create(options: LocalCognitoOptions): Promise<LocalCognito> {
    const base = (options.issuerBaseUrl ?? DEFAULT_ISSUER_BASE_URL).replace(/\/+$/, '');
    const pools = new Map<string, LocalUserPool>();
    for (const config of options.userPools) {
      const issuer = issuerFor(base, config.userPoolId);
      pools.set(config.userPoolId, { config, issuer, signer: await PoolTokenSigner.create(issuer) });
    }
    const cognito = new LocalCognito(pools, base, new UserStore(options.persistPath), options);
    for (const seed of options.users ?? []) await cognito.seed(seed);
    return cognito;
  }

  /** The issuer claim of a pool's tokens. */
  issuer(userPoolId: string): string {
    return this.pool(userPoolId).issuer;
  }

  /** A pool's public keys. */
  jwks(userPoolId: string): Jwks {
    return this.pool(userPoolId).signer.jwks();
  }

  /** Dispatches one AWS JSON operation. */
  async handle(operation: string, input: Input): Promise<unknown> {
    switch (operation) {
      case 'InitiateAuth':
        return this.initiateAuth(input, undefined);
      case 'AdminInitiateAuth':
        return this.initiateAuth(input, required(input, 'UserPoolId'));
      case 'RespondToAuthChallenge':
      case 'AdminRespondToAuthChallenge':
        return this.respondToAuthChallenge(input);
      case 'GetUser':
        return this.getUser(input);
      case 'SignUp':
        return this.signUp(input);
      case 'AdminConfirmSignUp':
        return this.adminConfirmSignUp(input);
      case 'AdminCreateUser':
        return this.adminCreateUser(input);
      case 'AdminGetUser':
        return this.adminGetUser(input);
      case 'AdminSetUserPassword':
        return this.adminSetUserPassword(input);
      case 'AdminAddUserToGroup':
        return this.adminGroupChange(input, 'add');
      case 'AdminRemoveUserFromGroup':
        return this.adminGroupChange(input, 'remove');
      case 'AdminDeleteUser':
        return this.adminDeleteUser(input);
      default:
        throw new AwsServiceError('InvalidAction', `The local Cognito does not implement ${operation}`);
    }
  }

  private async seed(seed: SeedUser): Promise<void> {
    const userPoolId = seed.userPoolId ?? [...this.pools.keys()][0];
    if (!userPoolId || !this.pools.has(userPoolId)) {
      throw new Error(`seed user ${seed.username}: user pool ${String(seed.userPoolId)} is not configured`);
    }
    if (this.users.has(userPoolId, seed.username)) return;
    for (const group of seed.groups ?? []) this.group(userPoolId, group);
    const attributes: Record<string, string> = { ...seed.attributes };
    if (seed.email) attributes['email'] = seed.email;
    if (attributes['email'] && !('email_verified' in attributes)) attributes['email_verified'] = 'true';
    const at = this.now().toISOString();
    this.users.put(userPoolId, {
      username: seed.username,
      sub: randomUUID(),
      status: 'CONFIRMED',
      enabled: true,
      password: await hashPassword(seed.password),
      attributes,
      groups: [...(seed.groups ?? [])],
      createdAt: at,
      updatedAt: at,
    });
  }

  private pool(userPoolId: string): LocalUserPool {
    const pool = this.pools.get(userPoolId);
    if (!pool)
      throw new AwsServiceError('ResourceNotFoundException', `User pool ${userPoolId} does not exist.`);
    return pool;
  }

  private client(
    clientId: string,
    userPoolId?: string,
  ): { pool: LocalUserPool; client: UserPoolClientConfig } {
    for (const pool of userPoolId ? [this.pool(userPoolId)] : this.pools.values()) {
      const client = pool.config.clients.find((c) => c.clientId === clientId);
      if (client) return { pool, client };
    }
    throw new AwsServiceError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
  }

  private group(userPoolId: string, name: string) {
    const group = this.pool(userPoolId).config.groups?.find((g) => g.name === name);
    if (!group) throw new AwsServiceError('ResourceNotFoundException', 'Group not found.');
    return group;
  }

  private user(userPoolId: string, username: string): StoredUser {
    const user = this.users.get(userPoolId, username);
    if (!user) throw new AwsServiceError('UserNotFoundException', 'User does not exist.');
    return user;
  }

  private assertFlowEnabled(client: UserPoolClientConfig, flow: string): void {
    const enabledBy = FLOW_ENABLED_BY[flow];
    if (!enabledBy) throw new AwsServiceError('InvalidParameterException', `Unsupported AuthFlow ${flow}`);
    const flows = client.explicitAuthFlows?.length ? client.explicitAuthFlows : DEFAULT_FLOWS;
    // Clients configured with only legacy values never gated refresh, and AWS keeps that behaviour.
    const legacyOnly = !flows.some((f) => f.startsWith('ALLOW_'));
    if (enabledBy.includes('ALLOW_REFRESH_TOKEN_AUTH') && legacyOnly) return;
    if (!flows.some((f) => enabledBy.includes(f))) {
      throw new AwsServiceError('InvalidParameterException', `${flow} flow not enabled for this client`);
    }
  }

  private assertSecretHash(
    client: UserPoolClientConfig,
    username: string,
    secretHash: string | undefined,
  ): void {
    if (!client.clientSecret) return;
    const expected = createHmac('sha256', client.clientSecret)
      .update(username + client.clientId)
      .digest();
    const given = Buffer.from(secretHash ?? '', 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new AwsServiceError(
        'NotAuthorizedException',
        `Unable to verify secret hash for client ${client.clientId}`,
      );
    }
  }

  private async initiateAuth(input: Input, adminPoolId: string | undefined): Promise<unknown> {
    const flow = required(input, 'AuthFlow');
    const { pool, client } = this.client(required(input, 'ClientId'), adminPoolId);
    const authParameters = params(input, 'AuthParameters');
    if (!adminPoolId && (flow === 'ADMIN_USER_PASSWORD_AUTH' || flow === 'ADMIN_NO_SRP_AUTH')) {
      throw new AwsServiceError('InvalidParameterException', `Initiate Auth method not supported.`);
    }
    if (adminPoolId && flow === 'USER_PASSWORD_AUTH') {
      throw new AwsServiceError('InvalidParameterException', `Initiate Auth method not supported.`);
    }
    this.assertFlowEnabled(client, flow);
    if (flow === 'REFRESH_TOKEN_AUTH' || flow === 'REFRESH_TOKEN') {
      return this.refresh(pool, client, authParameters);
    }
    if (flow === 'USER_SRP_AUTH' || flow === 'CUSTOM_AUTH') {
      throw new AwsServiceError('InvalidParameterException', `${flow} is not supported by the local Cognito`);
    }
    return this.passwordAuth(pool, client, authParameters);
  }

  private async passwordAuth(
    pool: LocalUserPool,
    client: UserPoolClientConfig,
    authParameters: Record<string, string>,
  ): Promise<unknown> {
    const username = required(authParameters, 'USERNAME');
    const password = required(authParameters, 'PASSWORD');
    this.assertSecretHash(client, username, authParameters['SECRET_HASH']);
    const user = this.users.get(pool.config.userPoolId, username);
    // Unknown user and wrong password answer alike, as with "prevent user existence errors" (the default).
    if (!user || !(await verifyPassword(password, user.password))) {
      throw new AwsServiceError('NotAuthorizedException', INCORRECT_CREDENTIALS);
    }
    if (!user.enabled) throw new AwsServiceError('NotAuthorizedException', 'User is disabled.');
    if (user.status === 'UNCONFIRMED')
      throw new AwsServiceError('UserNotConfirmedException', 'User is not confirmed.');
    if (user.status === 'FORCE_CHANGE_PASSWORD') {
      const session = randomBytes(48).toString('base64url');
      this.challenges.set(session, {
        userPoolId: pool.config.userPoolId,
        clientId: client.clientId,
        username,
      });
      return {
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: session,
        ChallengeParameters: {
          USER_ID_FOR_SRP: username,
          requiredAttributes: '[]',
          userAttributes: JSON.stringify(user.attributes),
        },
      };
    }
    return this.signIn(pool, client, user);
  }

  private async signIn(
    pool: LocalUserPool,
    client: UserPoolClientConfig,
    user: StoredUser,
  ): Promise<unknown> {
    const now = this.now();
    const event: AuthEvent = {
      clientId: client.clientId,
      originJti: randomUUID(),
      authTime: Math.floor(now.getTime() / 1000),
    };
    const tokens = await pool.signer.issue(this.subject(pool, user), event, now, this.validity);
    const refreshToken = randomBytes(96).toString('base64url');
    this.refreshGrants.set(refreshToken, {
      ...event,
      userPoolId: pool.config.userPoolId,
      username: user.username,
    });
    return {
      ChallengeParameters: {},
      AuthenticationResult: {
        AccessToken: tokens.accessToken,
        ExpiresIn: this.validity,
        TokenType: 'Bearer',
        RefreshToken: refreshToken,
        IdToken: tokens.idToken,
      },
    };
  }

  private async refresh(
    pool: LocalUserPool,
    client: UserPoolClientConfig,
    authParameters: Record<string, string>,
  ): Promise<unknown> {
    const grant = this.refreshGrants.get(required(authParameters, 'REFRESH_TOKEN'));
    if (!grant || grant.clientId !== client.clientId || grant.userPoolId !== pool.config.userPoolId) {
      throw new AwsServiceError('NotAuthorizedException', 'Invalid Refresh Token');
    }
    const user = this.users.get(grant.userPoolId, grant.username);
    if (!user) throw new AwsServiceError('NotAuthorizedException', 'Invalid Refresh Token');
    this.assertSecretHash(client, user.username, authParameters['SECRET_HASH']);
    if (!user.enabled) throw new AwsServiceError('NotAuthorizedException', 'User is disabled.');
    const tokens = await pool.signer.issue(this.subject(pool, user), grant, this.now(), this.validity);
    // No new refresh token: Cognito returns one on refresh only with refresh token rotation enabled.
    return {
      ChallengeParameters: {},
      AuthenticationResult: {
        AccessToken: tokens.accessToken,
        ExpiresIn: this.validity,
        TokenType: 'Bearer',
        IdToken: tokens.idToken,
      },
    };
  }

  private async respondToAuthChallenge(input: Input): Promise<unknown> {
    const challengeName = required(input, 'ChallengeName');
    const pending = this.challenges.get(required(input, 'Session'));
    if (!pending || challengeName !== 'NEW_PASSWORD_REQUIRED') {
      throw new AwsServiceError('NotAuthorizedException', 'Invalid session for the user.');
    }
    const { pool, client } = this.client(required(input, 'ClientId'), pending.userPoolId);
    if (client.clientId !== pending.clientId) {
      throw new AwsServiceError('NotAuthorizedException', 'Invalid session for the user.');
    }
    const responses = params(input, 'ChallengeResponses');
    const newPassword = required(responses, 'NEW_PASSWORD');
    this.assertSecretHash(client, pending.username, responses['SECRET_HASH']);
    const user = this.user(pending.userPoolId, pending.username);
    user.password = await hashPassword(newPassword);
    user.status = 'CONFIRMED';
    this.users.touch(user, this.now());
    this.challenges.delete(str(input, 'Session')!);
    return this.signIn(pool, client, user);
  }

  private async getUser(input: Input): Promise<unknown> {
    const token = required(input, 'AccessToken');
    for (const pool of this.pools.values()) {
      let claims: Record<string, unknown>;
      try {
        claims = await pool.signer.verifyAccessToken(token, this.now());
      } catch (err) {
        if ((err as { code?: string }).code === 'ERR_JWT_EXPIRED') {
          throw new AwsServiceError('NotAuthorizedException', 'Access Token has expired');
        }
        continue;
      }
      const user = this.users.get(pool.config.userPoolId, String(claims['username']));
      if (!user) break;
      return { Username: user.username, UserAttributes: this.attributesOut(user) };
    }
    throw new AwsServiceError('NotAuthorizedException', 'Invalid Access Token');
  }

  private async signUp(input: Input): Promise<unknown> {
    const { pool, client } = this.client(required(input, 'ClientId'));
    const username = required(input, 'Username');
    const password = required(input, 'Password');
    this.assertSecretHash(client, username, str(input, 'SecretHash'));
    if (this.users.has(pool.config.userPoolId, username)) {
      throw new AwsServiceError('UsernameExistsException', 'User already exists');
    }
    const user = await this.newUser(
      username,
      password,
      'UNCONFIRMED',
      attributeList(input, 'UserAttributes'),
    );
    this.users.put(pool.config.userPoolId, user);
    return { UserConfirmed: false, UserSub: user.sub };
  }

  private adminConfirmSignUp(input: Input): unknown {
    const userPoolId = required(input, 'UserPoolId');
    this.pool(userPoolId);
    const user = this.user(userPoolId, required(input, 'Username'));
    if (user.status !== 'UNCONFIRMED') {
      throw new AwsServiceError(
        'NotAuthorizedException',
        `User cannot be confirmed. Current status is ${user.status}`,
      );
    }
    user.status = 'CONFIRMED';
    this.users.touch(user, this.now());
    return {};
  }

  private async adminCreateUser(input: Input): Promise<unknown> {
    const userPoolId = required(input, 'UserPoolId');
    this.pool(userPoolId);
    const username = required(input, 'Username');
    if (this.users.has(userPoolId, username)) {
      throw new AwsServiceError('UsernameExistsException', 'User account already exists');
    }
    const password = str(input, 'TemporaryPassword') ?? `Tmp-${randomBytes(9).toString('base64url')}1`;
    const user = await this.newUser(
      username,
      password,
      'FORCE_CHANGE_PASSWORD',
      attributeList(input, 'UserAttributes'),
    );
    this.users.put(userPoolId, user);
    return { User: this.userOut(user, 'Attributes') };
  }

  private adminGetUser(input: Input): unknown {
    const userPoolId = required(input, 'UserPoolId');
    this.pool(userPoolId);
    return this.userOut(this.user(userPoolId, required(input, 'Username')), 'UserAttributes');
  }

  private async adminSetUserPassword(input: Input): Promise<unknown> {
    const userPoolId = required(input, 'UserPoolId');
    this.pool(userPoolId);
    const user = this.user(userPoolId, required(input, 'Username'));
    user.password = await hashPassword(required(input, 'Password'));
    user.status = input['Permanent'] === true ? 'CONFIRMED' : 'FORCE_CHANGE_PASSWORD';
    this.users.touch(user, this.now());
    return {};
  }

  private adminGroupChange(input: Input, change: 'add' | 'remove'): unknown {
    const userPoolId = required(input, 'UserPoolId');
    this.pool(userPoolId);
    const user = this.user(userPoolId, required(input, 'Username'));
    const group = this.group(userPoolId, required(input, 'GroupName'));
    const others = user.groups.filter((g) => g !== group.name);
    user.groups = change === 'add' ? this.byPrecedence(userPoolId, [...others, group.name]) : others;
    this.users.touch(user, this.now());
    return {};
  }

  private adminDeleteUser(input: Input): unknown {
    const userPoolId = required(input, 'UserPoolId');
    this.pool(userPoolId);
    this.user(userPoolId, required(input, 'Username'));
    this.users.delete(userPoolId, required(input, 'Username'));
    return {};
  }

  private async newUser(
    username: string,
    password: string,
    status: StoredUser['status'],
    attributes: Record<string, string>,
  ): Promise<StoredUser> {
    const at = this.now().toISOString();
    const { sub: _ignored, ...rest } = attributes;
    return {
      username,
      sub: randomUUID(),
      status,
      enabled: true,
      password: await hashPassword(password),
      attributes: rest,
      groups: [],
      createdAt: at,
      updatedAt: at,
    };
  }

  private byPrecedence(userPoolId: string, groups: string[]): string[] {
    const rank = (name: string) =>
      this.pool(userPoolId).config.groups?.find((g) => g.name === name)?.precedence ??
      Number.MAX_SAFE_INTEGER;
    return [...groups].sort((a, b) => rank(a) - rank(b));
  }

  private subject(pool: LocalUserPool, user: StoredUser) {
    return {
      sub: user.sub,
      username: user.username,
      groups: this.byPrecedence(pool.config.userPoolId, user.groups),
      attributes: user.attributes,
    };
  }

  private attributesOut(user: StoredUser) {
    return [
      { Name: 'sub', Value: user.sub },
      ...Object.entries(user.attributes).map(([Name, Value]) => ({ Name, Value })),
    ];
  }

  private userOut(user: StoredUser, attributesKey: 'Attributes' | 'UserAttributes') {
    return {
      Username: user.username,
      [attributesKey]: this.attributesOut(user),
      UserCreateDate: epochSeconds(user.createdAt),
      UserLastModifiedDate: epochSeconds(user.updatedAt),
      Enabled: user.enabled,
      UserStatus: user.status,
    };
  }
}

/** Starts the local Cognito: generates each pool's keys and seeds users. */
export function createLocalCognito(options: LocalCognitoOptions): Promise<LocalCognito> {
  return LocalCognito.create(options);
}
