/**
 * How an e2e test talks to a running local stack: only through its public endpoints, with the same AWS
 * client libraries an application uses (Cognito SDK, SigV4 signer, aws-appsync-subscription-link).
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { ApolloClient, InMemoryCache, type ApolloLink } from '@apollo/client';
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { createSubscriptionHandshakeLink } from 'aws-appsync-subscription-link';
import { WebSocket } from 'ws';
import type { LocalStackEndpoints } from '@orderloop/local/endpoints';

/** A GraphQL answer with its HTTP status. */
export interface GraphqlAnswer {
  readonly status: number;
  readonly body: { data?: Record<string, unknown> | null; errors?: Record<string, unknown>[] };
}

/** A signed-in user: the ID token and its claims. */
export interface SignedIn {
  readonly idToken: string;
  readonly claims: Record<string, unknown>;
}

/** Signs a user in with USER_PASSWORD_AUTH through the unmodified Cognito SDK, only the endpoint overridden. */
export async function signIn(endpoints: LocalStackEndpoints, username: string): Promise<SignedIn> {
  const user = endpoints.users.find((u) => u.username === username);
  if (!user) throw new Error(`no demo user ${username} in the endpoints`);
  const client = new CognitoIdentityProviderClient({
    region: endpoints.region,
    endpoint: endpoints.cognito.endpoint,
    credentials: endpoints.iam,
  });
  const out = await client.send(
    new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: endpoints.cognito.clientId,
      AuthParameters: { USERNAME: user.username, PASSWORD: user.password },
    }),
  );
  client.destroy();
  const idToken = out.AuthenticationResult?.IdToken;
  if (!idToken) throw new Error(`${username} got no ID token`);
  const claims = JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
  return { idToken, claims };
}

/** POSTs a GraphQL request with the given headers. */
export async function graphql(
  endpoints: LocalStackEndpoints,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphqlAnswer> {
  const res = await fetch(endpoints.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as GraphqlAnswer['body'] };
}

/** POSTs a GraphQL request signed with SigV4 as the local IAM principal, as a backend Lambda signs it. */
export async function iamGraphql(
  endpoints: LocalStackEndpoints,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphqlAnswer> {
  const url = new URL(endpoints.graphqlUrl);
  const body = JSON.stringify({ query, variables });
  const signer = new SignatureV4({
    credentials: endpoints.iam,
    region: endpoints.region,
    service: 'appsync',
    sha256: Sha256,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      headers: { host: url.host, 'content-type': 'application/json' },
      body,
    }),
  );
  const res = await fetch(url, { method: 'POST', headers: signed.headers, body });
  return { status: res.status, body: (await res.json()) as GraphqlAnswer['body'] };
}

/** An Apollo client whose link is AWS's aws-appsync-subscription-link, signed in with a user pool token. */
export function subscriptionClient(endpoints: LocalStackEndpoints, jwtToken: string): ApolloClient {
  (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
  const auth = { type: 'AMAZON_COGNITO_USER_POOLS', jwtToken };
  // The link ships CJS and ESM typings of @apollo/client; the object is the same ApolloLink.
  const link = createSubscriptionHandshakeLink({
    url: endpoints.graphqlUrl,
    region: endpoints.region,
    auth,
  } as never) as unknown as ApolloLink;
  return new ApolloClient({ link, cache: new InMemoryCache() });
}

/** Polls until the condition holds, failing with what it waited for. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
