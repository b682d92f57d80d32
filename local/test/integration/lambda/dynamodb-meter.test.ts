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
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { functionArn, LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../aws-ids.js';
import { sharedDynamoDb, tableName, type SharedDynamoDb } from '../../support/dynamodb.js';
import { LambdaHost } from '../../../lambda/host.js';
import type { DynamoDbCallRecord } from '../../../lambda/types.js';
import { CostMeter, recordDynamoDbCall } from '../../../meter/index.js';

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
