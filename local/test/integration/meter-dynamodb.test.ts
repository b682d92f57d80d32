/**
 * DynamoDB Local's ConsumedCapacity, read by the meter both ways it sees calls (the proxy in front of
 * DynamoDB Local, the SDK middleware on an in-process client pointed at DynamoDB Local itself, and the
 * interceptor on the AppSync data sources' own client), the same figures every way,
 * checked against AWS's documented rules as local/meter/units.ts states them ("DynamoDB read and write
 * operations", "Item sizes and formats", "Capacity management for transactions").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  PutItemCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { createDataSourceDynamoDbClient, type DynamoDbSender } from '../../appsync/datasources/index.js';
import { sharedDynamoDb, tableName, type SharedDynamoDb } from '../support/dynamodb.js';
import {
  CostMeter,
  createTransactionImageReader,
  itemSize,
  meterDataSourceClient,
  meterDynamoDbClient,
  readUnits,
  startMeteringProxy,
  writeUnits,
  type MeteringProxy,
} from '../../meter/index.js';

// 'data sources': the interceptor on the AppSync data sources' own client (the JSON protocol, no SDK), as
// the local stack builds it.
describe.each(['proxy', 'middleware', 'data sources'] as const)(
  'the DynamoDB meter (%s) against AWS capacity rules',
  (path) => {
    const TABLE = tableName(`meter-${path.replace(' ', '-')}`);
    let engine: SharedDynamoDb;
    let proxy: MeteringProxy | undefined;
    let client: DynamoDbSender;
    let admin: DynamoDBClient;
    const meter = new CostMeter();
    const images = createTransactionImageReader(sharedDynamoDb().endpoint);

    beforeAll(async () => {
      engine = sharedDynamoDb();
      if (path === 'proxy') proxy = await startMeteringProxy(engine.endpoint, meter);
      const config = {
        endpoint: proxy?.endpoint ?? engine.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      };
      admin = new DynamoDBClient(config);
      if (path === 'data sources') {
        const own = createDataSourceDynamoDbClient(config);
        meterDataSourceClient(own, meter, images);
        client = own;
      } else {
        const sdk = new DynamoDBClient(config);
        if (path === 'middleware') meterDynamoDbClient(sdk, meter, images);
        client = sdk;
      }
      await admin.send(
        new CreateTableCommand({
          TableName: TABLE,
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'g', AttributeType: 'S' },
          ],
          GlobalSecondaryIndexes: [
            {
              IndexName: 'byG',
              KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }],
              Projection: { ProjectionType: 'ALL' },
            },
          ],
        }),
      );
    });

    afterAll(async () => {
      (client as { destroy?: () => void } | undefined)?.destroy?.();
      admin?.destroy();
      images.destroy();
      await proxy?.stop();
    });

    /** An item of exactly `bytes` bytes under key `pk`, without the GSI key. */
    const itemOf = (pk: string, bytes: number): Record<string, AttributeValue> => ({
      pk: { S: pk },
      d: { S: 'x'.repeat(bytes - 2 - pk.length - 1) },
    });
    const units = (
      dimension: 'dynamodb.writeRequestUnit' | 'dynamodb.readRequestUnit',
      act: () => Promise<unknown>,
    ) =>
      (async () => {
        const before = meter.read().totals[dimension] ?? 0;
        await act();
        return (meter.read().totals[dimension] ?? 0) - before;
      })();

    it('meters a put at the 1 KB boundaries as AWS does, and hands the caller no capacity it did not ask for', async () => {
      for (const bytes of [1023, 1024, 1025, 2048, 2049]) {
        // Prepare
        const item = itemOf(`w${bytes}`, bytes);
        expect(itemSize(item)).toBe(bytes);
        // Act
        let answer: { ConsumedCapacity?: unknown } = {};
        const used = await units('dynamodb.writeRequestUnit', async () => {
          answer = await client.send(new PutItemCommand({ TableName: TABLE, Item: item }));
        });
        // Assess
        expect(used, `${bytes} bytes`).toBe(writeUnits(bytes));
        expect(answer.ConsumedCapacity).toBeUndefined();
      }
    });

    it('passes ConsumedCapacity through to a caller that asked for it', async () => {
      // Act
      const answer = await client.send(
        new PutItemCommand({ TableName: TABLE, Item: itemOf('asked', 100), ReturnConsumedCapacity: 'TOTAL' }),
      );
      // Assess
      expect(answer.ConsumedCapacity?.CapacityUnits).toBe(1);
    });

    it('meters reads per 4 KB: eventually consistent at half, strongly consistent at one', async () => {
      for (const bytes of [4096, 4097]) {
        // Prepare
        const item = itemOf(`r${bytes}`, bytes);
        await client.send(new PutItemCommand({ TableName: TABLE, Item: item }));
        for (const consistent of [false, true]) {
          // Act
          const used = await units('dynamodb.readRequestUnit', () =>
            client.send(
              new GetItemCommand({ TableName: TABLE, Key: { pk: item.pk! }, ConsistentRead: consistent }),
            ),
          );
          // Assess
          expect(used, `${bytes} bytes, consistent ${consistent}`).toBe(
            readUnits(bytes, consistent ? 'strong' : 'eventual'),
          );
        }
      }
    });

    it('meters an update at the larger of the item before and after', async () => {
      // Prepare
      await client.send(new PutItemCommand({ TableName: TABLE, Item: itemOf('shrink', 3000) }));
      // Act
      const used = await units('dynamodb.writeRequestUnit', () =>
        client.send(
          new UpdateItemCommand({
            TableName: TABLE,
            Key: { pk: { S: 'shrink' } },
            UpdateExpression: 'SET d = :d',
            ExpressionAttributeValues: { ':d': { S: 'y' } },
          }),
        ),
      );
      // Assess
      expect(used).toBe(writeUnits(3000));
    });

    it('meters a write to a GSI as a write to the index too, and a key change as two index writes', async () => {
      // Act
      const first = await units('dynamodb.writeRequestUnit', () =>
        client.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'gsi' }, g: { S: 'A' } } })),
      );
      const moved = await units('dynamodb.writeRequestUnit', () =>
        client.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'gsi' }, g: { S: 'B' } } })),
      );
      // Assess: one table write plus one index write; then the old index entry goes and a new one comes
      expect(first).toBe(2);
      expect(moved).toBe(3);
      expect(meter.read().details[`dynamodb.writeRequestUnit ${TABLE}/byG PutItem`]).toBe(3);
    });

    it('meters a transaction at twice the units of its items', async () => {
      // Prepare
      const small = itemOf('t1', 500);
      const large = itemOf('t2', 1500);
      // Act
      const used = await units('dynamodb.writeRequestUnit', () =>
        client.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              { Put: { TableName: TABLE, Item: small } },
              { Put: { TableName: TABLE, Item: large } },
            ],
          }),
        ),
      );
      // Assess
      expect(used).toBe(writeUnits(500, true) + writeUnits(1500, true));
    });

    it('meters each transaction item over 1 KB at its own size: an update at the larger image, a delete and a check at the item read', async () => {
      // Prepare: items of 2.5 KB (shrunk by the update), 1.5 KB (deleted), 3.5 KB (checked)
      await client.send(new PutItemCommand({ TableName: TABLE, Item: itemOf('tu', 2500) }));
      await client.send(new PutItemCommand({ TableName: TABLE, Item: itemOf('td', 1500) }));
      await client.send(new PutItemCommand({ TableName: TABLE, Item: itemOf('tc', 3500) }));
      const grown = itemOf('tp', 1100);
      // Act
      const used = await units('dynamodb.writeRequestUnit', () =>
        client.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              {
                Update: {
                  TableName: TABLE,
                  Key: { pk: { S: 'tu' } },
                  UpdateExpression: 'SET d = :d',
                  ExpressionAttributeValues: { ':d': { S: 'y' } },
                },
              },
              { Delete: { TableName: TABLE, Key: { pk: { S: 'td' } } } },
              {
                ConditionCheck: {
                  TableName: TABLE,
                  Key: { pk: { S: 'tc' } },
                  ConditionExpression: 'attribute_exists(pk)',
                },
              },
              { Put: { TableName: TABLE, Item: grown } },
            ],
          }),
        ),
      );
      // Assess: 3 KB, 2 KB, 4 KB and 2 KB, each twice
      expect(used).toBe(
        writeUnits(2500, true) + writeUnits(1500, true) + writeUnits(3500, true) + writeUnits(1100, true),
      );
      expect(used).toBe(22);
    });

    it("meters a transaction's index writes per entry and once each (they propagate after it commits)", async () => {
      // Prepare: one entry that moves to another index key, one that leaves the index
      const entry = (pk: string, g: string) => ({ ...itemOf(pk, 300), g: { S: g } });
      await client.send(new PutItemCommand({ TableName: TABLE, Item: entry('im', 'a') }));
      await client.send(new PutItemCommand({ TableName: TABLE, Item: entry('il', 'a') }));
      const label = `dynamodb.writeRequestUnit ${TABLE}/byG TransactWriteItems`;
      const indexBefore = meter.read().details[label] ?? 0;
      // Act: three new entries (3 puts), a key change (a delete and a put), a removal (a delete)
      const used = await units('dynamodb.writeRequestUnit', () =>
        client.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              { Put: { TableName: TABLE, Item: entry('i1', 'b') } },
              { Put: { TableName: TABLE, Item: entry('i2', 'b') } },
              { Put: { TableName: TABLE, Item: entry('i3', 'b') } },
              {
                Update: {
                  TableName: TABLE,
                  Key: { pk: { S: 'im' } },
                  UpdateExpression: 'SET g = :g',
                  ExpressionAttributeValues: { ':g': { S: 'c' } },
                },
              },
              { Update: { TableName: TABLE, Key: { pk: { S: 'il' } }, UpdateExpression: 'REMOVE g' } },
            ],
          }),
        ),
      );
      // Assess: the five items twice each; the index 3 + 2 + 1 entry writes under 1 KB, not doubled
      expect((meter.read().details[label] ?? 0) - indexBefore).toBe(6);
      expect(used).toBe(5 * writeUnits(302, true) + 6 * writeUnits(302));
    });

    it('meters a transactional put that replaces a larger item at the item it replaces', async () => {
      // Prepare
      await client.send(new PutItemCommand({ TableName: TABLE, Item: itemOf('tr', 2100) }));
      // Act
      const used = await units('dynamodb.writeRequestUnit', () =>
        client.send(
          new TransactWriteItemsCommand({
            TransactItems: [{ Put: { TableName: TABLE, Item: itemOf('tr', 100) } }],
          }),
        ),
      );
      // Assess
      expect(used).toBe(writeUnits(2100, true));
    });

    it('keeps its own reads of the transaction items out of the read units', async () => {
      // Act
      const used = await units('dynamodb.readRequestUnit', () =>
        client.send(
          new TransactWriteItemsCommand({
            TransactItems: [{ Put: { TableName: TABLE, Item: itemOf('quiet', 1500) } }],
          }),
        ),
      );
      // Assess
      expect(used).toBe(0);
    });

    it('meters a delete at the size of the deleted item', async () => {
      // Prepare
      await client.send(new PutItemCommand({ TableName: TABLE, Item: itemOf('gone', 2100) }));
      // Act
      const used = await units('dynamodb.writeRequestUnit', () =>
        client.send(new DeleteItemCommand({ TableName: TABLE, Key: { pk: { S: 'gone' } } })),
      );
      // Assess
      expect(used).toBe(writeUnits(2100));
    });

    it('meters a transactional read per item at twice its 4 KB units', async () => {
      // Prepare
      await client.send(new PutItemCommand({ TableName: TABLE, Item: itemOf('g1', 100) }));
      await client.send(new PutItemCommand({ TableName: TABLE, Item: itemOf('g2', 4100) }));
      // Act
      const used = await units('dynamodb.readRequestUnit', () =>
        client.send(
          new TransactGetItemsCommand({
            TransactItems: [
              { Get: { TableName: TABLE, Key: { pk: { S: 'g1' } } } },
              { Get: { TableName: TABLE, Key: { pk: { S: 'g2' } } } },
            ],
          }),
        ),
      );
      // Assess
      expect(used).toBe(readUnits(100, 'transactional') + readUnits(4100, 'transactional'));
    });

    it('meters a batch per item: writes per 1 KB each, reads per 4 KB each', async () => {
      // Act
      const written = await units('dynamodb.writeRequestUnit', () =>
        client.send(
          new BatchWriteItemCommand({
            RequestItems: {
              [TABLE]: [
                { PutRequest: { Item: itemOf('b1', 100) } },
                { PutRequest: { Item: itemOf('b2', 1500) } },
              ],
            },
          }),
        ),
      );
      const read = await units('dynamodb.readRequestUnit', () =>
        client.send(
          new BatchGetItemCommand({
            RequestItems: {
              [TABLE]: { Keys: [{ pk: { S: 'b1' } }, { pk: { S: 'b2' } }], ConsistentRead: true },
            },
          }),
        ),
      );
      // Assess: not the summed size (1.6 KB, 2 units; 1 read unit), each item on its own
      expect(written).toBe(writeUnits(100) + writeUnits(1500));
      expect(read).toBe(readUnits(100, 'strong') + readUnits(1500, 'strong'));
    });

    it('meters a failed conditional write at the documented minimum of one unit', async () => {
      // Prepare
      await client.send(new PutItemCommand({ TableName: TABLE, Item: itemOf('taken', 10) }));
      // Act
      const used = await units('dynamodb.writeRequestUnit', () =>
        client
          .send(
            new PutItemCommand({
              TableName: TABLE,
              Item: itemOf('taken', 10),
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          )
          .catch((error: Error) => error.name),
      );
      // Assess
      expect(used).toBe(1);
    });
  },
);
