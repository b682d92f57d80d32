import type { DynamoDbSender } from './dynamodb-client.js';
import type { PageTokenCodec } from './page-token.js';

/** One data source of the synthesized API, as the assembly loader describes it. */
export type DataSourceConfig =
  | {
      readonly name: string;
      readonly type: 'AMAZON_DYNAMODB';
      readonly tableName: string;
      /** Ignored locally: every table lives in the one DynamoDB Local engine. */
      readonly region?: string;
      /** Ignored locally: the local engine does not check IAM. */
      readonly useCallerCredentials?: boolean;
    }
  | { readonly name: string; readonly type: 'AWS_LAMBDA'; readonly functionArn: string }
  | { readonly name: string; readonly type: 'NONE' }
  | { readonly name: string; readonly type: 'AMAZON_EVENTBRIDGE'; readonly eventBusArn: string }
  | { readonly name: string; readonly type: 'HTTP'; readonly endpoint: string };

/** The resolver context as the runtime hands it to a data source. */
export interface ContextSnapshot {
  readonly arguments: unknown;
  readonly identity: unknown;
  readonly source: unknown;
  readonly stash: unknown;
  readonly prev: unknown;
  readonly info: unknown;
  readonly request: unknown;
}

/** What lands in ctx.error when a data source fails. */
export interface DataSourceError {
  readonly message: string;
  readonly type: string;
  readonly data?: unknown;
  readonly errorInfo?: unknown;
}

/** What lands in ctx.result and ctx.error after the data source ran. */
export interface DataSourceOutcome {
  readonly result?: unknown;
  readonly error?: DataSourceError;
}

/** The port the resolver runtime calls with the object a request handler returned. */
export type InvokeDataSource = (
  dataSourceName: string,
  requestObject: unknown,
  ctx: ContextSnapshot,
) => Promise<DataSourceOutcome>;

/** The AWS services the data sources reach; integration tests pass real clients, unit tests fakes. */
export interface DataSourceDeps {
  readonly dynamodb: DynamoDbSender;
  invokeLambda(functionArn: string, payload: unknown): Promise<{ payload: unknown; functionError?: string }>;
  putEvents(
    busArn: string,
    entries: PutEventsEntry[],
  ): Promise<{ FailedEntryCount: number; Entries: unknown[] }>;
  /** Used by HTTP data sources. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Seals DynamoDB nextTokens. @default a codec with a fresh key per invoker */
  readonly pageTokens?: PageTokenCodec;
}

/** One PutEvents entry in the EventBridge API's own shape. */
export interface PutEventsEntry {
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
  readonly EventBusName: string;
  readonly Resources?: string[];
  readonly Time?: Date;
}

/** A request object AppSync itself would refuse before calling the data source. */
export function mappingError(message: string): DataSourceOutcome {
  // AppSync reports a malformed request object with the MappingTemplate error type, for JS and VTL alike.
  return { error: { type: 'MappingTemplate', message } };
}

/** Narrows unknown JSON to a plain object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
