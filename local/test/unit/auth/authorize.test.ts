import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ACCOUNT, LOCAL_CREDENTIALS } from '../../../aws-ids.js';
import { localApiKeyValue } from '../../../auth/api-key.js';
import {
  authFailureBody,
  createAuthorizer,
  type ApiAuthConfig,
  type AuthRequest,
} from '../../../auth/authorize.js';
import type { LocalCognito } from '../../../cognito/index.js';
import { CLIENT_ID, OTHER_CLIENT_ID, POOL_ID, USER, signIn, testCognito } from './cognito-fixture.js';

const CONFIG: ApiAuthConfig = {
  defaultMode: 'AMAZON_COGNITO_USER_POOLS',
  additionalModes: ['AWS_IAM', 'API_KEY'],
  userPool: { userPoolId: POOL_ID, defaultAction: 'ALLOW' },
  apiKeys: [{ id: 'OrderApiKey' }],
};
const BODY = JSON.stringify({ query: '{ publicMenu }' });
const request = (headers: Record<string, string>): AuthRequest => ({
  method: 'POST',
  url: '/graphql',
  headers: { host: '127.0.0.1:20002', 'content-type': 'application/json', ...headers },
  body: BODY,
  sourceIp: '10.0.0.7',
});

describe('AppSync request authorization', () => {
  let cognito: LocalCognito;
  let past: LocalCognito;
  beforeAll(async () => {
    [cognito, past] = await Promise.all([
      testCognito(),
      testCognito({ now: () => new Date(Date.now() - 2 * 3600 * 1000) }),
    ]);
  });

  it('authorizes an ID token with the Cognito identity AppSync passes resolvers', async () => {
    // Prepare
    const authorize = createAuthorizer(CONFIG, { userPools: cognito });
    const { IdToken } = await signIn(cognito);
    // Act
    const result = await authorize(request({ authorization: IdToken }));
    // Assess: AppSync "Resolver context object reference", Identity for AMAZON_COGNITO_USER_POOLS
    expect(result).toMatchObject({ ok: true, mode: 'AMAZON_COGNITO_USER_POOLS' });
    const identity = result.ok ? (result.identity as unknown as Record<string, unknown>) : {};
    expect(Object.keys(identity).sort()).toEqual(
      ['claims', 'defaultAuthStrategy', 'groups', 'issuer', 'sourceIp', 'sub', 'username'].sort(),
    );
    expect(identity).toMatchObject({
      issuer: cognito.issuer(POOL_ID),
      username: USER.username,
      sourceIp: ['10.0.0.7'],
      defaultAuthStrategy: 'ALLOW',
      groups: ['admin', 'vendor'],
    });
    expect((identity['claims'] as Record<string, unknown>)['custom:vendorId']).toBe('v-42');
  });

  it('authorizes an access token too, taking the username from its username claim', async () => {
    // Prepare
    const authorize = createAuthorizer(CONFIG, { userPools: cognito });
    const { AccessToken } = await signIn(cognito);
    // Act
    const result = await authorize(
      request({ authorization: AccessToken, 'x-forwarded-for': '203.0.113.9, 10.0.0.1' }),
    );
    // Assess
    expect(result).toMatchObject({
      ok: true,
      identity: { username: USER.username, sourceIp: ['203.0.113.9', '10.0.0.1'] },
    });
  });

  it('authorizes a SigV4-signed request with the IAM identity', async () => {
    // Prepare
    const authorize = createAuthorizer(CONFIG, { userPools: cognito });
    const signer = new SignatureV4({
      credentials: LOCAL_CREDENTIALS,
      region: 'us-east-1',
      service: 'appsync',
      sha256: Sha256,
    });
    const signed = await signer.sign(
      new HttpRequest({
        method: 'POST',
        hostname: '127.0.0.1',
        path: '/graphql',
        headers: { host: '127.0.0.1:20002', 'content-type': 'application/json' },
        body: BODY,
      }),
    );
    // Act
    const result = await authorize(request(signed.headers));
    // Assess: AppSync "Resolver context object reference", Identity for AWS_IAM
    expect(result).toEqual({
      ok: true,
      mode: 'AWS_IAM',
      identity: {
        accountId: LOCAL_ACCOUNT,
        cognitoIdentityPoolId: null,
        cognitoIdentityId: null,
        sourceIp: ['10.0.0.7'],
        username: LOCAL_CREDENTIALS.accessKeyId,
        userArn: `arn:aws:iam::${LOCAL_ACCOUNT}:user/orderloop-local`,
        cognitoIdentityAuthType: null,
        cognitoIdentityAuthProvider: null,
      },
    });
  });

  it('authorizes a valid API key with a null identity', async () => {
    // Prepare
    const authorize = createAuthorizer(CONFIG, { userPools: cognito });
    // Act
    const result = await authorize(request({ 'x-api-key': localApiKeyValue('OrderApiKey') }));
    // Assess: API_KEY requests have no identity
    expect(result).toEqual({ ok: true, mode: 'API_KEY', identity: null });
  });

  it.each([
    {
      what: 'no credentials at all',
      headers: {} as Record<string, string>,
      message: 'Missing authorization header',
    },
    {
      what: 'an unknown API key',
      headers: { 'x-api-key': 'da2-wrong' },
      message: 'You are not authorized to make this call.',
    },
    {
      what: 'a header that is not a JWT',
      headers: { authorization: 'Bearer abc' },
      message: 'Unable to parse JWT token.',
    },
  ])('rejects $what with a 401 UnauthorizedException', async ({ headers, message }) => {
    // Prepare
    const authorize = createAuthorizer(CONFIG, { userPools: cognito });
    // Act
    const result = await authorize(request(headers));
    // Assess: the 401 body AppSync answers unauthenticated requests with
    expect(result).toEqual({ ok: false, status: 401, errorType: 'UnauthorizedException', message });
    expect(!result.ok && authFailureBody(result)).toEqual({
      errors: [{ errorType: 'UnauthorizedException', message }],
    });
  });

  it('rejects an expired Cognito token with "Token has expired."', async () => {
    // Prepare
    const authorize = createAuthorizer(CONFIG, { userPools: past });
    const { IdToken } = await signIn(past);
    // Act
    const result = await authorize(request({ authorization: IdToken }));
    // Assess
    expect(result).toMatchObject({ ok: false, status: 401, message: 'Token has expired.' });
  });

  it('rejects a token of an app client the API does not accept', async () => {
    // Prepare
    const authorize = createAuthorizer(
      { ...CONFIG, userPool: { userPoolId: POOL_ID, appIdClientRegex: CLIENT_ID } },
      { userPools: cognito },
    );
    const { IdToken } = await signIn(cognito, OTHER_CLIENT_ID);
    // Act
    const result = await authorize(request({ authorization: IdToken }));
    // Assess: UserPoolConfig AppIdClientRegex
    expect(result).toMatchObject({
      ok: false,
      status: 401,
      message: 'Valid authorization header not provided.',
    });
  });

  it('rejects a SigV4 request when the API has no IAM mode', async () => {
    // Prepare
    const authorize = createAuthorizer({ ...CONFIG, additionalModes: [] }, { userPools: cognito });
    // Act
    const result = await authorize(request({ authorization: 'AWS4-HMAC-SHA256 Credential=x' }));
    // Assess
    expect(result).toMatchObject({ ok: false, status: 401, errorType: 'UnauthorizedException' });
  });

  it('passes the Lambda authorizer resolverContext as the identity', async () => {
    // Prepare
    const authorize = createAuthorizer(
      { defaultMode: 'AWS_LAMBDA' },
      {
        lambdaAuthorizer: async ({ authorizationToken }) => ({
          isAuthorized: authorizationToken === 'letmein',
          resolverContext: { tenant: 't1' },
        }),
      },
    );
    // Act
    const allowed = await authorize(request({ authorization: 'letmein' }));
    const denied = await authorize(request({ authorization: 'nope' }));
    // Assess: AppSync "AWS_LAMBDA authorization", ctx.identity.resolverContext
    expect(allowed).toEqual({
      ok: true,
      mode: 'AWS_LAMBDA',
      identity: { resolverContext: { tenant: 't1' } },
    });
    expect(denied).toMatchObject({ ok: false, status: 401, errorType: 'UnauthorizedException' });
  });
});
