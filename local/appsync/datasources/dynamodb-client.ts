/**
 * The DynamoDB client of the AMAZON_DYNAMODB data sources. In AWS, AppSync signs its data-source calls
 * with the data source's role; locally they go from this process straight to DynamoDB Local, which reads
 * the access key of the Authorization header (to name its database file, unless -sharedDb) and checks
 * no signature ("DynamoDB local usage notes": the values "don't have to be valid AWS values to run
 * locally"). So the client sends one well-formed SigV4 header, built once, instead of signing each
 * request (about half of the SDK's CPU time per call), and keeps its resolved middleware chain (most of
 * the rest). Everything else is the AWS SDK as is (serialisation, retries, errors), so middleware on its
 * stack (the cost meter's ConsumedCapacity request, the load benchmark's capture) works unchanged.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { HttpRequest, RequestSigner } from '@smithy/types';

/** Where the data sources reach DynamoDB, and as whom. */
export interface DataSourceDynamoDbClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** A fixed SigV4 Authorization header for `accessKeyId`: the shape DynamoDB Local parses, signing nothing. */
export function unsignedAuthorization(accessKeyId: string, region: string): string {
  return (
    `AWS4-HMAC-SHA256 Credential=${accessKeyId}/19700101/${region}/dynamodb/aws4_request, ` +
    `SignedHeaders=host;x-amz-date;x-amz-target, Signature=${'0'.repeat(64)}`
  );
}

/**
 * A DynamoDB client for the data sources that only talks to DynamoDB Local: its requests carry a fixed
 * Authorization header instead of a signature. Never point it at AWS, which would refuse every call.
 */
export function createDataSourceDynamoDbClient(config: DataSourceDynamoDbClientConfig): DynamoDBClient {
  const authorization = unsignedAuthorization(config.credentials.accessKeyId, config.region);
  const signer: RequestSigner = {
    sign: (request: HttpRequest) => {
      request.headers['authorization'] = authorization;
      request.headers['x-amz-date'] = '19700101T000000Z';
      return Promise.resolve(request);
    },
  };
  const client = new DynamoDBClient({
    endpoint: config.endpoint,
    region: config.region,
    credentials: config.credentials,
    signer,
    // The resolved middleware chain is kept per command class instead of rebuilt for every call, which
    // was most of the rest of the SDK's CPU time.
    cacheMiddleware: true,
  });
  dropCacheOnChange(client);
  return client;
}

/**
 * With `cacheMiddleware`, middleware added after the first call would be skipped without a word (the SDK
 * documents it): every change to the stack drops the cached chains, so the next call resolves anew.
 */
function dropCacheOnChange(client: DynamoDBClient): void {
  const stack = client.middlewareStack;
  for (const method of ['add', 'addRelativeTo', 'use', 'remove', 'removeByTag'] as const) {
    const original = stack[method].bind(stack) as (...args: unknown[]) => unknown;
    (stack as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      const result = original(...args);
      // The smithy Client keeps the chains per command class in `handlers` (a WeakMap it recreates).
      delete (client as unknown as { handlers?: unknown }).handlers;
      return result;
    };
  }
}
