/**
 * The console's one way to the API: AWS's Apollo links, as an AppSync web app would use them.
 * aws-appsync-auth-link adds the API key, the Cognito token or a SigV4 signature to each HTTP request;
 * aws-appsync-subscription-link speaks AppSync's real-time protocol (header-<base64url> subprotocol,
 * connection_init, start/start_ack/data/complete/stop) at `<graphql url>/realtime`, ws:// or wss:// by the
 * page's own scheme. Both come from the same auth options, so the editor and the board sign alike.
 */
import { ApolloClient, ApolloLink, InMemoryCache, ServerError } from '@apollo/client';
import { createAuthLink, type AuthOptions } from 'aws-appsync-auth-link';
import { CONTROL_EVENTS_KEY, createSubscriptionHandshakeLink } from 'aws-appsync-subscription-link';
import { BaseHttpLink } from '@apollo/client/link/http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { parse, type FormattedExecutionResult } from 'graphql';
import { Observable } from 'rxjs';
import type { ConsoleConfig } from '../config';

export type { ConsoleConfig };

/** How the console calls the API: one of AppSync's auth modes. */
export type ConsoleAuth =
  | { readonly mode: 'API_KEY'; readonly apiKey: string }
  | { readonly mode: 'AWS_IAM'; readonly accessKeyId: string; readonly secretAccessKey: string }
  | {
      readonly mode: 'AMAZON_COGNITO_USER_POOLS';
      readonly username: string;
      readonly idToken: string;
      readonly claims: TokenClaims;
    };

/** The ID token claims the board needs. */
export interface TokenClaims {
  readonly sub: string;
  readonly groups: readonly string[];
  readonly vendorId?: string;
}

/** One GraphQL request. */
export interface GraphQLRequest {
  readonly query: string;
  readonly variables?: Record<string, unknown> | null;
  readonly operationName?: string | null;
}

/** An AppSync answer; an HTTP error status still carries AppSync's `errors` body. */
export type GraphQLAnswer = FormattedExecutionResult<Record<string, unknown>>;

/** Options of {@link ConsoleApi.execute}. */
export interface ExecuteOptions {
  /** Called on AppSync's start_ack of a subscription: from then on no event is missed. */
  readonly onStarted?: () => void;
}

/** The API, signed with one auth mode. */
export interface ConsoleApi {
  readonly auth: ConsoleAuth;
  /** Every answer of one operation: one for a query or mutation, one per event for a subscription. */
  execute(request: GraphQLRequest, options?: ExecuteOptions): Observable<GraphQLAnswer>;
  /** A query or mutation; resolves with AppSync's answer, errors included. */
  request(request: GraphQLRequest): Promise<GraphQLAnswer>;
}

/** The GraphQL endpoint of the stack that served this page, over whichever scheme and port it used. */
export function graphqlUrl(): string {
  return new URL('/graphql', window.location.href).toString();
}

function authOptions(auth: ConsoleAuth): AuthOptions {
  switch (auth.mode) {
    case 'API_KEY':
      return { type: 'API_KEY', apiKey: auth.apiKey };
    case 'AWS_IAM':
      return {
        type: 'AWS_IAM',
        credentials: { accessKeyId: auth.accessKeyId, secretAccessKey: auth.secretAccessKey },
      };
    case 'AMAZON_COGNITO_USER_POOLS':
      return { type: 'AMAZON_COGNITO_USER_POOLS', jwtToken: auth.idToken };
  }
}

/** An HTTP error (401, 400 …) as the GraphQL answer its body is, so the editor shows AppSync's message. */
function asAnswer(error: unknown): GraphQLAnswer {
  if (ServerError.is(error)) {
    try {
      const body = JSON.parse(error.bodyText) as GraphQLAnswer;
      if (body && typeof body === 'object' && ('errors' in body || 'data' in body)) return body;
    } catch {
      // not JSON: fall through to the status line
    }
    return { errors: [{ message: `HTTP ${error.statusCode}: ${error.bodyText}` }] };
  }
  const errors = (error as { errors?: unknown } | null)?.errors;
  if (Array.isArray(errors)) return { errors } as GraphQLAnswer;
  return { errors: [{ message: error instanceof Error ? error.message : JSON.stringify(error) }] };
}

/**
 * fetch that signs each request with SigV4 exactly as it goes out (method, path, headers, body), with
 * the AWS SDK's own signer. aws-appsync-auth-link signs the body it expects Apollo to send, and Apollo
 * 4's HTTP link sends a different one (key order, extensions), which AppSync rejects.
 */
function signingFetch(region: string, credentials: { accessKeyId: string; secretAccessKey: string }) {
  const signer = new SignatureV4({ service: 'appsync', region, credentials, sha256: Sha256 });
  return async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const signed = await signer.sign(
      new HttpRequest({
        method: init.method ?? 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: url.pathname,
        headers: { ...headers, host: url.host },
        body: init.body,
      }),
    );
    // The browser sets Host itself and refuses a script's.
    const { host: _host, ...sent } = signed.headers;
    return fetch(input, { ...init, headers: sent });
  };
}

/** Builds the API for one auth mode. */
export function createConsoleApi(region: string, auth: ConsoleAuth): ConsoleApi {
  const url = graphqlUrl();
  const options = { url, region, auth: authOptions(auth) };
  const http = new BaseHttpLink({
    uri: url,
    ...(auth.mode === 'AWS_IAM' ? { fetch: signingFetch(region, auth) } : {}),
  });
  // The link ships CJS and ESM typings of @apollo/client; at run time it is the same ApolloLink.
  // For IAM, the HTTP requests are signed by signingFetch and only the real-time handshake by the link.
  const link = ApolloLink.from([
    ...(auth.mode === 'AWS_IAM' ? [] : [createAuthLink(options) as unknown as ApolloLink]),
    // BaseHttpLink, not HttpLink: HttpLink adds Apollo's clientLibrary extension to every request body.
    createSubscriptionHandshakeLink(options as never, http as never) as unknown as ApolloLink,
  ]);
  const client = new ApolloClient({ link, cache: new InMemoryCache() });

  const execute = (request: GraphQLRequest, executeOptions: ExecuteOptions = {}) =>
    new Observable<GraphQLAnswer>((observer) => {
      let query;
      try {
        query = parse(request.query);
      } catch (error) {
        observer.next(asAnswer(error));
        observer.complete();
        return;
      }
      const subscription = ApolloLink.execute(
        link,
        {
          query,
          variables: request.variables ?? {},
          ...(request.operationName ? { operationName: request.operationName } : {}),
          // The link reports start_ack as a control message only when asked to.
          ...(executeOptions.onStarted
            ? { context: { controlMessages: { [CONTROL_EVENTS_KEY]: true } } }
            : {}),
        },
        { client },
      ).subscribe({
        next: (result) => {
          if (result.extensions?.['controlMsgType'] === 'CONNECTED') return executeOptions.onStarted?.();
          if (result.extensions?.['controlMsgType']) return; // other control messages carry no data
          observer.next(result as GraphQLAnswer);
        },
        error: (error: unknown) => {
          observer.next(asAnswer(error));
          observer.complete();
        },
        complete: () => observer.complete(),
      });
      return () => subscription.unsubscribe();
    });

  return {
    auth,
    execute,
    request: (request) =>
      new Promise((resolve) => {
        let answer: GraphQLAnswer = { errors: [{ message: 'no answer' }] };
        execute(request).subscribe({
          next: (value) => (answer = value),
          complete: () => resolve(answer),
        });
      }),
  };
}
