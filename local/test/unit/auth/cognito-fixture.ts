import { createLocalCognito, type LocalCognito } from '../../../cognito/index.js';

/** The pool, client and user the auth tests sign in with. */
export const POOL_ID = 'us-east-1_TestPool1';
export const CLIENT_ID = 'webclient0000000000000000a';
export const OTHER_CLIENT_ID = 'otherclient000000000000000';
export const USER = { username: 'vera', password: 'Correct-Horse-1', email: 'vera@example.com' };

/** A local Cognito with one pool, two clients and a vendor admin; `now` lets tests issue old tokens. */
export function testCognito(
  options: { now?: () => Date; issuerBaseUrl?: string } = {},
): Promise<LocalCognito> {
  return createLocalCognito({
    issuerBaseUrl: options.issuerBaseUrl ?? 'http://127.0.0.1:20002/cognito',
    ...(options.now ? { now: options.now } : {}),
    userPools: [
      {
        userPoolId: POOL_ID,
        name: 'orderloop-users',
        clients: [
          {
            clientId: CLIENT_ID,
            explicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
          },
          { clientId: OTHER_CLIENT_ID, explicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] },
        ],
        groups: [
          { name: 'vendor', precedence: 2 },
          { name: 'admin', precedence: 1 },
        ],
      },
    ],
    users: [{ ...USER, groups: ['vendor', 'admin'], attributes: { 'custom:vendorId': 'v-42' } }],
  });
}

/** Signs the test user in through the service's own InitiateAuth. */
export async function signIn(cognito: LocalCognito, clientId = CLIENT_ID) {
  const out = (await cognito.handle('InitiateAuth', {
    AuthFlow: 'USER_PASSWORD_AUTH',
    ClientId: clientId,
    AuthParameters: { USERNAME: USER.username, PASSWORD: USER.password },
  })) as { AuthenticationResult: { IdToken: string; AccessToken: string; RefreshToken: string } };
  return out.AuthenticationResult;
}
