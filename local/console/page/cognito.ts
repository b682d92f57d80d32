/**
 * Sign-in from the browser with the AWS SDK's Cognito client, pointed at the local Cognito on this page's
 * own origin: InitiateAuth with USER_PASSWORD_AUTH, the flow the app client allows.
 */
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import type { ConsoleAuth, ConsoleConfig, TokenClaims } from './api';

/** The claims of an ID token the board reads: the sub, the groups and the vendor id. */
export function tokenClaims(idToken: string): TokenClaims {
  const claims = decodeJwt(idToken);
  const groups = claims['cognito:groups'];
  const vendorId = claims['custom:vendorId'];
  return {
    sub: String(claims.sub),
    groups: Array.isArray(groups) ? groups.map(String) : [],
    ...(typeof vendorId === 'string' && vendorId ? { vendorId } : {}),
  };
}

/** Signs in as a user of the pool; throws Cognito's own error (NotAuthorizedException …) on failure. */
export async function signIn(
  config: ConsoleConfig,
  username: string,
  password: string,
): Promise<Extract<ConsoleAuth, { mode: 'AMAZON_COGNITO_USER_POOLS' }>> {
  const cognito = new CognitoIdentityProviderClient({
    region: config.region,
    endpoint: window.location.origin,
    // InitiateAuth is unsigned in AWS; the SDK still wants credentials to exist.
    credentials: { accessKeyId: 'console', secretAccessKey: 'console' },
  });
  try {
    const out = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: config.clientId,
        AuthParameters: { USERNAME: username, PASSWORD: password },
      }),
    );
    const idToken = out.AuthenticationResult?.IdToken;
    if (!idToken) throw new Error(`sign-in returned no ID token (challenge: ${out.ChallengeName ?? 'none'})`);
    return { mode: 'AMAZON_COGNITO_USER_POOLS', username, idToken, claims: tokenClaims(idToken) };
  } finally {
    cognito.destroy();
  }
}
