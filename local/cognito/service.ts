import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { AwsServiceError, type AwsJsonService, type AwsRequestContext } from '../aws-json.js';
import { LOCAL_REGION } from '../aws-ids.js';
import { refuseUnsigned } from '../auth/sigv4.js';
import {
  DEFAULT_ISSUER_BASE_URL,
  STANDARD_ATTRIBUTES,
  issuerFor,
  type InvokeTrigger,
  type LocalCognitoOptions,
  type SeedUser,
  type UserPoolClientConfig,
  type UserPoolConfig,
} from './config.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { PoolTokenSigner, type AuthEvent, type Jwks, type TokenCustomization } from './tokens.js';
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

// What a user calls with no AWS credentials: public operations and those authorized by the user's access
// token. Every other operation (Admin*, ListUsers, groups, pool and client management) is IAM-authorized
// in AWS and must carry a SigV4 signature (Cognito developer guide, "API and SDK operations": "public",
// "token-authorized" and "IAM-authenticated" operations).
const USER_OPERATIONS = new Set([
  'InitiateAuth',
  'RespondToAuthChallenge',
  'SignUp',
  'ConfirmSignUp',
  'ResendConfirmationCode',
  'ForgotPassword',
  'ConfirmForgotPassword',
  'RevokeToken',
  'GetTokensFromRefreshToken',
  'GetUser',
  'UpdateUserAttributes',
  'ChangePassword',
  'DeleteUser',
  'DeleteUserAttributes',
  'GlobalSignOut',
  'GetUserAttributeVerificationCode',
  'VerifyUserAttribute',
  'AssociateSoftwareToken',
  'VerifySoftwareToken',
  'SetUserMFAPreference',
  'SetUserSettings',
  'ConfirmDevice',
  'ForgetDevice',
  'GetDevice',
  'ListDevices',
  'UpdateDeviceStatus',
  'GetUserAuthFactors',
]);

/** The operations the local Cognito answers; anything else is UnsupportedOperationException. */
const IMPLEMENTED = [
  'InitiateAuth',
  'AdminInitiateAuth',
  'RespondToAuthChallenge',
  'AdminRespondToAuthChallenge',
  'GetUser',
  'UpdateUserAttributes',
  'SignUp',
  'AdminConfirmSignUp',
  'AdminCreateUser',
  'AdminGetUser',
  'AdminUpdateUserAttributes',
  'AdminSetUserPassword',
  'AdminAddUserToGroup',
  'AdminRemoveUserFromGroup',
  'AdminListGroupsForUser',
  'AdminDeleteUser',
  'ListUsers',
] as const;

// ListUsers filters on these only; custom attributes cannot be searched (ListUsers, Filter).
const SEARCHABLE = new Set([
  'username',
  'email',
  'phone_number',
  'name',
  'given_name',
  'family_name',
  'preferred_username',
  'cognito:user_status',
  'status',
  'sub',
]);

/** Verifies an IAM-authorized call against the local IAM credentials, as the AWS SDK signs it. */
async function verifyLocalIam(request: AwsRequestContext): Promise<AwsServiceError | undefined> {
  const refused = await refuseUnsigned(
    {
      method: request.method ?? 'POST',
      url: request.url ?? '/',
      headers: request.headers,
      body: request.body ?? '',
    },
    'cognito-idp',
    { region: LOCAL_REGION },
  );
  if (!refused) return undefined;
  if (refused.errorType === 'MissingAuthenticationTokenException')
    return new AwsServiceError(refused.errorType, 'Missing Authentication Token');
  return new AwsServiceError(refused.errorType, refused.message, refused.status);
}

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
  private invokeTrigger: InvokeTrigger | undefined;
  private readonly verifyIam: NonNullable<LocalCognitoOptions['verifyIam']>;

  private constructor(
    readonly pools: ReadonlyMap<string, LocalUserPool>,
    readonly issuerBaseUrl: string,
    private readonly users: UserStore,
    options: LocalCognitoOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.validity = options.tokenValiditySeconds ?? 3600;
    this.invokeTrigger = options.invokeTrigger;
    this.verifyIam = options.verifyIam ?? verifyLocalIam;
  }

  /** Sets how the pools' Lambda triggers run, for a runtime whose Lambda host starts after Cognito. */
  setTriggerInvoker(invoke: InvokeTrigger): void {
    this.invokeTrigger = invoke;
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

  /** Dispatches one AWS JSON operation; IAM-authorized ones only with a valid SigV4 signature. */
  async handle(operation: string, input: Input, request?: AwsRequestContext): Promise<unknown> {
    if (!USER_OPERATIONS.has(operation)) {
      const denied = request
        ? await this.verifyIam(request)
        : new AwsServiceError('MissingAuthenticationTokenException', 'Missing Authentication Token');
      if (denied) throw denied;
    }
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
      case 'UpdateUserAttributes':
        return this.updateUserAttributes(input);
      case 'AdminUpdateUserAttributes':
        return this.adminUpdateUserAttributes(input);
      case 'AdminListGroupsForUser':
        return this.adminListGroupsForUser(input);
      case 'ListUsers':
        return this.listUsers(input);
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
        throw new AwsServiceError(
          'UnsupportedOperationException',
          `The local Cognito does not implement ${operation}. It implements ${IMPLEMENTED.join(', ')}.`,
        );
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
    triggerSource = 'TokenGeneration_Authentication',
  ): Promise<unknown> {
    const now = this.now();
    const event: AuthEvent = {
      clientId: client.clientId,
      originJti: randomUUID(),
      authTime: Math.floor(now.getTime() / 1000),
    };
    const customization = await this.preTokenGeneration(pool, client, user, triggerSource);
    const tokens = await pool.signer.issue(
      this.subject(pool, user),
      event,
      now,
      this.validity,
      customization,
    );
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
    const customization = await this.preTokenGeneration(pool, client, user, 'TokenGeneration_RefreshTokens');
    const tokens = await pool.signer.issue(
      this.subject(pool, user),
      grant,
      this.now(),
      this.validity,
      customization,
    );
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
    return this.signIn(pool, client, user, 'TokenGeneration_NewPasswordChallenge');
  }

  private async getUser(input: Input): Promise<unknown> {
    const { user } = await this.tokenUser(required(input, 'AccessToken'));
    return { Username: user.username, UserAttributes: this.attributesOut(user) };
  }

  /** The user and client an access token was issued to. */
  private async tokenUser(
    token: string,
  ): Promise<{ pool: LocalUserPool; client: UserPoolClientConfig; user: StoredUser }> {
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
      const client = pool.config.clients.find((c) => c.clientId === claims['client_id']);
      if (!user || !client) break;
      return { pool, client, user };
    }
    throw new AwsServiceError('NotAuthorizedException', 'Invalid Access Token');
  }

  private async updateUserAttributes(input: Input): Promise<unknown> {
    const { pool, client, user } = await this.tokenUser(required(input, 'AccessToken'));
    const changes = attributeList(input, 'UserAttributes');
    this.assertClientMayWrite(client, changes);
    this.assertSchemaAllows(pool, changes, 'update');
    this.applyAttributes(user, changes);
    return { CodeDeliveryDetailsList: [] };
  }

  private adminUpdateUserAttributes(input: Input): unknown {
    const userPoolId = required(input, 'UserPoolId');
    const pool = this.pool(userPoolId);
    const user = this.user(userPoolId, required(input, 'Username'));
    const changes = attributeList(input, 'UserAttributes');
    this.assertSchemaAllows(pool, changes, 'update');
    this.applyAttributes(user, changes);
    return {};
  }

  private applyAttributes(user: StoredUser, changes: Record<string, string>): void {
    const { sub: _sub, ...rest } = changes;
    if ('email' in rest && rest['email'] !== user.attributes['email'] && !('email_verified' in rest)) {
      rest['email_verified'] = 'false';
    }
    user.attributes = { ...user.attributes, ...rest };
    this.users.touch(user, this.now());
  }

  /** A client may write its WriteAttributes, or the standard attributes when it lists none. */
  private assertClientMayWrite(client: UserPoolClientConfig, attributes: Record<string, string>): void {
    const writable = new Set(client.writeAttributes ?? STANDARD_ATTRIBUTES);
    if (Object.keys(attributes).some((name) => !writable.has(name))) {
      throw new AwsServiceError(
        'NotAuthorizedException',
        'A client attempted to write unauthorized attribute',
      );
    }
  }

  /** Custom attributes must exist in the schema; immutable ones may be set only when the user is created. */
  private assertSchemaAllows(
    pool: LocalUserPool,
    attributes: Record<string, string>,
    when: 'create' | 'update',
  ) {
    const { customAttributes, immutableAttributes = [] } = pool.config;
    for (const name of Object.keys(attributes)) {
      if (name.startsWith('custom:') && customAttributes && !customAttributes.includes(name)) {
        throw new AwsServiceError(
          'InvalidParameterException',
          `Attributes did not conform to the schema: ${name}: Attribute does not exist in the schema.`,
        );
      }
      if (when === 'update' && (immutableAttributes.includes(name) || name === 'sub')) {
        throw new AwsServiceError('InvalidParameterException', `user.${name}: Attribute cannot be updated.`);
      }
    }
  }

  private adminListGroupsForUser(input: Input): unknown {
    const userPoolId = required(input, 'UserPoolId');
    const user = this.user(userPoolId, required(input, 'Username'));
    const groups = this.byPrecedence(userPoolId, user.groups).map((name) => {
      const group = this.group(userPoolId, name);
      return {
        GroupName: group.name,
        UserPoolId: userPoolId,
        ...(group.precedence !== undefined ? { Precedence: group.precedence } : {}),
      };
    });
    return { Groups: groups };
  }

  private listUsers(input: Input): unknown {
    const userPoolId = required(input, 'UserPoolId');
    this.pool(userPoolId);
    const limit = input['Limit'] === undefined ? 60 : Number(input['Limit']);
    if (!Number.isInteger(limit) || limit < 0 || limit > 60) {
      throw new AwsServiceError(
        'InvalidParameterException',
        `1 validation error detected: Value '${String(input['Limit'])}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60`,
      );
    }
    const matches = listUsersFilter(str(input, 'Filter'));
    const users = this.users.list(userPoolId).filter((u) => matches(u));
    const start = str(input, 'PaginationToken')
      ? Number(Buffer.from(str(input, 'PaginationToken')!, 'base64url').toString())
      : 0;
    if (!Number.isInteger(start) || start < 0) {
      throw new AwsServiceError('InvalidParameterException', 'Invalid pagination token.');
    }
    const page = users.slice(start, start + limit);
    const wanted = Array.isArray(input['AttributesToGet'])
      ? (input['AttributesToGet'] as string[])
      : undefined;
    return {
      Users: page.map((u) => ({
        ...this.userOut(u, 'Attributes'),
        Attributes: this.attributesOut(u).filter((a) => !wanted || wanted.includes(a.Name)),
      })),
      ...(start + limit < users.length
        ? { PaginationToken: Buffer.from(String(start + limit)).toString('base64url') }
        : {}),
    };
  }

  /**
   * Runs the pool's pre token generation trigger and returns its changes. A V1_0 trigger changes the ID
   * token only; V2_0 and V3_0 change both (user pool Lambda triggers, "Pre token generation").
   */
  private async preTokenGeneration(
    pool: LocalUserPool,
    client: UserPoolClientConfig,
    user: StoredUser,
    triggerSource: string,
  ): Promise<TokenCustomization> {
    const trigger = pool.config.preTokenGeneration;
    if (!trigger) return {};
    if (!this.invokeTrigger) {
      throw new AwsServiceError(
        'UnexpectedLambdaException',
        'PreTokenGeneration: no Lambda runtime is attached.',
      );
    }
    const version = trigger.lambdaVersion ?? 'V1_0';
    const groups = this.byPrecedence(pool.config.userPoolId, user.groups);
    const userAttributes = {
      sub: user.sub,
      ...user.attributes,
      'cognito:user_status': user.status,
    };
    const groupConfiguration = { groupsToOverride: groups, iamRolesToOverride: [], preferredRole: null };
    const event = {
      version: version === 'V1_0' ? '1' : version === 'V2_0' ? '2' : '3',
      triggerSource,
      region: LOCAL_REGION,
      userPoolId: pool.config.userPoolId,
      userName: user.username,
      callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: client.clientId },
      request: {
        userAttributes,
        groupConfiguration,
        ...(version === 'V1_0' ? {} : { scopes: ['aws.cognito.signin.user.admin'] }),
      },
      response:
        version === 'V1_0' ? { claimsOverrideDetails: null } : { claimsAndScopeOverrideDetails: null },
    };
    let out: unknown;
    try {
      out = await this.invokeTrigger(trigger.lambdaArn, event);
    } catch (error) {
      throw new AwsServiceError(
        'UserLambdaValidationException',
        `PreTokenGeneration failed with error ${(error as Error).message}.`,
      );
    }
    const response = (out as { response?: Record<string, unknown> } | null)?.response ?? {};
    type Details = {
      claimsToAddOrOverride?: Record<string, unknown>;
      claimsToSuppress?: string[];
      groupOverrideDetails?: { groupsToOverride?: string[] };
      idTokenGeneration?: TokenCustomization['idToken'];
      accessTokenGeneration?: TokenCustomization['accessToken'];
    };
    if (version === 'V1_0') {
      const details = (response['claimsOverrideDetails'] ?? {}) as Details;
      const groupsOverride = details.groupOverrideDetails?.groupsToOverride;
      return {
        idToken: {
          ...(details.claimsToAddOrOverride ? { claimsToAddOrOverride: details.claimsToAddOrOverride } : {}),
          ...(details.claimsToSuppress ? { claimsToSuppress: details.claimsToSuppress } : {}),
        },
        ...(groupsOverride ? { groups: groupsOverride } : {}),
      };
    }
    const details = (response['claimsAndScopeOverrideDetails'] ?? {}) as Details;
    const groupsOverride = details.groupOverrideDetails?.groupsToOverride;
    return {
      ...(details.idTokenGeneration ? { idToken: details.idTokenGeneration } : {}),
      ...(details.accessTokenGeneration ? { accessToken: details.accessTokenGeneration } : {}),
      ...(groupsOverride ? { groups: groupsOverride } : {}),
    };
  }

  private async signUp(input: Input): Promise<unknown> {
    const { pool, client } = this.client(required(input, 'ClientId'));
    const username = required(input, 'Username');
    const password = required(input, 'Password');
    this.assertSecretHash(client, username, str(input, 'SecretHash'));
    if (pool.config.allowAdminCreateUserOnly) {
      throw new AwsServiceError('NotAuthorizedException', 'SignUp is not permitted for this user pool');
    }
    const attributes = attributeList(input, 'UserAttributes');
    this.assertClientMayWrite(client, attributes);
    this.assertSchemaAllows(pool, attributes, 'create');
    if (this.users.has(pool.config.userPoolId, username)) {
      throw new AwsServiceError('UsernameExistsException', 'User already exists');
    }
    const user = await this.newUser(username, password, 'UNCONFIRMED', attributes);
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
    this.assertSchemaAllows(this.pool(userPoolId), attributeList(input, 'UserAttributes'), 'create');
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

/**
 * A ListUsers Filter: `attribute = "value"` (exact) or `attribute ^= "value"` (prefix), on the
 * searchable standard attributes only; no filter matches every user.
 */
function listUsersFilter(filter: string | undefined): (user: StoredUser) => boolean {
  if (!filter?.trim()) return () => true;
  const m = /^\s*([\w:]+)\s*(\^?=)\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(filter);
  if (!m) throw new AwsServiceError('InvalidParameterException', 'Error while parsing filter.');
  const [, name, op, value] = m as unknown as [string, string, string, string];
  if (!SEARCHABLE.has(name)) {
    throw new AwsServiceError('InvalidParameterException', `Cannot search on attribute ${name}.`);
  }
  const read = (user: StoredUser): string | undefined =>
    name === 'username'
      ? user.username
      : name === 'sub'
        ? user.sub
        : name === 'status' || name === 'cognito:user_status'
          ? user.status
          : user.attributes[name];
  return (user) => {
    const actual = read(user);
    if (actual === undefined) return false;
    return op === '=' ? actual === value : actual.startsWith(value);
  };
}

/** Starts the local Cognito: generates each pool's keys and seeds users. */
export function createLocalCognito(options: LocalCognitoOptions): Promise<LocalCognito> {
  return LocalCognito.create(options);
}
