/**
 * The DynamoDB client of the AMAZON_DYNAMODB data sources. In AWS, AppSync signs its data-source calls
 * with the data source's role; locally they go from this process straight to DynamoDB Local, which reads
 * the access key of the Authorization header (to name its database file, unless -sharedDb) and checks
 * no signature ("DynamoDB local usage notes": the values "don't have to be valid AWS values to run
 * locally"). So the client sends one well-formed SigV4 header, built once, instead of signing each call.
 *
 * It speaks DynamoDB's JSON protocol itself (a POST with `X-Amz-Target: DynamoDB_20120810.<Operation>`
 * and the request as `application/x-amz-json-1.0`, whose field names are the SDK commands' own) on a
 * keep-alive agent. The AWS SDK's middleware chain, schema serde and HTTP handler were most of the
 * stack's CPU per resolver call, and the data sources need none of them: their requests already are
 * DynamoDB JSON. What callers relied on stays the SDK's: `send` takes the SDK's command objects and
 * answers with the same output shapes, service errors are the SDK's exception classes (so
 * `instanceof TransactionCanceledException`, `name`, `message`, `$metadata` and fields such as
 * `CancellationReasons` hold as before), and failed attempts are retried by the SDK's own
 * StandardRetryStrategy with the SDK's error classification (throttling, transient and 5xx answers,
 * reset connections; three attempts).
 */
import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import * as sdk from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  StandardRetryStrategy,
  isServerError,
  isThrottlingError,
  isTransientError,
} from '@smithy/core/retry';
import type { RetryErrorInfo, SdkError, StandardRetryToken } from '@smithy/types';

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

/** What the data sources need of a DynamoDB client: the AWS SDK client and the lean one both have it. */
export type DynamoDbSender = Pick<DynamoDBClient, 'send'>;

/** A DynamoDB request body or answer body, in the wire's (and the SDK commands') field names. */
export type DynamoDbJson = Record<string, unknown>;

/** One call as interceptors see it: the operation (`GetItem`) and the caller's input. */
export interface DynamoDbCall {
  readonly operation: string;
  readonly input: DynamoDbJson;
}

/**
 * Wraps every call of a client, outside its retries (one call, however many attempts): `next` sends
 * the input it is given (which may differ from the caller's) and resolves to the answer, or rejects
 * with the SDK's exception.
 */
export type DynamoDbInterceptor = (
  call: DynamoDbCall,
  next: (input: DynamoDbJson) => Promise<DynamoDbJson>,
) => Promise<DynamoDbJson>;

/** The operations the data sources send; anything else is a programming error, refused before any I/O. */
const OPERATIONS = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
]);

/** The SDK's exception classes by the wire's error code (`ConditionalCheckFailedException`, ...). */
const EXCEPTIONS = new Map<string, new (options: never) => sdk.DynamoDBServiceException>(
  Object.entries(sdk).flatMap(([name, value]) =>
    typeof value === 'function' &&
    value.prototype instanceof sdk.DynamoDBServiceException &&
    name.endsWith('Exception')
      ? [[name, value as new (options: never) => sdk.DynamoDBServiceException]]
      : [],
  ),
);

/** The wire's base64 binary (B, BS) as the SDK hands it out: Uint8Array. */
function reviveBinary(key: string, value: unknown): unknown {
  if (key === 'B' && typeof value === 'string') return new Uint8Array(Buffer.from(value, 'base64'));
  if (key === 'BS' && Array.isArray(value) && value.every((v) => typeof v === 'string'))
    return value.map((v: string) => new Uint8Array(Buffer.from(v, 'base64')));
  return value;
}

/** The SDK's Uint8Array binary as the wire's base64. */
function encodeBinary(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value;
}

/** Parses an answer body; only a body that may hold binary values pays for the reviver. */
function parseBody(text: string): DynamoDbJson {
  if (text === '') return {};
  const binary = text.includes('"B"') || text.includes('"BS"');
  return JSON.parse(text, binary ? reviveBinary : undefined) as DynamoDbJson;
}

interface Answer {
  readonly status: number;
  readonly requestId: string | undefined;
  readonly errorTypeHeader: string | undefined;
  readonly body: string;
}

/** The SDK's exception for an error answer, as its JSON-protocol deserializer builds it. */
function exceptionOf(answer: Answer, attempts: number, totalRetryDelay: number): Error {
  let body: DynamoDbJson = {};
  try {
    body = parseBody(answer.body);
  } catch {
    // Not JSON (a proxy's page, say): the status still classifies the error.
  }
  // "#" separates the namespace in __type; the header form may carry ":" and a URL after the code.
  const raw = String(body.__type ?? answer.errorTypeHeader ?? `Http${answer.status}Error`);
  const code = raw.split('#').pop()!.split(':')[0]!;
  const message = String(body.message ?? body.Message ?? code);
  const $metadata = {
    httpStatusCode: answer.status,
    requestId: answer.requestId,
    attempts,
    totalRetryDelay,
  };
  const fields = Object.fromEntries(Object.entries(body).filter(([k]) => k !== '__type' && k !== 'message'));
  const Exception = EXCEPTIONS.get(code);
  const error = Exception
    ? new Exception({ ...fields, $metadata, message } as never)
    : new sdk.DynamoDBServiceException({
        name: code,
        $fault: answer.status >= 500 ? 'server' : 'client',
        $metadata,
        message,
      });
  return error;
}

/** The retry strategy's view of a failure, classified as the SDK's retry middleware does. */
function retryInfoOf(error: unknown): RetryErrorInfo {
  const e = error as SdkError;
  const errorType = isThrottlingError(e)
    ? 'THROTTLING'
    : isTransientError(e)
      ? 'TRANSIENT'
      : isServerError(e)
        ? 'SERVER_ERROR'
        : 'CLIENT_ERROR';
  return { errorType };
}

/**
 * A DynamoDB client for the data sources that only talks to DynamoDB Local: the JSON protocol over a
 * keep-alive connection, with a fixed Authorization header instead of a signature. Never point it at
 * AWS, which would refuse every call.
 */
export class DataSourceDynamoDbClient implements DynamoDbSender {
  /** The DynamoDB endpoint the calls go to, e.g. http://127.0.0.1:8000. */
  readonly endpoint: string;
  private readonly url: URL;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 50 });
  private readonly authorization: string;
  private readonly retries = new StandardRetryStrategy(3);
  private chain: (call: DynamoDbCall) => Promise<DynamoDbJson> = (call) => this.attempts(call);

  constructor(config: DataSourceDynamoDbClientConfig) {
    this.endpoint = config.endpoint;
    this.url = new URL(config.endpoint);
    this.authorization = unsignedAuthorization(config.credentials.accessKeyId, config.region);
  }

  /**
   * Sends one of the SDK's DynamoDB commands (`new GetItemCommand(input)`) and resolves to its output,
   * exactly as `DynamoDBClient.send` would.
   */
  readonly send = ((command: { readonly input: object }) => {
    const operation = command.constructor.name.replace(/Command$/, '');
    if (!OPERATIONS.has(operation))
      return Promise.reject(new Error(`the data sources' DynamoDB client does not send ${operation}`));
    return this.chain({ operation, input: command.input as DynamoDbJson });
  }) as DynamoDbSender['send'];

  /** Adds an interceptor around every call; the last one added runs first (outermost). */
  intercept(interceptor: DynamoDbInterceptor): void {
    const inner = this.chain;
    this.chain = (call) => interceptor(call, (input) => inner({ operation: call.operation, input }));
  }

  /** Closes the kept-alive connections. */
  destroy(): void {
    this.agent.destroy();
  }

  private async attempts(call: DynamoDbCall): Promise<DynamoDbJson> {
    const body = JSON.stringify(call.input, encodeBinary);
    let token: StandardRetryToken = await this.retries.acquireInitialRetryToken('dynamodb');
    let attempts = 0;
    let totalRetryDelay = 0;
    for (;;) {
      attempts += 1;
      let answer: Answer | undefined;
      let failure: unknown;
      try {
        answer = await this.post(call.operation, body);
        if (answer.status === 200) {
          this.retries.recordSuccess(token);
          const output = parseBody(answer.body);
          output.$metadata = { httpStatusCode: 200, requestId: answer.requestId, attempts, totalRetryDelay };
          return output;
        }
        failure = exceptionOf(answer, attempts, totalRetryDelay);
      } catch (error) {
        failure = error;
      }
      const waited = performance.now();
      try {
        // Resolves after the strategy's backoff, or rejects when the failure is not to be retried.
        token = await this.retries.refreshRetryTokenForRetry(token, retryInfoOf(failure));
      } catch {
        throw failure;
      }
      totalRetryDelay += Math.round(performance.now() - waited);
    }
  }

  private post(operation: string, body: string): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          protocol: this.url.protocol,
          hostname: this.url.hostname,
          port: this.url.port,
          path: '/',
          method: 'POST',
          agent: this.agent,
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'content-length': Buffer.byteLength(body),
            'x-amz-target': `DynamoDB_20120810.${operation}`,
            'x-amz-date': '19700101T000000Z',
            authorization: this.authorization,
          },
        },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const header = (name: string) => {
              const value = res.headers[name];
              return Array.isArray(value) ? value[0] : value;
            };
            resolve({
              status: res.statusCode ?? 0,
              requestId: header('x-amzn-requestid'),
              errorTypeHeader: header('x-amzn-errortype'),
              body:
                chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'),
            });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}

/** The data sources' DynamoDB client, as the local stack builds it. */
export function createDataSourceDynamoDbClient(
  config: DataSourceDynamoDbClientConfig,
): DataSourceDynamoDbClient {
  return new DataSourceDynamoDbClient(config);
}
