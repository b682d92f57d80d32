/**
 * The data sources' own DynamoDB client (the JSON protocol without the AWS SDK) against the AWS SDK's
 * DynamoDBClient, both on the same DynamoDB Local: every answer and every error must be the one the SDK
 * gives, since the data sources' result and error mapping (ctx.result, `DynamoDB:<code>` errors,
 * cancellationReasons) was written against the SDK's shapes. Retries are checked on a loopback server
 * that answers as a throttled or failing DynamoDB would, which DynamoDB Local cannot be made to do.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  DynamoDBServiceException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ResourceNotFoundException,
  ScanCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  TransactionCanceledException,
  UpdateItemCommand,
  CreateBackupCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../../aws-ids.js';
import {
  createDataSourceDynamoDbClient,
  type DataSourceDynamoDbClient,
  type DynamoDbSender,
} from '../../../../appsync/datasources/index.js';
import { sharedDynamoDb, tableName } from '../../../support/dynamodb.js';

const TABLE = tableName('orderloop-lean-client');
const MISSING_TABLE = tableName('orderloop-lean-client-missing');

let sdk: DynamoDBClient;
let lean: DataSourceDynamoDbClient;
let partition = 0;
const freshPk = () => `P#${++partition}`;

/** What a client answered, without the per-request $metadata (request ids differ). */
async function answer(client: DynamoDbSender, command: object) {
  const { $metadata: _metadata, ...output } = (await client.send(command as never)) as unknown as Record<
    string,
    unknown
  >;
  return output;
}

/** What a client threw, as the data sources read it. */
async function failure(client: DynamoDbSender, command: object) {
  try {
    await client.send(command as never);
  } catch (error) {
    const e = error as DynamoDBServiceException & Record<string, unknown>;
    return {
      error: e,
      seen: {
        name: e.name,
        message: e.message,
        fault: e.$fault,
        status: e.$metadata.httpStatusCode,
        cancellationReasons: e.CancellationReasons,
        item: e.Item,
      },
    };
  }
  throw new Error('expected the call to fail');
}

const binary = new Uint8Array([0, 1, 2, 250, 255]);
const itemOf = (pk: string): Record<string, AttributeValue> => ({
  pk: { S: pk },
  sk: { S: 'A' },
  n: { N: '12.5' },
  b: { B: binary },
  bs: { BS: [binary, new Uint8Array([7])] },
  ss: { SS: ['x', 'y'] },
  l: { L: [{ S: 'é ✓' }, { M: { B: { B: new Uint8Array([9]) } } }, { NULL: true }, { BOOL: false }] },
});

beforeAll(async () => {
  const engine = sharedDynamoDb();
  const config = { endpoint: engine.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  sdk = new DynamoDBClient(config);
  lean = createDataSourceDynamoDbClient(config);
  await sdk.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
    }),
  );
});

afterAll(() => {
  sdk?.destroy();
  lean?.destroy();
});

describe("the data sources' DynamoDB client", () => {
  it('answers reads with the SDK output, binary values as Uint8Array included', async () => {
    // Prepare
    const pk = freshPk();
    await sdk.send(new PutItemCommand({ TableName: TABLE, Item: itemOf(pk) }));
    await sdk.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: pk }, sk: { S: 'B' } } }));
    const get = new GetItemCommand({ TableName: TABLE, Key: { pk: { S: pk }, sk: { S: 'A' } } });
    const miss = new GetItemCommand({ TableName: TABLE, Key: { pk: { S: pk }, sk: { S: 'Z' } } });
    const page = new QueryCommand({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: pk } },
      Limit: 1,
      ReturnConsumedCapacity: 'INDEXES',
    });
    const batch = new BatchGetItemCommand({
      RequestItems: {
        [TABLE]: {
          Keys: [
            { pk: { S: pk }, sk: { S: 'A' } },
            { pk: { S: pk }, sk: { S: 'B' } },
          ],
        },
      },
    });
    const transactGet = new TransactGetItemsCommand({
      TransactItems: [{ Get: { TableName: TABLE, Key: { pk: { S: pk }, sk: { S: 'A' } } } }],
    });
    const scan = new ScanCommand({
      TableName: TABLE,
      FilterExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: pk } },
    });
    for (const command of [get, miss, page, batch, transactGet, scan]) {
      // Act
      const [mine, theirs] = await Promise.all([answer(lean, command), answer(sdk, command)]);
      // Assess
      expect(mine, command.constructor.name).toEqual(theirs);
    }
    const item = (await answer(lean, get)).Item as Record<string, AttributeValue>;
    expect(item.b?.B).toBeInstanceOf(Uint8Array);
    expect([...(item.b?.B ?? [])]).toEqual([...binary]);
  });

  it('writes what the SDK writes, and answers writes with the SDK output', async () => {
    // Prepare
    const [mine, theirs] = [freshPk(), freshPk()];
    const write = (client: DynamoDbSender, pk: string) =>
      Promise.all([
        answer(client, new PutItemCommand({ TableName: TABLE, Item: itemOf(pk), ReturnValues: 'NONE' })),
        answer(
          client,
          new UpdateItemCommand({
            TableName: TABLE,
            Key: { pk: { S: pk }, sk: { S: 'U' } },
            UpdateExpression: 'SET #q = :q, b = :b',
            ExpressionAttributeNames: { '#q': 'qty' },
            ExpressionAttributeValues: { ':q': { N: '3' }, ':b': { B: binary } },
            ReturnValues: 'ALL_NEW',
          }),
        ),
        answer(
          client,
          new BatchWriteItemCommand({
            RequestItems: { [TABLE]: [{ PutRequest: { Item: { pk: { S: pk }, sk: { S: 'W' } } } }] },
          }),
        ),
        answer(
          client,
          new TransactWriteItemsCommand({
            TransactItems: [{ Put: { TableName: TABLE, Item: { pk: { S: pk }, sk: { S: 'T' } } } }],
          }),
        ),
      ]);
    // Act
    const [leanAnswers, sdkAnswers] = await Promise.all([write(lean, mine), write(sdk, theirs)]);
    const stored = async (pk: string) =>
      (
        await sdk.send(
          new QueryCommand({
            TableName: TABLE,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': { S: pk } },
          }),
        )
      ).Items?.map(({ pk: _pk, ...rest }) => rest);
    // Assess: the same answers (up to the key) and the same items stored
    const withoutKey = (answers: unknown[]) =>
      JSON.parse(JSON.stringify(answers).replaceAll(mine, 'PK').replaceAll(theirs, 'PK')) as unknown;
    expect(withoutKey(leanAnswers)).toEqual(withoutKey(sdkAnswers));
    expect(await stored(mine)).toEqual(await stored(theirs));
    expect(await stored(mine)).toHaveLength(4);
  });

  it('fails a failed condition with the SDK exception, its message, status and current item', async () => {
    // Prepare
    const pk = freshPk();
    await sdk.send(new PutItemCommand({ TableName: TABLE, Item: itemOf(pk) }));
    const command = new DeleteItemCommand({
      TableName: TABLE,
      Key: { pk: { S: pk }, sk: { S: 'A' } },
      ConditionExpression: 'attribute_not_exists(pk)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    // Act
    const [mine, theirs] = await Promise.all([failure(lean, command), failure(sdk, command)]);
    // Assess
    expect(mine.error).toBeInstanceOf(ConditionalCheckFailedException);
    expect(mine.seen).toEqual(theirs.seen);
    expect(mine.seen).toMatchObject({
      name: 'ConditionalCheckFailedException',
      status: 400,
      fault: 'client',
    });
    expect(mine.seen.item).toEqual(itemOf(pk));
  });

  it('fails a cancelled transaction with TransactionCanceledException and the reasons in request order', async () => {
    // Prepare
    const pk = freshPk();
    await sdk.send(new PutItemCommand({ TableName: TABLE, Item: itemOf(pk) }));
    const command = new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: TABLE, Item: { pk: { S: pk }, sk: { S: 'NEW' } } } },
        {
          ConditionCheck: {
            TableName: TABLE,
            Key: { pk: { S: pk }, sk: { S: 'A' } },
            ConditionExpression: 'n > :n',
            ExpressionAttributeValues: { ':n': { N: '100' } },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      ],
    });
    // Act
    const [mine, theirs] = await Promise.all([failure(lean, command), failure(sdk, command)]);
    // Assess
    expect(mine.error).toBeInstanceOf(TransactionCanceledException);
    expect(mine.seen).toEqual(theirs.seen);
    expect(mine.seen.cancellationReasons).toEqual([
      { Code: 'None' },
      { Code: 'ConditionalCheckFailed', Message: expect.any(String), Item: itemOf(pk) },
    ]);
  });

  it('fails a call on a missing table and a malformed request as the SDK does', async () => {
    // Prepare
    const missing = new GetItemCommand({ TableName: MISSING_TABLE, Key: { pk: { S: 'x' }, sk: { S: 'y' } } });
    const malformed = new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'x' } } });
    // Act
    const [mine, theirs] = await Promise.all([failure(lean, missing), failure(sdk, missing)]);
    const [badMine, badTheirs] = await Promise.all([failure(lean, malformed), failure(sdk, malformed)]);
    // Assess
    expect(mine.error).toBeInstanceOf(ResourceNotFoundException);
    expect(mine.seen).toEqual(theirs.seen);
    expect(badMine.error).toBeInstanceOf(DynamoDBServiceException);
    expect(badMine.seen).toEqual(badTheirs.seen);
    expect(badMine.seen.name).toBe('ValidationException');
  });

  it('rejects an operation the data sources never send, before any request', async () => {
    // Act
    const sent = lean.send(new CreateBackupCommand({ TableName: TABLE, BackupName: 'b' }) as never);
    // Assess
    await expect(sent).rejects.toThrow('does not send CreateBackup');
  });
});

describe("the data sources' DynamoDB client's retries", () => {
  let server: Server;
  let client: DataSourceDynamoDbClient;
  let seen: string[] = [];
  let answers: ((req: IncomingMessage, res: ServerResponse) => void)[] = [];
  const ok = (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
    res.end(JSON.stringify({ Item: { pk: { S: 'p' } } }));
  };
  const error = (status: number, type: string) => (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
    res.end(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message: `${type} here` }));
  };
  const reset = (req: IncomingMessage) => req.socket.destroy();

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(String(req.headers['x-amz-target']));
      req.resume();
      req.on('end', () => (answers.shift() ?? ok)(req, res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = createDataSourceDynamoDbClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
  });

  afterAll(async () => {
    client?.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const get = () => client.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'p' } } }));

  it('retries throttling and a reset connection, as the SDK does', async () => {
    // Prepare
    seen = [];
    answers = [error(400, 'ThrottlingException'), reset, ok];
    // Act
    const out = await get();
    // Assess
    expect(out.Item).toEqual({ pk: { S: 'p' } });
    expect(out.$metadata).toMatchObject({ httpStatusCode: 200, attempts: 3 });
    expect(seen).toHaveLength(3);
  });

  it('retries a 5xx answer, as the SDK does', async () => {
    // Prepare
    seen = [];
    answers = [error(500, 'InternalServerError'), ok];
    // Act
    const out = await get();
    // Assess
    expect(out.$metadata).toMatchObject({ httpStatusCode: 200, attempts: 2 });
    expect(seen).toHaveLength(2);
  });

  it('gives up after three attempts with the last error', async () => {
    // Prepare
    seen = [];
    answers = [
      error(503, 'ServiceUnavailable'),
      error(503, 'ServiceUnavailable'),
      error(503, 'ServiceUnavailable'),
      ok,
    ];
    // Act
    const failed = await get().catch((e: unknown) => e as DynamoDBServiceException);
    // Assess
    expect(failed).toBeInstanceOf(DynamoDBServiceException);
    expect((failed as DynamoDBServiceException).name).toBe('ServiceUnavailable');
    expect((failed as DynamoDBServiceException).$metadata).toMatchObject({
      httpStatusCode: 503,
      attempts: 3,
    });
    expect(seen).toHaveLength(3);
    answers = [];
  });

  it('sends a failed condition once: a client error is not retried', async () => {
    // Prepare
    seen = [];
    answers = [error(400, 'ConditionalCheckFailedException'), ok];
    // Act
    const failed = await get().catch((e: unknown) => e);
    // Assess
    expect(failed).toBeInstanceOf(ConditionalCheckFailedException);
    expect((failed as Error).message).toBe('ConditionalCheckFailedException here');
    expect(seen).toEqual(['DynamoDB_20120810.GetItem']);
    answers = [];
  });
});
