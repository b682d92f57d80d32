/**
 * The meter on the main process's own DynamoDB clients, as an AWS SDK v3 middleware: the same
 * `ReturnConsumedCapacity: INDEXES` request and the same recording as the proxy
 * (./dynamodb-calls.ts), without the proxy's loopback hop, JSON parse and re-serialisation.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DataSourceDynamoDbClient, DynamoDbJson } from '../appsync/datasources/index.js';
import {
  isMeteredOperation,
  recordDynamoDbCall,
  wantsNoCapacity,
  type TransactionImages,
} from './dynamodb-calls.js';
import type { TransactionImageReader } from './dynamodb-images.js';
import type { CostMeter } from './meter.js';

/** The middleware's name on a client's stack. */
export const METER_MIDDLEWARE = 'orderloopCostMeter';

/**
 * Meters every capacity-consuming call `client` sends. It asks for `INDEXES` when the caller did not
 * and then hands the caller the answer it would have had, without the ConsumedCapacity it added. It
 * sits at the initialize step, outside the SDK's retries: one call is metered once, where the proxy
 * sees each attempt. With `images` (a reader on the same DynamoDB Local) it sizes each item of a
 * TransactWriteItems as AWS does; without, a transaction is metered at 2 units per item at least.
 */
export function meterDynamoDbClient(
  client: DynamoDBClient,
  meter: CostMeter,
  images?: TransactionImageReader,
): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? '').replace(/Command$/, '');
      let result: Awaited<ReturnType<typeof next>> | undefined;
      await meteredCall(
        (...call) => recordDynamoDbCall(meter, ...call),
        operation,
        args.input as DynamoDbJson,
        async (input) => {
          result = await next({ ...args, input });
          return result.output as unknown as DynamoDbJson;
        },
        images,
      );
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
export function meterDataSourceClient(
  client: DataSourceDynamoDbClient,
  meter: CostMeter,
  images?: TransactionImageReader,
): void {
  recordDataSourceCalls(client, (...call) => recordDynamoDbCall(meter, ...call), images);
}

/** Where a metered call's figures go: recordDynamoDbCall's arguments after the meter. */
export type DynamoDbCallRecorder = (
  operation: string,
  input: DynamoDbJson,
  status: number,
  output: DynamoDbJson,
  images?: TransactionImages,
) => void;

/**
 * meterDataSourceClient for a client whose meter lives elsewhere (the API's worker threads post each
 * call to the main thread's meter): the same request, with the figures handed to `record`.
 */
export function recordDataSourceCalls(
  client: DataSourceDynamoDbClient,
  record: DynamoDbCallRecorder,
  images?: TransactionImageReader,
): void {
  client.intercept((call, next) => meteredCall(record, call.operation, call.input, next, images));
}

/**
 * One metered call: asks for `INDEXES` when the caller did not, records the answer (or the error's
 * status) and hands the caller the answer it would have had, without the ConsumedCapacity it added.
 * A TransactWriteItems is read before and after (unmetered) when there is an image reader.
 */
async function meteredCall(
  record: DynamoDbCallRecorder,
  operation: string,
  input: DynamoDbJson,
  send: (input: DynamoDbJson) => Promise<DynamoDbJson>,
  reader?: TransactionImageReader,
): Promise<DynamoDbJson> {
  if (!isMeteredOperation(operation)) return send(input);
  const sized = operation === 'TransactWriteItems' && reader ? reader : undefined;
  const before = sized ? await sized.read(input) : undefined;
  const strip = wantsNoCapacity(input);
  const asked = strip ? { ...input, ReturnConsumedCapacity: 'INDEXES' } : input;
  let output: DynamoDbJson;
  try {
    output = await send(asked);
  } catch (error) {
    // A service error carries its HTTP status; its name is the wire's __type without the namespace.
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status !== undefined) record(operation, asked, status, { __type: (error as Error).name });
    throw error;
  }
  const images: TransactionImages | undefined =
    sized && before ? withAfter(before, await sized.read(input), sized.tablesOf(input)) : undefined;
  record(operation, asked, 200, output, images);
  if (strip) delete output.ConsumedCapacity;
  return output;
}

function withAfter(
  before: TransactionImages['before'],
  after: TransactionImages['after'] | undefined,
  tables: TransactionImages['tables'] | undefined,
): TransactionImages | undefined {
  if (!after) return undefined;
  return tables ? { before, after, tables } : { before, after };
}
