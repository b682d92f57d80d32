/**
 * A user-level client of the local stack: it signs in through the Cognito API, calls GraphQL over HTTP
 * and subscribes through AWS's own subscription link, exactly as an app would. Nothing here reaches into
 * the stack's internals, so the e2e scenarios and the demo exercise what a user sees.
 */
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { ApolloClient, ApolloLink, InMemoryCache } from '@apollo/client';
import { createSubscriptionHandshakeLink } from 'aws-appsync-subscription-link';
import { parse } from 'graphql';
import { decodeJwt } from 'jose';
import { WebSocket } from 'ws';

/** What the client needs of `.orderloop/endpoints.json` (a subset of LocalStackEndpoints). */
export interface ClientEndpoints {
  readonly graphqlUrl: string;
  readonly region: string;
  readonly cognito: { readonly endpoint: string; readonly clientId: string };
}

/** A typed document as codegen writes it (documentMode: string). */
export interface TypedDocument<TResult, TVariables> {
  toString(): string;
  /** Phantom: carries the result and variables types. */
  __apiType?: (variables: TVariables) => TResult;
}

/** A signed-in user: the ID token goes in the Authorization header, as AppSync's Cognito mode expects. */
export interface Session {
  readonly endpoints: ClientEndpoints;
  readonly username: string;
  readonly idToken: string;
  /** The Cognito sub, which the API uses as the customer id. */
  readonly sub: string;
}

/** One GraphQL error as AppSync reports it. */
export interface AppSyncError {
  readonly message: string;
  readonly errorType?: string;
  readonly errorInfo?: unknown;
  readonly path?: readonly (string | number)[];
  readonly data?: unknown;
}

/** A GraphQL answer; errors are returned, never thrown, so tests can assert AppSync's error shape. */
export interface GraphQLResult<TResult> {
  readonly status: number;
  readonly data: TResult | null;
  readonly errors?: readonly AppSyncError[];
}

// Node 20 has no global WebSocket; the subscription link expects one, as in a browser.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

/** Signs in with USER_PASSWORD_AUTH through the AWS SDK, pointed at the local Cognito endpoint. */
export async function signIn(
  endpoints: ClientEndpoints,
  username: string,
  password: string,
): Promise<Session> {
  const cognito = new CognitoIdentityProviderClient({
    region: endpoints.region,
    endpoint: endpoints.cognito.endpoint,
    // InitiateAuth is unsigned in AWS; the SDK still wants credentials to exist.
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const out = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: endpoints.cognito.clientId,
        AuthParameters: { USERNAME: username, PASSWORD: password },
      }),
    );
    const idToken = out.AuthenticationResult?.IdToken;
    if (!idToken)
      throw new Error(
        `sign-in of ${username} returned no ID token (challenge: ${out.ChallengeName ?? 'none'})`,
      );
    return { endpoints, username, idToken, sub: String(decodeJwt(idToken).sub) };
  } finally {
    cognito.destroy();
  }
}

/** POSTs one GraphQL request with the given headers; the low-level call behind {@link graphql}. */
export async function postGraphQL<TResult>(
  graphqlUrl: string,
  body: { query: string; variables?: unknown },
  headers: Record<string, string> = {},
): Promise<GraphQLResult<TResult>> {
  const res = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: { data?: TResult | null; errors?: AppSyncError[] } = {};
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    parsed = { errors: [{ message: text }] };
  }
  return {
    status: res.status,
    data: parsed.data ?? null,
    ...(parsed.errors ? { errors: parsed.errors } : {}),
  };
}

/** Calls the API as the signed-in user. */
export function graphql<TResult, TVariables>(
  session: Session,
  document: TypedDocument<TResult, TVariables>,
  variables: TVariables,
): Promise<GraphQLResult<TResult>> {
  return postGraphQL<TResult>(
    session.endpoints.graphqlUrl,
    { query: document.toString(), variables },
    { authorization: session.idToken },
  );
}

/** A live subscription that keeps what it receives. */
export interface LiveSubscription<TEvent> {
  /** Every data event, in arrival order. */
  readonly events: TEvent[];
  /** Errors the link reported (a refused subscription ends with one). */
  readonly errors: unknown[];
  /** Resolves on AppSync's start_ack, rejects when the subscription is refused. */
  readonly started: Promise<void>;
  /** Resolves with the first event, already received or not, that matches; rejects after timeoutMs. */
  waitFor(predicate: (event: TEvent) => boolean, timeoutMs?: number): Promise<TEvent>;
  /** Sends stop and closes the link's socket when it has no other subscription. */
  close(): void;
}

/** Options of {@link subscribe}. */
export interface SubscribeOptions<TEvent> {
  /** Called with each data event as it arrives (the demo prints them live). */
  readonly onEvent?: (event: TEvent) => void;
}

/**
 * Subscribes as the signed-in user through aws-appsync-subscription-link (AppSync's real-time protocol
 * over WebSocket). The payload under the subscription's root field is what `events` keeps.
 */
export function subscribe<TResult, TVariables>(
  session: Session,
  document: TypedDocument<TResult, TVariables>,
  variables: TVariables,
  options: SubscribeOptions<NonNullable<TResult[keyof TResult]>> = {},
): LiveSubscription<NonNullable<TResult[keyof TResult]>> {
  type TEvent = NonNullable<TResult[keyof TResult]>;
  const link = createSubscriptionHandshakeLink({
    url: session.endpoints.graphqlUrl,
    region: session.endpoints.region,
    auth: { type: 'AMAZON_COGNITO_USER_POOLS', jwtToken: session.idToken },
    // The link ships CJS and ESM typings of @apollo/client; the object is the same ApolloLink.
  } as never) as unknown as ApolloLink;
  const client = new ApolloClient({ link, cache: new InMemoryCache() });

  const events: TEvent[] = [];
  const errors: unknown[] = [];
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((listener) => listener());
  let onStarted: () => void = () => undefined;
  let onRefused: (error: unknown) => void = () => undefined;
  const started = new Promise<void>((resolve, reject) => {
    onStarted = resolve;
    onRefused = reject;
  });
  // Without a handler a refused subscription would be an unhandled rejection in tests that never await it.
  started.catch(() => undefined);

  const fail = (error: unknown) => {
    errors.push(error);
    onRefused(error);
    notify();
  };
  // ApolloLink.execute rather than client.subscribe: Apollo Client drops the link's start_ack control
  // message (it has no data), and `started` must mean AppSync is listening before the test acts.
  const subscription = ApolloLink.execute(
    link,
    {
      query: parse(document.toString()),
      variables: variables as Record<string, unknown>,
      context: { controlMessages: { '@@controlEvents': true } },
    },
    { client },
  ).subscribe({
    next(result) {
      if (result.extensions?.['controlMsgType'] === 'CONNECTED') {
        onStarted();
        return;
      }
      if (result.errors?.length) return fail(result.errors);
      const data = result.data as Record<string, unknown> | null | undefined;
      const payload = data ? Object.values(data)[0] : undefined;
      if (payload !== undefined && payload !== null) {
        events.push(payload as TEvent);
        options.onEvent?.(payload as TEvent);
        notify();
      }
    },
    error: fail,
  });

  return {
    events,
    errors,
    started,
    waitFor(predicate, timeoutMs = 20_000) {
      return new Promise<TEvent>((resolve, reject) => {
        const check = () => {
          const found = events.find(predicate);
          if (found !== undefined) {
            done();
            resolve(found);
          } else if (errors.length > 0) {
            done();
            reject(new Error(`subscription failed: ${describe(errors[0])}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(
              `no matching subscription event within ${timeoutMs} ms; received ${JSON.stringify(events)}`,
            ),
          );
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    close() {
      subscription.unsubscribe();
      client.stop();
    },
  };
}

function describe(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause;
  return JSON.stringify(cause ?? error) ?? String(error);
}
