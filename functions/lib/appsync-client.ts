import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from '@smithy/protocol-http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { AwsCredentialIdentity, Provider } from '@smithy/types';

/** A GraphQL document with its result and variables types (codegen's TypedDocumentString). */
export interface TypedDocument<TResult, TVariables> {
  toString(): string;
  /** Phantom fields that carry the types. */
  __apiType?: (variables: TVariables) => TResult;
}

/** One GraphQL error as AppSync returns it. */
export interface AppSyncGraphQLError {
  message: string;
  errorType?: string;
  errorInfo?: unknown;
  path?: (string | number)[];
}

/** AppSync answered, but with errors; HTTP 200 with `errors` is a failure, not a success. */
export class AppSyncRequestError extends Error {
  constructor(
    readonly errors: AppSyncGraphQLError[],
    readonly status: number,
  ) {
    super(
      `AppSync request failed (${status}): ${errors.map((e) => `${e.errorType ?? 'Error'}: ${e.message}`).join('; ')}`,
    );
    this.name = 'AppSyncRequestError';
  }
}

/** Options for the SigV4 AppSync client. */
export interface AppSyncClientOptions {
  /** The GraphQL endpoint URL. */
  readonly url: string;
  /** @default process.env.AWS_REGION */
  readonly region?: string;
  /** @default the SDK's default credential chain (the Lambda role's credentials) */
  readonly credentials?: AwsCredentialIdentity | Provider<AwsCredentialIdentity>;
  /** Sent as x-correlation-id so the chain can be followed across services. */
  readonly correlationId?: string;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** Calls AppSync with IAM (SigV4) auth, as the consumers do to push status. */
export function createAppSyncClient(options: AppSyncClientOptions) {
  const url = new URL(options.url);
  const region = options.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const signer = new SignatureV4({
    service: 'appsync',
    region,
    credentials: options.credentials ?? defaultProvider(),
    sha256: Sha256,
  });
  const doFetch = options.fetch ?? fetch;

  return {
    /** Runs one operation; resolves to `data`, rejects with AppSyncRequestError on any `errors`. */
    async request<TResult, TVariables>(
      document: TypedDocument<TResult, TVariables>,
      variables: TVariables,
      requestOptions: { correlationId?: string } = {},
    ): Promise<TResult> {
      const body = JSON.stringify({ query: document.toString(), variables });
      const headers: Record<string, string> = {
        host: url.host,
        'content-type': 'application/json',
      };
      const correlationId = requestOptions.correlationId ?? options.correlationId;
      if (correlationId) headers['x-correlation-id'] = correlationId;
      const signed = await signer.sign(
        new HttpRequest({
          method: 'POST',
          protocol: url.protocol,
          hostname: url.hostname,
          port: url.port ? Number(url.port) : undefined,
          path: url.pathname,
          headers,
          body,
        }),
      );
      const response = await doFetch(url, { method: 'POST', headers: signed.headers, body });
      const text = await response.text();
      let payload: { data?: TResult; errors?: AppSyncGraphQLError[] };
      try {
        payload = JSON.parse(text) as typeof payload;
      } catch {
        throw new AppSyncRequestError([{ message: text.slice(0, 500) }], response.status);
      }
      if (!response.ok || (payload.errors && payload.errors.length > 0)) {
        throw new AppSyncRequestError(payload.errors ?? [{ message: response.statusText }], response.status);
      }
      return payload.data as TResult;
    },
  };
}

/** The client's type. */
export type AppSyncClient = ReturnType<typeof createAppSyncClient>;
