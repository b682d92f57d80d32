import { beforeAll, describe, expect, it } from 'vitest';
import { createCognitoVerifier } from '../../../auth/cognito-verifier.js';
import type { LocalCognito } from '../../../cognito/index.js';
import { CLIENT_ID, OTHER_CLIENT_ID, POOL_ID, USER, signIn, testCognito } from './cognito-fixture.js';

describe('Cognito token verification', () => {
  // Key generation is the slow part, so the pools are made once.
  let cognito: LocalCognito;
  let restarted: LocalCognito;
  let foreign: LocalCognito;
  let past: LocalCognito;
  beforeAll(async () => {
    [cognito, restarted, foreign, past] = await Promise.all([
      testCognito(),
      testCognito(),
      testCognito({ issuerBaseUrl: 'http://127.0.0.1:29999/cognito' }),
      // Tokens issued two hours ago live one hour.
      testCognito({ now: () => new Date(Date.now() - 2 * 3600 * 1000) }),
    ]);
  });

  it('accepts both the ID and the access token of a sign-in', async () => {
    // Prepare
    const tokens = await signIn(cognito);
    const verifier = createCognitoVerifier({
      issuer: cognito.issuer(POOL_ID),
      jwks: cognito.jwks(POOL_ID),
      clientId: CLIENT_ID,
    });
    // Act
    const id = await verifier.verify(tokens.IdToken);
    const access = await verifier.verify(tokens.AccessToken);
    // Assess: Cognito developer guide, "Understanding the identity (ID) token" and "... access token"
    expect(id).toMatchObject({
      token_use: 'id',
      aud: CLIENT_ID,
      'cognito:username': USER.username,
      email: USER.email,
      email_verified: true,
      'cognito:groups': ['admin', 'vendor'],
      'custom:vendorId': 'v-42',
      iss: 'http://127.0.0.1:20002/cognito/us-east-1_TestPool1',
    });
    expect(access).toMatchObject({
      token_use: 'access',
      client_id: CLIENT_ID,
      username: USER.username,
      scope: 'aws.cognito.signin.user.admin',
    });
    expect(access.sub).toBe(id.sub);
    expect(access['origin_jti']).toBe(id['origin_jti']);
    expect(id.exp! - id.iat!).toBe(3600);
  });

  it('rejects an expired token', async () => {
    // Prepare
    const tokens = await signIn(past);
    const verifier = createCognitoVerifier({ issuer: past.issuer(POOL_ID), jwks: past.jwks(POOL_ID) });
    // Act
    const act = verifier.verify(tokens.IdToken);
    // Assess
    await expect(act).rejects.toThrow(/Token expired/);
  });

  it('rejects a token from another issuer', async () => {
    // Prepare
    const tokens = await signIn(foreign);
    const verifier = createCognitoVerifier({ issuer: cognito.issuer(POOL_ID), jwks: cognito.jwks(POOL_ID) });
    // Act
    const act = verifier.verify(tokens.AccessToken);
    // Assess
    await expect(act).rejects.toThrow(
      'Issuer not allowed: http://127.0.0.1:29999/cognito/us-east-1_TestPool1',
    );
  });

  it('rejects a token signed by another key under the same issuer', async () => {
    // Prepare: a restarted pool keeps its issuer but has new keys
    const tokens = await signIn(cognito);
    const verifier = createCognitoVerifier({
      issuer: restarted.issuer(POOL_ID),
      jwks: restarted.jwks(POOL_ID),
    });
    // Act
    const act = verifier.verify(tokens.IdToken);
    // Assess
    await expect(act).rejects.toThrow(/JWK for kid .* not found/);
  });

  it('rejects a token issued to another app client', async () => {
    // Prepare
    const tokens = await signIn(cognito, OTHER_CLIENT_ID);
    const verifier = createCognitoVerifier({
      issuer: cognito.issuer(POOL_ID),
      jwks: cognito.jwks(POOL_ID),
      clientId: CLIENT_ID,
    });
    // Act
    const idResult = verifier.verify(tokens.IdToken);
    const accessResult = verifier.verify(tokens.AccessToken);
    // Assess
    await expect(idResult).rejects.toThrow(/Client ID/);
    await expect(accessResult).rejects.toThrow(/Client ID/);
  });

  it('rejects a token whose payload was altered', async () => {
    // Prepare
    const [header, payload, signature] = (await signIn(cognito)).IdToken.split('.') as [
      string,
      string,
      string,
    ];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, 'cognito:groups': ['admin', 'root'] })).toString(
      'base64url',
    );
    const verifier = createCognitoVerifier({ issuer: cognito.issuer(POOL_ID), jwks: cognito.jwks(POOL_ID) });
    // Act
    const act = verifier.verify(`${header}.${forged}.${signature}`);
    // Assess
    await expect(act).rejects.toThrow(/signature/i);
  });

  describe('cache of verified tokens', () => {
    it('answers a repeated token with the same claims, and rejects it once its expiry passed', async () => {
      // Prepare
      const tokens = await signIn(cognito);
      let clock = Date.now();
      const verifier = createCognitoVerifier({
        issuer: cognito.issuer(POOL_ID),
        jwks: cognito.jwks(POOL_ID),
        now: () => clock,
      });
      const first = await verifier.verify(tokens.IdToken);
      // Act
      const again = await verifier.verify(tokens.IdToken);
      clock = first.exp! * 1000 + 1;
      const late = verifier.verify(tokens.IdToken);
      // Assess
      expect(again).toEqual(first);
      await expect(late).rejects.toThrow(/expired/i);
    });

    it('still rejects an altered copy of a token it has verified', async () => {
      // Prepare
      const token = (await signIn(cognito)).IdToken;
      const verifier = createCognitoVerifier({
        issuer: cognito.issuer(POOL_ID),
        jwks: cognito.jwks(POOL_ID),
      });
      await verifier.verify(token);
      const [header, payload, signature] = token.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
      const forged = Buffer.from(JSON.stringify({ ...claims, 'cognito:groups': ['admin'] })).toString(
        'base64url',
      );
      // Act
      const act = verifier.verify(`${header}.${forged}.${signature}`);
      // Assess
      await expect(act).rejects.toThrow(/signature/i);
    });

    it('hands out claims no caller can change for the next one', async () => {
      // Prepare
      const tokens = await signIn(cognito);
      const verifier = createCognitoVerifier({
        issuer: cognito.issuer(POOL_ID),
        jwks: cognito.jwks(POOL_ID),
      });
      const first = await verifier.verify(tokens.IdToken);
      // Act
      const change = () => {
        (first as Record<string, unknown>)['cognito:groups'] = ['admin', 'root'];
      };
      // Assess
      expect(change).toThrow(TypeError);
      expect((await verifier.verify(tokens.IdToken))['cognito:groups']).toEqual(['admin', 'vendor']);
    });
  });
});
