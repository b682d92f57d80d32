/**
 * The cost meter inside a Lambda worker (local/lambda/dynamodb-meter.mjs): a function's own AWS SDK
 * client goes straight to DynamoDB Local, the host receives the units of each call before the
 * invocation's result, and the function gets the answer AWS would give it (no ConsumedCapacity it did
 * not ask for). The units follow AWS's rules as the meter's other paths do
 * (test/integration/local/meter-dynamodb.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { functionArn, LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../aws-ids.js';
import { sharedDynamoDb, tableName, type SharedDynamoDb } from '../../support/dynamodb.js';
import { LambdaHost } from '../../../lambda/host.js';
import type { DynamoDbCallRecord } from '../../../lambda/types.js';
import {
  CostMeter,
  createTransactionImageReader,
  itemSize,
  recordDynamoDbCall,
  type TransactionImageReader,
} from '../../../meter/index.js';

const TABLE = tableName('worker-meter-test');

/** A function that runs the SDK command its event names, on the SDK client the worker loads from node_modules. */
function sdkFunctionAsset(): string {
  const sdk = pathToFileURL(createRequire(import.meta.url).resolve('@aws-sdk/client-dynamodb')).href;
  const dir = mkdtempSync(join(tmpdir(), 'orderloop-fn-'));
  writeFileSync(
    join(dir, 'index.mjs'),
    `import sdk from ${JSON.stringify(sdk)};
const client = new sdk.DynamoDBClient({});
export const handler = async (event) => {
  const log = [];
  const send = (command) => client.send(command).then(
    (out) => { log.push({ consumed: out.ConsumedCapacity ?? null }); return out; },
    (err) => { log.push({ error: err.name }); });
  await send(new sdk.PutItemCommand({ TableName: '${TABLE}', Item: { pk: { S: event.id }, data: { S: 'x'.repeat(1500) } } }));
  await send(new sdk.GetItemCommand({ TableName: '${TABLE}', Key: { pk: { S: event.id } }, ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' }));
  await send(new sdk.PutItemCommand({ TableName: '${TABLE}', Item: { pk: { S: event.id } }, ConditionExpression: 'attribute_not_exists(pk)' }));
  return { log, endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB };
};`,
  );
  return dir;
}

describe('the cost meter inside a Lambda worker', () => {
  let engine: SharedDynamoDb;
  let host: LambdaHost;
  const calls: { functionName: string; call: DynamoDbCallRecord; resultSeen: boolean }[] = [];
  let results = 0;

  beforeAll(async () => {
    engine = sharedDynamoDb();
    await new DynamoDBClient({
      endpoint: engine.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    }).send(
      new CreateTableCommand({
        TableName: TABLE,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      }),
    );
    host = new LambdaHost({
      functions: [
        {
          name: 'sdk-fn',
          arn: functionArn('sdk-fn'),
          handler: 'index.handler',
          codeDir: sdkFunctionAsset(),
          environment: {},
          timeoutSeconds: 20,
          memoryMb: 256,
        },
      ],
      sendToQueue: async () => undefined,
      writeLine: () => undefined,
      extraEnv: {
        AWS_ENDPOINT_URL_DYNAMODB: engine.endpoint,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      onDynamoDbCall: (functionName, call) => calls.push({ functionName, call, resultSeen: results > 0 }),
    });
  }, 60_000);

  afterAll(async () => {
    await host?.stop();
  });

  it('hands the function the answers AWS gives, reports each call before the result, and meters them by AWS rules', async () => {
    // Act
    const result = await host.invokeSync('sdk-fn', { id: 'order-1' });
    results++;
    // Assess: the function talked to DynamoDB Local itself and saw capacity only where it asked for it.
    expect(result.functionError).toBeUndefined();
    expect(result.payload).toEqual({
      endpoint: engine.endpoint,
      log: [
        { consumed: null },
        { consumed: { TableName: TABLE, CapacityUnits: 1 } },
        { error: 'ConditionalCheckFailedException' },
      ],
    });
    // Every call was reported, by function, before the invocation answered.
    expect(calls.map((c) => [c.functionName, c.call.operation, c.call.status, c.resultSeen])).toEqual([
      ['sdk-fn', 'PutItem', 200, false],
      ['sdk-fn', 'GetItem', 200, false],
      ['sdk-fn', 'PutItem', 400, false],
    ]);
    // The reports carry what the meter needs: a 1.5 KB put is 2 WRU, a strongly consistent read of it 1
    // RRU, a failed condition the documented minimum of 1 WRU.
    const meter = new CostMeter();
    for (const { call } of calls)
      recordDynamoDbCall(meter, call.operation, call.input, call.status, call.output);
    const { totals } = meter.read();
    expect(totals['dynamodb.writeRequestUnit']).toBe(3);
    expect(totals['dynamodb.readRequestUnit']).toBe(1);
  }, 60_000);
});

/**
 * A function that writes two items of about 3 KB, then one transaction over them: an Update of the
 * first, a ConditionCheck of the second and a Put of a new 1.5 KB item.
 */
function transactionFunctionAsset(table: string): string {
  const sdk = pathToFileURL(createRequire(import.meta.url).resolve('@aws-sdk/client-dynamodb')).href;
  const dir = mkdtempSync(join(tmpdir(), 'orderloop-fn-'));
  writeFileSync(
    join(dir, 'index.mjs'),
    `import sdk from ${JSON.stringify(sdk)};
const client = new sdk.DynamoDBClient({});
const T = ${JSON.stringify(table)};
export const handler = async (event) => {
  const big = (pk) => ({ pk: { S: pk }, d: { S: 'x'.repeat(2900) } });
  await client.send(new sdk.PutItemCommand({ TableName: T, Item: big(event.id + '-a') }));
  await client.send(new sdk.PutItemCommand({ TableName: T, Item: big(event.id + '-b') }));
  const out = await client.send(new sdk.TransactWriteItemsCommand({ TransactItems: [
    { Update: { TableName: T, Key: { pk: { S: event.id + '-a' } }, UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': { N: '1' } } } },
    { ConditionCheck: { TableName: T, Key: { pk: { S: event.id + '-b' } }, ConditionExpression: 'attribute_exists(pk)' } },
    { Put: { TableName: T, Item: { pk: { S: event.id + '-c' }, d: { S: 'y'.repeat(1500) } } } },
  ] }));
  return { consumed: out.ConsumedCapacity ?? null };
};`,
  );
  return dir;
}

// 'read' reads the items for the meter (the local stack's default), 'floor' does not (transactionSizing).
describe.each(['read', 'floor'] as const)("a Lambda worker's transaction, sized by %s", (sizing) => {
  const TX_TABLE = tableName(`worker-meter-tx-${sizing}`);
  let host: LambdaHost;
  let admin: DynamoDBClient;
  let reader: TransactionImageReader | undefined;
  const calls: DynamoDbCallRecord[] = [];

  beforeAll(async () => {
    const engine = sharedDynamoDb();
    admin = new DynamoDBClient({
      endpoint: engine.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    await admin.send(
      new CreateTableCommand({
        TableName: TX_TABLE,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      }),
    );
    reader = sizing === 'read' ? createTransactionImageReader(engine.endpoint) : undefined;
    const read = reader;
    host = new LambdaHost({
      functions: [
        {
          name: 'tx-fn',
          arn: functionArn('tx-fn'),
          handler: 'index.handler',
          codeDir: transactionFunctionAsset(TX_TABLE),
          environment: {},
          timeoutSeconds: 20,
          memoryMb: 256,
        },
      ],
      sendToQueue: async () => undefined,
      writeLine: () => undefined,
      extraEnv: {
        AWS_ENDPOINT_URL_DYNAMODB: engine.endpoint,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      onDynamoDbCall: (_, call) => calls.push(call),
      ...(read ? { readTransactionItems: (input) => read.read(input) } : {}),
    });
  }, 60_000);

  afterAll(async () => {
    await host?.stop();
    reader?.destroy();
    admin?.destroy();
  });

  it("meters the transaction at AWS's units with the item reads, at DynamoDB Local's without them", async () => {
    // Act
    const result = await host.invokeSync('tx-fn', { id: 'order-1' });
    // Assess: the transaction went through and the function saw no capacity it did not ask for.
    expect(result.functionError).toBeUndefined();
    expect(result.payload).toEqual({ consumed: null });
    const item = await admin.send(
      new GetItemCommand({ TableName: TX_TABLE, Key: { pk: { S: 'order-1-a' } }, ConsistentRead: true }),
    );
    expect(item.Item?.n).toEqual({ N: '1' });
    const meter = new CostMeter();
    const tx = calls.filter((c) => c.operation === 'TransactWriteItems');
    expect(tx).toHaveLength(1);
    for (const call of tx)
      recordDynamoDbCall(meter, call.operation, call.input, call.status, call.output, call.images);
    const units = meter.read().totals['dynamodb.writeRequestUnit'];
    // AWS: each item at 2 units per started 1 KB of its own size ("Capacity management for
    // transactions"): the updated item (2.9 KB) 6, the checked one (2.9 KB) 6, the new one (1.5 KB) 4.
    expect(Math.ceil(itemSize({ pk: { S: 'order-1-b' }, d: { S: 'x'.repeat(2900) } }) / 1024)).toBe(3);
    const aws = 6 + 6 + 4;
    // Without the reads the meter keeps DynamoDB Local's own figure, a lower bound of AWS's.
    const local = (tx[0]!.output.ConsumedCapacity as { CapacityUnits: number }[])[0]!.CapacityUnits;
    expect(local).toBeLessThan(aws);
    expect(units).toBe(sizing === 'read' ? aws : local);
  }, 60_000);
});
