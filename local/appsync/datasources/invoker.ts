import { executeDynamoDb } from './dynamodb.js';
import { executeEventBridge } from './eventbridge.js';
import { executeHttp } from './http.js';
import { executeLambda } from './lambda.js';
import { executeNone } from './none.js';
import { PageTokenCodec } from './page-token.js';
import type { DataSourceConfig, DataSourceDeps, DataSourceOutcome, InvokeDataSource } from './types.js';

function executorFor(
  config: DataSourceConfig,
  deps: DataSourceDeps,
  pageTokens: PageTokenCodec,
): (request: unknown) => Promise<DataSourceOutcome> {
  switch (config.type) {
    case 'AMAZON_DYNAMODB': {
      const target = { client: deps.dynamodb, tableName: config.tableName, pageTokens };
      return (request) => executeDynamoDb(target, request);
    }
    case 'AWS_LAMBDA':
      return (request) => executeLambda(config.functionArn, request, deps.invokeLambda);
    case 'NONE':
      return async (request) => executeNone(request);
    case 'AMAZON_EVENTBRIDGE':
      return (request) => executeEventBridge(config.eventBusArn, request, deps.putEvents);
    case 'HTTP':
      return (request) => executeHttp(config.endpoint, request, deps.fetch);
    default: {
      const unknown = config as { name: string; type: string };
      throw new Error(
        `data source ${unknown.name} has type ${unknown.type}; supported: AMAZON_DYNAMODB, AWS_LAMBDA, NONE, AMAZON_EVENTBRIDGE, HTTP`,
      );
    }
  }
}

/**
 * Builds the port the resolver runtime calls: it looks the data source up by name and runs the
 * request object a request handler returned, answering with what AppSync puts in ctx.result and
 * ctx.error. Configuration mistakes (unknown type, duplicate name) fail here, at start-up.
 */
export function createDataSourceInvoker(
  dataSources: readonly DataSourceConfig[],
  deps: DataSourceDeps,
): InvokeDataSource {
  const executors = new Map<string, (request: unknown) => Promise<DataSourceOutcome>>();
  const pageTokens = deps.pageTokens ?? new PageTokenCodec();
  for (const config of dataSources) {
    if (executors.has(config.name)) throw new Error(`data source name ${config.name} is used twice`);
    executors.set(config.name, executorFor(config, deps, pageTokens));
  }
  return async (dataSourceName, requestObject) => {
    const execute = executors.get(dataSourceName);
    if (!execute) {
      throw new Error(
        `no data source named ${dataSourceName}; known: ${[...executors.keys()].join(', ') || 'none'}`,
      );
    }
    return execute(requestObject);
  };
}
