/** Local executors for AppSync data sources: request object in, ctx.result / ctx.error out. */
export { createDataSourceInvoker } from './invoker.js';
export { executeDynamoDb, type DynamoDbTarget } from './dynamodb.js';
export {
  createDataSourceDynamoDbClient,
  DataSourceDynamoDbClient,
  type DynamoDbCall,
  type DynamoDbInterceptor,
  type DynamoDbJson,
  type DynamoDbSender,
  unsignedAuthorization,
  type DataSourceDynamoDbClientConfig,
} from './dynamodb-client.js';
export { executeLambda } from './lambda.js';
export { executeNone } from './none.js';
export { executeEventBridge } from './eventbridge.js';
export { executeHttp } from './http.js';
export { fromSdkItem, toSdkItem } from './attribute-values.js';
export { INVALID_PAGE_TOKEN, PageTokenCodec, pageTokenKeyAt, type PageTokenScope } from './page-token.js';
export type {
  ContextSnapshot,
  DataSourceConfig,
  DataSourceDeps,
  DataSourceError,
  DataSourceOutcome,
  InvokeDataSource,
  PutEventsEntry,
} from './types.js';
