import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminInitiateAuthCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  GetUserCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createAwsJsonRouter } from '../../../aws-json.js';
import { LOCAL_CREDENTIALS } from '../../../aws-ids.js';
import { createCognitoVerifier } from '../../../auth/cognito-verifier.js';
import {
  createJwksHandler,
  createLocalCognito,
  jwksUriFor,
  type LocalCognito,
} from '../../../cognito/index.js';

const POOL_ID = 'us-east-1_OrderLoop1';
const WEB_CLIENT = 'web0000000000000000000000a';
const SRP_ONLY_CLIENT = 'srponly00000000000000000000';
const ADMIN_CLIENT = 'admin000000000000000000000';
const VENDOR = { username: 'vendor-ada', password: 'Ada-Lovelace-1', email: 'ada@vendor.example' };

describe('local Cognito through the AWS SDK', () => {
  let server: Server;
  let cognito: LocalCognito;
  let baseUrl: string;
  let client: CognitoIdentityProviderClient;
  const persistPath = join(mkdtempSync(join(tmpdir(), 'orderloop-cognito-')), 'users.json');

  beforeAll(async () => {
    server = createServer((req, res) => {
      void (async () => {
        const handled =
          (await createJwksHandler(cognito)(req, res)) || (await createAwsJsonRouter([cognito])(req, res));
        if (!handled) res.writeHead(404).end();
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    cognito = await createLocalCognito({
      issuerBaseUrl: `${baseUrl}/cognito`,
      persistPath,
      userPools: [
        {
          userPoolId: POOL_ID,
          clients: [
            {
              clientId: WEB_CLIENT,
              explicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
            },
            {
              clientId: SRP_ONLY_CLIENT,
              explicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
            },
            { clientId: ADMIN_CLIENT, explicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH'] },
          ],
          groups: [{ name: 'vendor' }, { name: 'customer' }],
        },
      ],
      users: [{ ...VENDOR, groups: ['vendor'], attributes: { 'custom:vendorId': 'v-ada' } }],
    });
    client = new CognitoIdentityProviderClient({
      endpoint: baseUrl,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    });
  });
  afterAll(async () => {
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  const signIn = (username: string, password: string, clientId = WEB_CLIENT) =>
    client.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: clientId,
        AuthParameters: { USERNAME: username, PASSWORD: password },
      }),
    );

  it('signs a seeded user in and returns tokens that verify against the served JWKS', async () => {
    // Prepare: the verifier fetches the JWKS over HTTP from the issuer's well-known URL
    const verifier = createCognitoVerifier({ issuer: `${baseUrl}/cognito/${POOL_ID}`, clientId: WEB_CLIENT });
    // Act
    const out = await signIn(VENDOR.username, VENDOR.password);
    const result = out.AuthenticationResult!;
    const id = await verifier.verify(result.IdToken!);
    const access = await verifier.verify(result.AccessToken!);
    // Assess: InitiateAuth API reference, AuthenticationResultType
    expect(result).toMatchObject({ ExpiresIn: 3600, TokenType: 'Bearer' });
    expect(result.RefreshToken).toEqual(expect.any(String));
    expect(id).toMatchObject({
      token_use: 'id',
      aud: WEB_CLIENT,
      'cognito:username': VENDOR.username,
      'cognito:groups': ['vendor'],
      'custom:vendorId': 'v-ada',
      email: VENDOR.email,
    });
    expect(access).toMatchObject({ token_use: 'access', client_id: WEB_CLIENT, username: VENDOR.username });
  });

  it('serves the JWKS with a key per token kind and no private key material', async () => {
    // Prepare
    const tokens = (await signIn(VENDOR.username, VENDOR.password)).AuthenticationResult!;
    const kidOf = (jwt: string) =>
      (JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
    // Act
    const response = await fetch(jwksUriFor(`${baseUrl}/cognito`, POOL_ID));
    const jwks = (await response.json()) as { keys: Record<string, unknown>[] };
    // Assess: Cognito "Verifying JSON web tokens" - the kid of the header is one of the JWKS keys
    expect(response.status).toBe(200);
    expect(jwks.keys.map((k) => k['kid']).sort()).toEqual(
      [kidOf(tokens.IdToken!), kidOf(tokens.AccessToken!)].sort(),
    );
    expect(jwks.keys.every((k) => k['kty'] === 'RSA' && k['alg'] === 'RS256' && !('d' in k))).toBe(true);
  });

  it('rejects a wrong password as NotAuthorizedException', async () => {
    // Act
    const act = signIn(VENDOR.username, 'not-the-password');
    // Assess: InitiateAuth errors, NotAuthorizedException
    await expect(act).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
  });

  it('rejects an unknown user with the same answer as a wrong password', async () => {
    // Act
    const act = signIn('nobody', 'whatever-1');
    // Assess: user existence errors are prevented by default on new app clients
    await expect(act).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
  });

  it('rejects an unknown app client as ResourceNotFoundException', async () => {
    // Act
    const act = signIn(VENDOR.username, VENDOR.password, 'unknownclient000000000000');
    // Assess
    await expect(act).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('rejects a flow the app client does not enable as InvalidParameterException', async () => {
    // Act
    const act = signIn(VENDOR.username, VENDOR.password, SRP_ONLY_CLIENT);
    // Assess: ExplicitAuthFlows gate InitiateAuth
    await expect(act).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'USER_PASSWORD_AUTH flow not enabled for this client',
    });
  });

  it('refreshes tokens, keeping the original auth_time and origin_jti', async () => {
    // Prepare
    const first = (await signIn(VENDOR.username, VENDOR.password)).AuthenticationResult!;
    const claims = (jwt: string) =>
      JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    // Act
    const out = await client.send(
      new InitiateAuthCommand({
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        ClientId: WEB_CLIENT,
        AuthParameters: { REFRESH_TOKEN: first.RefreshToken! },
      }),
    );
    // Assess: Cognito "Using the refresh token"; no new refresh token without rotation
    const refreshed = out.AuthenticationResult!;
    expect(refreshed.RefreshToken).toBeUndefined();
    expect(claims(refreshed.IdToken!)['origin_jti']).toBe(claims(first.IdToken!)['origin_jti']);
    expect(claims(refreshed.IdToken!)['auth_time']).toBe(claims(first.IdToken!)['auth_time']);
    expect(claims(refreshed.IdToken!)['jti']).not.toBe(claims(first.IdToken!)['jti']);
  });

  it('rejects an unknown refresh token', async () => {
    // Act
    const act = client.send(
      new InitiateAuthCommand({
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        ClientId: WEB_CLIENT,
        AuthParameters: { REFRESH_TOKEN: 'nope' },
      }),
    );
    // Assess
    await expect(act).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Invalid Refresh Token',
    });
  });

  it('returns the user behind an access token from GetUser', async () => {
    // Prepare
    const tokens = (await signIn(VENDOR.username, VENDOR.password)).AuthenticationResult!;
    // Act
    const user = await client.send(new GetUserCommand({ AccessToken: tokens.AccessToken! }));
    // Assess
    expect(user.Username).toBe(VENDOR.username);
    expect(user.UserAttributes).toEqual(
      expect.arrayContaining([{ Name: 'custom:vendorId', Value: 'v-ada' }]),
    );
  });

  it('seeds a user with the admin API and signs it in with AdminInitiateAuth', async () => {
    // Prepare
    await client.send(
      new AdminCreateUserCommand({
        UserPoolId: POOL_ID,
        Username: 'cora',
        UserAttributes: [{ Name: 'email', Value: 'cora@example.com' }],
        MessageAction: 'SUPPRESS',
      }),
    );
    await client.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: POOL_ID,
        Username: 'cora',
        Password: 'Cora-Pass-1',
        Permanent: true,
      }),
    );
    await client.send(
      new AdminAddUserToGroupCommand({ UserPoolId: POOL_ID, Username: 'cora', GroupName: 'customer' }),
    );
    // Act
    const out = await client.send(
      new AdminInitiateAuthCommand({
        UserPoolId: POOL_ID,
        ClientId: ADMIN_CLIENT,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'cora', PASSWORD: 'Cora-Pass-1' },
      }),
    );
    // Assess
    const verifier = createCognitoVerifier({ issuer: cognito.issuer(POOL_ID), jwks: cognito.jwks(POOL_ID) });
    const id = await verifier.verify(out.AuthenticationResult!.IdToken!);
    expect(id['cognito:groups']).toEqual(['customer']);
    expect(id['email']).toBe('cora@example.com');
  });

  it('rejects sign-in of a signed-up user until an admin confirms it', async () => {
    // Prepare
    await client.send(new SignUpCommand({ ClientId: WEB_CLIENT, Username: 'dan', Password: 'Dan-Pass-1' }));
    // Act
    const before = signIn('dan', 'Dan-Pass-1');
    await expect(before).rejects.toMatchObject({ name: 'UserNotConfirmedException' });
    await client.send(new AdminConfirmSignUpCommand({ UserPoolId: POOL_ID, Username: 'dan' }));
    const after = await signIn('dan', 'Dan-Pass-1');
    // Assess
    expect(after.AuthenticationResult?.IdToken).toEqual(expect.any(String));
  });

  it('persists users as salted hashes that a restarted pool signs in with', async () => {
    // Prepare
    const file = readFileSync(persistPath, 'utf8');
    const restarted = await createLocalCognito({
      issuerBaseUrl: `${baseUrl}/cognito`,
      persistPath,
      userPools: [
        {
          userPoolId: POOL_ID,
          clients: [{ clientId: WEB_CLIENT, explicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] }],
        },
      ],
    });
    // Act
    const out = (await restarted.handle('InitiateAuth', {
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: WEB_CLIENT,
      AuthParameters: { USERNAME: 'dan', PASSWORD: 'Dan-Pass-1' },
    })) as { AuthenticationResult?: unknown };
    // Assess
    expect(file).not.toContain('Dan-Pass-1');
    expect(file).not.toContain(VENDOR.password);
    expect(file).toContain('"algorithm": "scrypt"');
    expect(out.AuthenticationResult).toBeDefined();
  });
});
