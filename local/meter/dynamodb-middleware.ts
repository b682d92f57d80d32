/**
 * The meter on the main process's own DynamoDB clients, as an AWS SDK v3 middleware: the same
 * `ReturnConsumedCapacity: INDEXES` request and the same recording as the proxy
 * (./dynamodb-calls.ts), without the proxy's loopback hop, JSON parse and re-serialisation.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DataSourceDynamoDbClient, DynamoDbJson } from '../appsync/datasources/index.js';
import { isMeteredOperation, recordDynamoDbCall, wantsNoCapacity } from './dynamodb-calls.js';
import type { CostMeter } from './meter.js';

/** The middleware's name on a client's stack. */
export const METER_MIDDLEWARE = 'orderloopCostMeter';

/**
 * Meters every capacity-consuming call `client` sends. It asks for `INDEXES` when the caller did not
 * and then hands the caller the answer it would have had, without the ConsumedCapacity it added. It
 * sits at the initialize step, outside the SDK's retries: one call is metered once, where the proxy
 * sees each attempt.
 */
export function meterDynamoDbClient(client: DynamoDBClient, meter: CostMeter): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? '').replace(/Command$/, '');
      let result: Awaited<ReturnType<typeof next>> | undefined;
      await meteredCall(meter, operation, args.input as DynamoDbJson, async (input) => {
        result = await next({ ...args, input });
        return result.output as unknown as DynamoDbJson;
      });
      return result!;
    },
    // Low priority: inner to other initialize middleware, which sees the caller's own input.
    { step: 'initialize', priority: 'low', name: METER_MIDDLEWARE, override: true },
  );
}

/**
 * Meters every capacity-consuming call of the data sources' own client (an interceptor around its
 * calls, outside its retries), with the same request and the same recording as meterDynamoDbClient.
 */
export function meterDataSourceClient(client: DataSourceDynamoDbClient, meter: CostMeter): void {
  client.intercept((call, next) => meteredCall(meter, call.operation, call.input, next));
}

/**
 * One metered call: asks for `INDEXES` when the caller did not, records the answer (or the error's
 * status) and hands the caller the answer it would have had, without the ConsumedCapacity it added.
 */
async function meteredCall(
  meter: CostMeter,
  operation: string,
  input: DynamoDbJson,
  send: (input: DynamoDbJson) => Promise<DynamoDbJson>,
): Promise<DynamoDbJson> {
  if (!isMeteredOperation(operation)) return send(input);
  const strip = wantsNoCapacity(input);
  const asked = strip ? { ...input, ReturnConsumedCapacity: 'INDEXES' } : input;
  let output: DynamoDbJson;
  try {
    output = await send(asked);
  } catch (error) {
    // A service error carries its HTTP status; its name is the wire's __type without the namespace.
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status !== undefined)
      recordDynamoDbCall(meter, operation, asked, status, { __type: (error as Error).name });
    throw error;
  }
  recordDynamoDbCall(meter, operation, asked, 200, output);
  if (strip) delete output.ConsumedCapacity;
  return output;
}
