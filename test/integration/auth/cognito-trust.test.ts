/**
 * The local Cognito as an attacker meets it (issue 12, items 4, 5 and 16) and as the AWS SDK expects it
 * (issue 9, section 4): IAM-authorized operations need SigV4 with the local IAM keys, the pool's and the
 * client's settings are enforced, the pre token generation trigger shapes both tokens.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
  InitiateAuthCommand,
  ListUsersCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createAwsJsonRouter } from '@orderloop/local/aws-json';
import { LOCAL_CREDENTIALS } from '@orderloop/local/aws-ids';
import { createLocalCognito, type LocalCognito } from '@orderloop/local/cognito';
import { vendorIdentityClaims } from '../../../functions/pre-token-generation/handler.js';

const OPEN_POOL = 'us-east-1_OpenPool01';
const CLOSED_POOL = 'us-east-1_AdminOnly1';
const WEB_CLIENT = 'web0000000000000000000000a';
const LISTING_CLIENT = 'writesall00000000000000000';
const DEFAULT_CLIENT = 'defaults000000000000000000';
const CLOSED_CLIENT = 'closed00000000000000000000';
const FLOWS = ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];
const TRIGGER_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:pre-token';
const PASSWORD = 'Vendor-Password-1!';

/** The error a call fails with, so a test can act first and assert after without unhandled rejections. */
const failure = (call: Promise<unknown>) =>
  call.then(
    () => undefined,
    (error: unknown) => error,
  );

const decode = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

describe('local Cognito trust rules through the AWS SDK', () => {
  let server: Server;
  let cognito: LocalCognito;
  let baseUrl: string;
  let admin: CognitoIdentityProviderClient;
  let anonymous: CognitoIdentityProviderClient;
  const triggerEvents: Record<string, unknown>[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      void createAwsJsonRouter([cognito])(req, res).then((handled) => handled || res.writeHead(404).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    cognito = await createLocalCognito({
      issuerBaseUrl: `${baseUrl}/cognito`,
      userPools: [
        {
          userPoolId: OPEN_POOL,
          clients: [
            { clientId: WEB_CLIENT, explicitAuthFlows: FLOWS, writeAttributes: ['name'] },
            {
              clientId: LISTING_CLIENT,
              explicitAuthFlows: FLOWS,
              writeAttributes: ['name', 'custom:vendorId'],
            },
            { clientId: DEFAULT_CLIENT, explicitAuthFlows: FLOWS },
          ],
          groups: [{ name: 'admin', precedence: 0 }, { name: 'vendor', precedence: 1 }, { name: 'customer' }],
          customAttributes: ['custom:vendorId'],
          immutableAttributes: ['custom:vendorId'],
          preTokenGeneration: { lambdaArn: TRIGGER_ARN, lambdaVersion: 'V2_0' },
        },
        {
          userPoolId: CLOSED_POOL,
          clients: [{ clientId: CLOSED_CLIENT, explicitAuthFlows: FLOWS }],
          allowAdminCreateUserOnly: true,
        },
      ],
      users: [
        {
          userPoolId: OPEN_POOL,
          username: 'ada',
          password: PASSWORD,
          email: 'ada@vendor.example',
          groups: ['vendor'],
          attributes: { 'custom:vendorId': 'v-ada' },
        },
        {
          userPoolId: OPEN_POOL,
          username: 'bob',
          password: PASSWORD,
          email: 'bob@example.com',
          groups: ['customer'],
        },
        // A customer that an admin gave a vendor id by mistake: the trigger must not let it through.
        {
          userPoolId: OPEN_POOL,
          username: 'carol',
          password: PASSWORD,
          email: 'carol@example.com',
          groups: ['customer'],
          attributes: { 'custom:vendorId': 'v-stray' },
        },
      ],
      // The trigger is the project's own (functions/pre-token-generation), run in process.
      invokeTrigger: async (arn, event) => {
        expect(arn).toBe(TRIGGER_ARN);
        triggerEvents.push(event as Record<string, unknown>);
        const e = event as { request: Parameters<typeof vendorIdentityClaims>[0] };
        return { ...e, response: { claimsAndScopeOverrideDetails: vendorIdentityClaims(e.request) } };
      },
    });
    admin = new CognitoIdentityProviderClient({
      endpoint: baseUrl,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    });
    anonymous = new CognitoIdentityProviderClient({
      endpoint: baseUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDNOTLOCAL', secretAccessKey: 'wrong' },
    });
  });
  afterAll(async () => {
    admin.destroy();
    anonymous.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  const unsigned = async (operation: string, body: Record<string, unknown>) => {
    const res = await fetch(baseUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `AWSCognitoIdentityProviderService.${operation}`,
      },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { __type: string; message: string } };
  };
  const signIn = async (username: string, clientId = WEB_CLIENT) =>
    (
      await anonymous.send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: clientId,
          AuthParameters: { USERNAME: username, PASSWORD },
        }),
      )
    ).AuthenticationResult!;

  describe('IAM-authorized operations', () => {
    it('rejects an unsigned AdminGetUser without returning the user', async () => {
      // Act
      const answer = await unsigned('AdminGetUser', { UserPoolId: OPEN_POOL, Username: 'ada' });
      // Assess
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({
        __type: 'MissingAuthenticationTokenException',
        message: 'Missing Authentication Token',
      });
    });

    it('rejects an unsigned AdminAddUserToGroup before it looks the user up, and grants nothing', async () => {
      // Act
      const forUnknown = await unsigned('AdminAddUserToGroup', {
        UserPoolId: OPEN_POOL,
        Username: 'nobody',
        GroupName: 'admin',
      });
      const forKnown = await unsigned('AdminAddUserToGroup', {
        UserPoolId: OPEN_POOL,
        Username: 'bob',
        GroupName: 'admin',
      });
      // Assess: the same answer for both, so it tells nothing about who exists
      expect(forUnknown.body.__type).toBe('MissingAuthenticationTokenException');
      expect(forKnown.body).toEqual(forUnknown.body);
      const groups = await admin.send(
        new AdminListGroupsForUserCommand({ UserPoolId: OPEN_POOL, Username: 'bob' }),
      );
      expect(groups.Groups?.map((g) => g.GroupName)).toEqual(['customer']);
    });

    it('rejects an admin operation signed with keys that are not the local IAM keys', async () => {
      // Act
      const act = anonymous.send(new AdminGetUserCommand({ UserPoolId: OPEN_POOL, Username: 'ada' }));
      // Assess
      await expect(act).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    });

    it('rejects an admin operation whose body was changed after signing', async () => {
      // Prepare: a client that signs one body and sends another
      const tampering = new CognitoIdentityProviderClient({
        endpoint: baseUrl,
        region: 'us-east-1',
        credentials: LOCAL_CREDENTIALS,
      });
      tampering.middlewareStack.add(
        (next) => async (args) => {
          const request = args.request as { body: string };
          request.body = request.body.replace('"bob"', '"ada"');
          return next(args);
        },
        { step: 'finalizeRequest', priority: 'low' },
      );
      // Act
      const act = tampering.send(new AdminGetUserCommand({ UserPoolId: OPEN_POOL, Username: 'bob' }));
      // Assess
      await expect(act).rejects.toMatchObject({ name: 'InvalidSignatureException' });
      tampering.destroy();
    });

    it('answers AdminGetUser signed with the local IAM keys as the SDK expects', async () => {
      // Act
      const user = await admin.send(new AdminGetUserCommand({ UserPoolId: OPEN_POOL, Username: 'ada' }));
      // Assess: AdminGetUser API reference, response elements
      expect(user).toMatchObject({ Username: 'ada', Enabled: true, UserStatus: 'CONFIRMED' });
      expect(user.UserCreateDate).toBeInstanceOf(Date);
      expect(user.UserAttributes).toEqual(
        expect.arrayContaining([
          { Name: 'sub', Value: expect.any(String) },
          { Name: 'custom:vendorId', Value: 'v-ada' },
          { Name: 'email', Value: 'ada@vendor.example' },
        ]),
      );
    });
  });

  describe('ListUsers', () => {
    it('lists every user with its attributes and status', async () => {
      // Act
      const out = await admin.send(new ListUsersCommand({ UserPoolId: OPEN_POOL }));
      // Assess
      expect(out.Users?.map((u) => u.Username).sort()).toEqual(['ada', 'bob', 'carol']);
      expect(out.Users?.[0]).toMatchObject({ Enabled: true, UserStatus: 'CONFIRMED' });
      expect(out.Users?.[0]?.UserLastModifiedDate).toBeInstanceOf(Date);
      expect(out.PaginationToken).toBeUndefined();
    });

    it('filters on an exact or a prefix match and returns only the attributes asked for', async () => {
      // Act
      const exact = await admin.send(
        new ListUsersCommand({ UserPoolId: OPEN_POOL, Filter: 'email = "bob@example.com"' }),
      );
      const prefix = await admin.send(
        new ListUsersCommand({
          UserPoolId: OPEN_POOL,
          Filter: 'username ^= "ca"',
          AttributesToGet: ['email'],
        }),
      );
      // Assess
      expect(exact.Users?.map((u) => u.Username)).toEqual(['bob']);
      expect(prefix.Users).toEqual([
        expect.objectContaining({
          Username: 'carol',
          Attributes: [{ Name: 'email', Value: 'carol@example.com' }],
        }),
      ]);
    });

    it('pages with Limit and PaginationToken', async () => {
      // Act
      const first = await admin.send(new ListUsersCommand({ UserPoolId: OPEN_POOL, Limit: 2 }));
      const second = await admin.send(
        new ListUsersCommand({ UserPoolId: OPEN_POOL, Limit: 2, PaginationToken: first.PaginationToken! }),
      );
      // Assess
      expect(first.Users).toHaveLength(2);
      expect(second.Users).toHaveLength(1);
      expect(second.PaginationToken).toBeUndefined();
      expect([...first.Users!, ...second.Users!].map((u) => u.Username).sort()).toEqual([
        'ada',
        'bob',
        'carol',
      ]);
    });

    it('rejects a filter on a custom attribute, which Cognito cannot search', async () => {
      // Act
      const act = admin.send(
        new ListUsersCommand({ UserPoolId: OPEN_POOL, Filter: 'custom:vendorId = "v-ada"' }),
      );
      // Assess
      await expect(act).rejects.toMatchObject({ name: 'InvalidParameterException' });
    });
  });

  it('answers an operation it does not implement in AWS error shape, saying so', async () => {
    // Act
    const act = admin.send(new DescribeUserPoolCommand({ UserPoolId: OPEN_POOL }));
    // Assess
    await expect(act).rejects.toMatchObject({
      name: 'UnsupportedOperationException',
      message: expect.stringMatching(
        /^The local Cognito does not implement DescribeUserPool\. It implements /,
      ),
    });
  });

  describe("the pool's and the client's settings", () => {
    it('rejects SignUp on a pool that allows only admins to create users', async () => {
      // Act
      const act = anonymous.send(
        new SignUpCommand({ ClientId: CLOSED_CLIENT, Username: 'mallory', Password: 'Mallory-Pass-1!' }),
      );
      // Assess: SignUp API reference, NotAuthorizedException
      await expect(act).rejects.toMatchObject({
        name: 'NotAuthorizedException',
        message: 'SignUp is not permitted for this user pool',
      });
      const users = await admin.send(new ListUsersCommand({ UserPoolId: CLOSED_POOL }));
      expect(users.Users).toEqual([]);
    });

    it('rejects a SignUp that writes an attribute the client may not write', async () => {
      // Act
      const act = anonymous.send(
        new SignUpCommand({
          ClientId: WEB_CLIENT,
          Username: 'mallory',
          Password: 'Mallory-Pass-1!',
          UserAttributes: [{ Name: 'custom:vendorId', Value: 'v-ada' }],
        }),
      );
      // Assess
      await expect(act).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    });

    it('rejects a user writing its vendor id through a client that does not list it', async () => {
      // Prepare
      const tokens = await signIn('ada');
      // Act
      const act = anonymous.send(
        new UpdateUserAttributesCommand({
          AccessToken: tokens.AccessToken!,
          UserAttributes: [{ Name: 'custom:vendorId', Value: 'v-bob' }],
        }),
      );
      // Assess
      await expect(act).rejects.toMatchObject({
        name: 'NotAuthorizedException',
        message: 'A client attempted to write unauthorized attribute',
      });
    });

    it('rejects custom attributes from a client without WriteAttributes, which may write standard ones only', async () => {
      // Prepare
      const tokens = await signIn('ada', DEFAULT_CLIENT);
      // Act
      const custom = await failure(
        anonymous.send(
          new UpdateUserAttributesCommand({
            AccessToken: tokens.AccessToken!,
            UserAttributes: [{ Name: 'custom:vendorId', Value: 'v-bob' }],
          }),
        ),
      );
      await anonymous.send(
        new UpdateUserAttributesCommand({
          AccessToken: tokens.AccessToken!,
          UserAttributes: [{ Name: 'nickname', Value: 'Ada L.' }],
        }),
      );
      // Assess
      expect(custom).toMatchObject({ name: 'NotAuthorizedException' });
      const user = await admin.send(new AdminGetUserCommand({ UserPoolId: OPEN_POOL, Username: 'ada' }));
      expect(user.UserAttributes).toContainEqual({ Name: 'nickname', Value: 'Ada L.' });
    });

    it('rejects changing an immutable attribute even through a client that may write it, or as an admin', async () => {
      // Prepare
      const tokens = await signIn('ada', LISTING_CLIENT);
      // Act
      const byUser = await failure(
        anonymous.send(
          new UpdateUserAttributesCommand({
            AccessToken: tokens.AccessToken!,
            UserAttributes: [{ Name: 'custom:vendorId', Value: 'v-bob' }],
          }),
        ),
      );
      const byAdmin = await failure(
        admin.send(
          new AdminUpdateUserAttributesCommand({
            UserPoolId: OPEN_POOL,
            Username: 'ada',
            UserAttributes: [{ Name: 'custom:vendorId', Value: 'v-bob' }],
          }),
        ),
      );
      // Assess
      expect(byUser).toMatchObject({
        name: 'InvalidParameterException',
        message: 'user.custom:vendorId: Attribute cannot be updated.',
      });
      expect(byAdmin).toMatchObject({ name: 'InvalidParameterException' });
      const user = await admin.send(new AdminGetUserCommand({ UserPoolId: OPEN_POOL, Username: 'ada' }));
      expect(user.UserAttributes).toContainEqual({ Name: 'custom:vendorId', Value: 'v-ada' });
    });
  });

  describe('the pre token generation trigger (V2_0)', () => {
    it('sends the V2 event and puts the vendor id into both tokens of a vendor', async () => {
      // Act
      const tokens = await signIn('ada');
      // Assess: the event Cognito documents for V2_0
      expect(triggerEvents.at(-1)).toMatchObject({
        version: '2',
        triggerSource: 'TokenGeneration_Authentication',
        userPoolId: OPEN_POOL,
        userName: 'ada',
        callerContext: { clientId: WEB_CLIENT },
        request: {
          userAttributes: { 'custom:vendorId': 'v-ada', sub: expect.any(String) },
          groupConfiguration: { groupsToOverride: ['vendor'] },
        },
      });
      expect(decode(tokens.IdToken!)['custom:vendorId']).toBe('v-ada');
      expect(decode(tokens.AccessToken!)['custom:vendorId']).toBe('v-ada');
    });

    it('runs again on refresh, so refreshed access tokens keep the claim', async () => {
      // Prepare
      const first = await signIn('ada');
      // Act
      const out = await anonymous.send(
        new InitiateAuthCommand({
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          ClientId: WEB_CLIENT,
          AuthParameters: { REFRESH_TOKEN: first.RefreshToken! },
        }),
      );
      // Assess
      expect(triggerEvents.at(-1)).toMatchObject({ triggerSource: 'TokenGeneration_RefreshTokens' });
      expect(decode(out.AuthenticationResult!.AccessToken!)['custom:vendorId']).toBe('v-ada');
    });

    it('keeps the vendor id out of both tokens of a user outside the vendor group', async () => {
      // Act
      const tokens = await signIn('carol');
      // Assess
      expect(decode(tokens.IdToken!)).not.toHaveProperty('custom:vendorId');
      expect(decode(tokens.AccessToken!)).not.toHaveProperty('custom:vendorId');
      expect(decode(tokens.AccessToken!)['cognito:groups']).toEqual(['customer']);
    });
  });
});

describe('a failing pre token generation trigger', () => {
  it('fails the sign-in with UserLambdaValidationException and issues no tokens', async () => {
    // Prepare
    const cognito = await createLocalCognito({
      userPools: [
        {
          userPoolId: OPEN_POOL,
          clients: [{ clientId: WEB_CLIENT, explicitAuthFlows: FLOWS }],
          preTokenGeneration: { lambdaArn: TRIGGER_ARN, lambdaVersion: 'V2_0' },
        },
      ],
      users: [{ username: 'ada', password: PASSWORD }],
      invokeTrigger: () => Promise.reject(new Error('boom')),
    });
    // Act
    const act = cognito.handle('InitiateAuth', {
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: WEB_CLIENT,
      AuthParameters: { USERNAME: 'ada', PASSWORD },
    });
    // Assess: Cognito reports a trigger's failure with this error
    await expect(act).rejects.toMatchObject({
      code: 'UserLambdaValidationException',
      message: 'PreTokenGeneration failed with error boom.',
    });
  });
});
