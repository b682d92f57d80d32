import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { sharedDynamoDb, tableName, type SharedDynamoDb } from '../../../support/dynamodb.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../../aws-ids.js';
import {
  createDataSourceDynamoDbClient,
  createDataSourceInvoker,
  type DataSourceDynamoDbClient,
  type ContextSnapshot,
  type InvokeDataSource,
} from '../../../../appsync/datasources/index.js';
import { createDynamoDbModule } from '../../../../appsync/runtime/dynamodb-module.js';

const TABLE = tableName('orderloop-ds-test');
const SCAN_TABLE = tableName('orderloop-ds-scan-test');
const ctx: ContextSnapshot = {
  arguments: {},
  identity: null,
  source: null,
  stash: {},
  prev: null,
  info: {},
  request: {},
};

/** Typed values the way util.dynamodb.toMapValues builds them in a resolver. */
const typed = (value: Record<string, unknown>) => marshall(value, { removeUndefinedValues: true });
const key = (pk: string, sk: string) => typed({ pk, sk });

let partition = 0;
/** A fresh partition per test, so tests sharing the table never see each other's items. */
const freshPk = () => `ORDER#${++partition}`;

async function createTable(client: DynamoDBClient, name: string) {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'gsi1pk', AttributeType: 'S' },
        { AttributeName: 'gsi1sk', AttributeType: 'S' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'gsi1',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
}

describe('AMAZON_DYNAMODB data source', () => {
  let engine: SharedDynamoDb;
  let client: DynamoDBClient;
  let dataSourceClient: DataSourceDynamoDbClient;
  let invoke: InvokeDataSource;
  const run = (request: unknown) => invoke('orders', request, ctx);
  const seed = (item: Record<string, unknown>, table = TABLE) =>
    client.send(new PutItemCommand({ TableName: table, Item: typed(item) }));

  beforeAll(async () => {
    engine = sharedDynamoDb();
    client = new DynamoDBClient({
      endpoint: engine.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    await createTable(client, TABLE);
    await createTable(client, SCAN_TABLE);
    const noop = async () => {
      throw new Error('not used');
    };
    // The data sources' own client, as the local stack builds it: unsigned, straight to DynamoDB Local.
    dataSourceClient = createDataSourceDynamoDbClient({
      endpoint: engine.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    invoke = createDataSourceInvoker(
      [
        { name: 'orders', type: 'AMAZON_DYNAMODB', tableName: TABLE },
        { name: 'scan', type: 'AMAZON_DYNAMODB', tableName: SCAN_TABLE },
      ],
      { dynamodb: dataSourceClient, invokeLambda: noop, putEvents: noop },
    );
    for (let i = 1; i <= 5; i++) {
      await seed(
        { pk: 'SCAN', sk: `ITEM#${i}`, n: i, kind: i % 2 ? 'odd' : 'even', _lastChangedAt: 1000 * i },
        SCAN_TABLE,
      );
    }
  });
  afterAll(async () => {
    client?.destroy();
    dataSourceClient?.destroy();
  });

  describe('GetItem', () => {
    it('returns the item as plain JSON with numbers, sets and binary converted', async () => {
      // Prepare
      const pk = freshPk();
      await client.send(
        new PutItemCommand({
          TableName: TABLE,
          Item: {
            ...key(pk, 'META'),
            total: { N: '12.5' },
            tags: { SS: ['a', 'b'] },
            blob: { B: new Uint8Array([1, 2, 3]) },
            paid: { BOOL: true },
            note: { NULL: true },
            lines: { L: [{ M: { qty: { N: '2' } } }] },
          },
        }),
      );
      // Act
      const { result, error } = await run({ operation: 'GetItem', key: key(pk, 'META') });
      // Assess: "Type system (response mapping)" — N to number, SS to list, B to base64 string
      expect(error).toBeUndefined();
      expect(result).toEqual({
        pk,
        sk: 'META',
        total: 12.5,
        tags: ['a', 'b'],
        blob: 'AQID',
        paid: true,
        note: null,
        lines: [{ qty: 2 }],
      });
    });

    it('returns null when no item has the key', async () => {
      // Act
      const { result, error } = await run({
        operation: 'GetItem',
        key: key(freshPk(), 'NOPE'),
        consistentRead: true,
      });
      // Assess: "GetItem" — a missing item is a null ctx.result, not an error
      expect(error).toBeUndefined();
      expect(result).toBeNull();
    });

    it('returns only the projected attributes', async () => {
      // Prepare
      const pk = freshPk();
      await seed({ pk, sk: 'META', status: 'NEW', secret: 'x' });
      // Act
      const { result } = await run({
        operation: 'GetItem',
        key: key(pk, 'META'),
        projection: { expression: '#s, pk', expressionNames: { '#s': 'status' } },
      });
      // Assess: "Projections" — only the listed attributes come back
      expect(result).toEqual({ pk, status: 'NEW' });
    });

    it('rejects a key that is not in DynamoDB typed-value form with a MappingTemplate error', async () => {
      // Act
      const { result, error } = await run({ operation: 'GetItem', key: { pk: 'raw', sk: 'raw' } });
      // Assess: "Type system (request mapping)" — keys must be typed values
      expect(result).toBeUndefined();
      expect(error?.type).toBe('MappingTemplate');
      expect(error?.message).toContain('key.pk');
    });
  });

  describe('PutItem', () => {
    it('writes key plus attributeValues and returns the written item', async () => {
      // Prepare
      const pk = freshPk();
      // Act
      const put = await run({
        operation: 'PutItem',
        key: key(pk, 'META'),
        attributeValues: typed({ status: 'NEW', total: 40 }),
        _version: 3,
      });
      const read = await run({ operation: 'GetItem', key: key(pk, 'META'), consistentRead: true });
      // Assess: "PutItem" — ctx.result is the item written; `_version` only matters on versioned data sources
      expect(put).toEqual({ result: { pk, sk: 'META', status: 'NEW', total: 40 } });
      expect(read.result).toEqual({ pk, sk: 'META', status: 'NEW', total: 40 });
    });

    it('fails when the condition does not hold, with the current item in ctx.result and error.data', async () => {
      // Prepare
      const pk = freshPk();
      await seed({ pk, sk: 'META', status: 'PAID' });
      // Act
      const { result, error } = await run({
        operation: 'PutItem',
        key: key(pk, 'META'),
        attributeValues: typed({ status: 'NEW' }),
        condition: { expression: 'attribute_not_exists(pk)' },
      });
      // Assess: "Condition expressions", handling a condition check failure — Reject strategy
      expect(error?.type).toBe('DynamoDB:ConditionalCheckFailedException');
      expect(error?.data).toEqual({ pk, sk: 'META', status: 'PAID' });
      expect(result).toEqual({ pk, sk: 'META', status: 'PAID' });
    });

    it('succeeds when the condition fails but the item already is what the put would write', async () => {
      // Prepare
      const pk = freshPk();
      await seed({ pk, sk: 'META', status: 'NEW', updatedAt: 'earlier' });
      // Act
      const { result, error } = await run({
        operation: 'PutItem',
        key: key(pk, 'META'),
        attributeValues: typed({ status: 'NEW', updatedAt: 'now' }),
        condition: {
          expression: 'attribute_not_exists(pk)',
          equalsIgnore: ['updatedAt'],
        },
      });
      // Assess: "Condition expressions" — current value matching the desired result (minus equalsIgnore) is a success
      expect(error).toBeUndefined();
      expect(result).toEqual({ pk, sk: 'META', status: 'NEW', updatedAt: 'earlier' });
    });

    it('applies a condition with expression names and values', async () => {
      // Prepare
      const pk = freshPk();
      await seed({ pk, sk: 'META', status: 'NEW' });
      // Act
      const { result, error } = await run({
        operation: 'PutItem',
        key: key(pk, 'META'),
        attributeValues: typed({ status: 'PAID' }),
        condition: {
          expression: '#s = :s',
          expressionNames: { '#s': 'status' },
          expressionValues: typed({ ':s': 'NEW' }),
        },
      });
      // Assess: "Condition expressions", specifying a condition
      expect(error).toBeUndefined();
      expect(result).toEqual({ pk, sk: 'META', status: 'PAID' });
    });
  });

  describe('UpdateItem', () => {
    it('applies the update expression and returns the item as it is afterwards', async () => {
      // Prepare
      const pk = freshPk();
      await seed({ pk, sk: 'META', status: 'NEW', stock: 5 });
      // Act
      const { result, error } = await run({
        operation: 'UpdateItem',
        key: key(pk, 'META'),
        update: {
          expression: 'SET #s = :s ADD stock :d',
          expressionNames: { '#s': 'status' },
          expressionValues: typed({ ':s': 'RESERVED', ':d': -2 }),
        },
        condition: { expression: 'stock >= :min', expressionValues: typed({ ':min': 2 }) },
      });
      // Assess: "UpdateItem" — ctx.result is the updated item
      expect(error).toBeUndefined();
      expect(result).toEqual({ pk, sk: 'META', status: 'RESERVED', stock: 3 });
    });

    it('fails when the condition does not hold and leaves the item untouched', async () => {
      // Prepare
      const pk = freshPk();
      await seed({ pk, sk: 'META', stock: 1 });
      // Act
      const { result, error } = await run({
        operation: 'UpdateItem',
        key: key(pk, 'META'),
        update: { expression: 'ADD stock :d', expressionValues: typed({ ':d': -2 }) },
        condition: { expression: 'stock >= :min', expressionValues: typed({ ':min': 2 }) },
      });
      // Assess: "Condition expressions" — Reject strategy, current value returned
      expect(error?.type).toBe('DynamoDB:ConditionalCheckFailedException');
      expect(result).toEqual({ pk, sk: 'META', stock: 1 });
    });

    it('fails an operations.increment on a missing attribute, as AWS SET x = x + v does, and adds to an existing one', async () => {
      // Prepare: the module's request object, as a resolver's request handler would return it
      const ddb = createDynamoDbModule();
      const pk = freshPk();
      await seed({ pk, sk: 'META' });
      const bump = ddb.update({ key: { pk, sk: 'META' }, update: { views: ddb.operations.increment(2) } });
      // Act
      const missing = await run(bump);
      await seed({ pk, sk: 'META', views: 1 });
      const existing = await run(bump);
      // Assess: unlike ADD, SET on an absent attribute is an error (recorded AWS behaviour, issue "Trust" 13)
      expect(missing.error?.type).toBe('DynamoDB:ValidationException');
      expect(existing.result).toEqual({ pk, sk: 'META', views: 3 });
    });

    it('rejects an UpdateItem without an update block', async () => {
      // Act
      const { error } = await run({ operation: 'UpdateItem', key: key(freshPk(), 'META') });
      // Assess: "UpdateItem" — update is required
      expect(error).toEqual({ type: 'MappingTemplate', message: 'update is required' });
    });
  });

  describe('DeleteItem', () => {
    it('deletes the item and returns it', async () => {
      // Prepare
      const pk = freshPk();
      await seed({ pk, sk: 'META', status: 'NEW' });
      // Act
      const deleted = await run({ operation: 'DeleteItem', key: key(pk, 'META') });
      const after = await run({ operation: 'GetItem', key: key(pk, 'META'), consistentRead: true });
      // Assess: "DeleteItem" — ctx.result is the deleted item
      expect(deleted).toEqual({ result: { pk, sk: 'META', status: 'NEW' } });
      expect(after.result).toBeNull();
    });

    it('succeeds with null when a conditional delete finds the item already gone', async () => {
      // Act
      const { result, error } = await run({
        operation: 'DeleteItem',
        key: key(freshPk(), 'META'),
        condition: { expression: 'attribute_exists(pk)' },
      });
      // Assess: "Condition expressions" — the desired result (no item) already holds, so no error
      expect(error).toBeUndefined();
      expect(result).toBeNull();
    });

    it('fails when the delete condition does not hold on an existing item', async () => {
      // Prepare
      const pk = freshPk();
      await seed({ pk, sk: 'META', status: 'PAID' });
      // Act
      const { result, error } = await run({
        operation: 'DeleteItem',
        key: key(pk, 'META'),
        condition: {
          expression: '#s = :s',
          expressionNames: { '#s': 'status' },
          expressionValues: typed({ ':s': 'NEW' }),
        },
      });
      // Assess: "Condition expressions" — Reject strategy
      expect(error?.type).toBe('DynamoDB:ConditionalCheckFailedException');
      expect(result).toEqual({ pk, sk: 'META', status: 'PAID' });
    });
  });

  describe('Query', () => {
    it('pages through a partition with a nextToken that round-trips until it is null', async () => {
      // Prepare
      const pk = freshPk();
      for (let i = 1; i <= 5; i++) await seed({ pk, sk: `LINE#${i}`, qty: i });
      const request = {
        operation: 'Query',
        query: {
          expression: 'pk = :pk AND begins_with(sk, :line)',
          expressionValues: typed({ ':pk': pk, ':line': 'LINE#' }),
        },
        limit: 2,
      };
      // Act
      const pages: { items: { sk: string }[]; nextToken: string | null; scannedCount: number }[] = [];
      let nextToken: string | null = null;
      do {
        const { result, error } = await run({ ...request, nextToken });
        expect(error).toBeUndefined();
        const page = result as (typeof pages)[number];
        pages.push(page);
        nextToken = page.nextToken;
      } while (nextToken && pages.length < 10);
      // Assess: "Query" — items, an opaque string nextToken, scannedCount; null nextToken on the last page
      expect(pages.flatMap((p) => p.items.map((i) => i.sk))).toEqual([
        'LINE#1',
        'LINE#2',
        'LINE#3',
        'LINE#4',
        'LINE#5',
      ]);
      expect(typeof pages[0]?.nextToken).toBe('string');
      expect(pages.at(-1)?.nextToken).toBeNull();
      expect(pages[0]?.scannedCount).toBe(2);
    });

    it('queries an index backwards with a filter and a projection', async () => {
      // Prepare
      const pk = freshPk();
      const vendor = `VENDOR#${pk}`;
      await seed({ pk, sk: 'A', gsi1pk: vendor, gsi1sk: '2024-01', status: 'OPEN' });
      await seed({ pk, sk: 'B', gsi1pk: vendor, gsi1sk: '2024-02', status: 'CLOSED' });
      await seed({ pk, sk: 'C', gsi1pk: vendor, gsi1sk: '2024-03', status: 'OPEN' });
      // Act
      const { result, error } = await run({
        operation: 'Query',
        index: 'gsi1',
        query: { expression: 'gsi1pk = :v', expressionValues: typed({ ':v': vendor }) },
        filter: {
          expression: '#s = :open',
          expressionNames: { '#s': 'status' },
          expressionValues: typed({ ':open': 'OPEN' }),
        },
        projection: { expression: 'sk, gsi1sk' },
        scanIndexForward: false,
      });
      // Assess: "Query" — index, scanIndexForward and filter; scannedCount counts items before the filter
      expect(error).toBeUndefined();
      expect(result).toEqual({
        items: [
          { sk: 'C', gsi1sk: '2024-03' },
          { sk: 'A', gsi1sk: '2024-01' },
        ],
        nextToken: null,
        scannedCount: 3,
      });
    });

    it('fails when the key condition names a non-key attribute, with DynamoDB:ValidationException', async () => {
      // Act
      const { error } = await run({
        operation: 'Query',
        query: { expression: 'status = :s', expressionValues: typed({ ':s': 'x' }) },
      });
      // Assess: errors from DynamoDB reach ctx.error as DynamoDB:<error code>
      expect(error?.type).toBe('DynamoDB:ValidationException');
    });

    it('pages an index newest-first with opaque tokens that hide the keys', async () => {
      // Prepare
      const pk = freshPk();
      const customer = `CUSTOMER#${pk}`;
      for (let i = 1; i <= 5; i++)
        await seed({ pk, sk: `O#${i}`, gsi1pk: customer, gsi1sk: `2026-12-0${i}` });
      const request = {
        operation: 'Query',
        index: 'gsi1',
        query: { expression: 'gsi1pk = :c', expressionValues: typed({ ':c': customer }) },
        scanIndexForward: false,
        limit: 2,
      };
      // Act
      const seen: string[] = [];
      const tokens: string[] = [];
      let nextToken: string | null = null;
      do {
        const { result, error } = await run({ ...request, nextToken });
        expect(error).toBeUndefined();
        const page = result as { items: { gsi1sk: string }[]; nextToken: string | null };
        seen.push(...page.items.map((i) => i.gsi1sk));
        nextToken = page.nextToken;
        if (nextToken) tokens.push(nextToken);
      } while (nextToken && tokens.length < 10);
      // Assess: newest first across pages, and no token shows the partition or the index keys
      expect(seen).toEqual(['2026-12-05', '2026-12-04', '2026-12-03', '2026-12-02', '2026-12-01']);
      for (const token of tokens) {
        const outer = Buffer.from(token, 'base64').toString('utf8');
        const inner = Buffer.from((JSON.parse(outer) as { token: string }).token, 'base64').toString(
          'latin1',
        );
        expect(`${outer}${inner}`).not.toContain(pk);
        expect(`${outer}${inner}`).not.toContain('2026-12-0');
      }
    });

    it('rejects a changed nextToken with the error AppSync gives and reads nothing', async () => {
      // Prepare
      const pk = freshPk();
      for (let i = 1; i <= 3; i++) await seed({ pk, sk: `LINE#${i}` });
      const request = {
        operation: 'Query',
        query: { expression: 'pk = :pk', expressionValues: typed({ ':pk': pk }) },
        limit: 1,
      };
      const first = (await run(request)).result as { nextToken: string };
      const outer = JSON.parse(Buffer.from(first.nextToken, 'base64').toString('utf8')) as { token: string };
      const sealed = Buffer.from(outer.token, 'base64');
      sealed[sealed.length - 1] = (sealed[sealed.length - 1] ?? 0) ^ 0x80;
      const changed = Buffer.from(JSON.stringify({ ...outer, token: sealed.toString('base64') })).toString(
        'base64',
      );
      // Act
      const { result, error } = await run({ ...request, nextToken: changed });
      // Assess: AppSync's recorded answer (aws-amplify/amplify-cli#3411)
      expect(result).toBeUndefined();
      expect(error).toEqual({
        type: 'DynamoDB:UserIllegalArgumentException',
        message:
          'com.amazonaws.deepdish.common.pagination.InvalidPaginationTokenException: Invalid pagination token given.',
      });
    });

    it('rejects a nextToken this API did not issue', async () => {
      // Act
      const { error } = await run({
        operation: 'Query',
        query: { expression: 'pk = :pk', expressionValues: typed({ ':pk': 'x' }) },
        nextToken: Buffer.from(JSON.stringify({ pk: { S: 'x' }, sk: { S: 'y' } })).toString('base64'),
      });
      // Assess: a forged start key is refused rather than passed to DynamoDB
      expect(error?.type).toBe('DynamoDB:UserIllegalArgumentException');
    });
  });

  describe('Scan and Sync', () => {
    const scan = (request: unknown) => invoke('scan', request, ctx);

    it('scans every item across pages with a filter', async () => {
      // Prepare
      const request = {
        operation: 'Scan',
        filter: { expression: 'kind = :k', expressionValues: typed({ ':k': 'odd' }) },
        limit: 2,
      };
      // Act
      const items: unknown[] = [];
      let nextToken: string | null = null;
      let calls = 0;
      do {
        const { result } = await scan({ ...request, nextToken });
        const page = result as { items: unknown[]; nextToken: string | null };
        items.push(...page.items);
        nextToken = page.nextToken;
        calls++;
      } while (nextToken && calls < 10);
      // Assess: "Scan" — filter applies per page and nextToken round-trips until exhausted
      expect(items.map((i) => (i as { n: number }).n).sort()).toEqual([1, 3, 5]);
      expect(calls).toBeGreaterThan(1);
    });

    it('splits a scan into segments that together cover the table exactly once', async () => {
      // Act
      const segments = await Promise.all(
        [0, 1].map((segment) => scan({ operation: 'Scan', segment, totalSegments: 2 })),
      );
      // Assess: "Scan" — segment / totalSegments for parallel scans
      const all = segments.flatMap((s) => (s.result as { items: { n: number }[] }).items.map((i) => i.n));
      expect(all.sort()).toEqual([1, 2, 3, 4, 5]);
    });

    it('syncs all items first and only items changed since lastSync afterwards', async () => {
      // Act
      const first = await scan({ operation: 'Sync', limit: 100 });
      const delta = await scan({ operation: 'Sync', lastSync: 4000, limit: 100 });
      // Assess: "Sync" — items, nextToken and startedAt (epoch ms) for the next lastSync
      const full = first.result as { items: { n: number }[]; nextToken: string | null; startedAt: number };
      expect(full.items.map((i) => i.n).sort()).toEqual([1, 2, 3, 4, 5]);
      expect(full.nextToken).toBeNull();
      expect(full.startedAt).toBeGreaterThan(Date.now() - 60_000);
      expect((delta.result as { items: { n: number }[] }).items.map((i) => i.n).sort()).toEqual([4, 5]);
    });
  });

  describe('batch operations', () => {
    it('gets items in key order with null for a missing key', async () => {
      // Prepare
      const pk = freshPk();
      await seed({ pk, sk: 'A', v: 1 });
      await seed({ pk, sk: 'C', v: 3 });
      // Act
      const { result, error } = await run({
        operation: 'BatchGetItem',
        tables: { [TABLE]: { keys: [key(pk, 'C'), key(pk, 'B'), key(pk, 'A')], consistentRead: true } },
      });
      // Assess: "BatchGetItem" — data per table in key order, null where nothing matched, unprocessedKeys per table
      expect(error).toBeUndefined();
      expect(result).toEqual({
        data: { [TABLE]: [{ pk, sk: 'C', v: 3 }, null, { pk, sk: 'A', v: 1 }] },
        unprocessedKeys: { [TABLE]: [] },
      });
    });

    it('puts and deletes items in batches and reports what was written', async () => {
      // Prepare
      const pk = freshPk();
      // Act
      const put = await run({
        operation: 'BatchPutItem',
        tables: { [TABLE]: [typed({ pk, sk: 'A', v: 1 }), typed({ pk, sk: 'B', v: 2 })] },
      });
      const del = await run({ operation: 'BatchDeleteItem', tables: { [TABLE]: [key(pk, 'A')] } });
      const left = await run({
        operation: 'Query',
        query: { expression: 'pk = :pk', expressionValues: typed({ ':pk': pk }) },
        consistentRead: true,
      });
      // Assess: "BatchPutItem" / "BatchDeleteItem" — data per table, unprocessedItems / unprocessedKeys per table
      expect(put.result).toEqual({
        data: {
          [TABLE]: [
            { pk, sk: 'A', v: 1 },
            { pk, sk: 'B', v: 2 },
          ],
        },
        unprocessedItems: { [TABLE]: [] },
      });
      expect(del.result).toEqual({ data: { [TABLE]: [{ pk, sk: 'A' }] }, unprocessedKeys: { [TABLE]: [] } });
      expect((left.result as { items: unknown[] }).items).toEqual([{ pk, sk: 'B', v: 2 }]);
    });

    it('fails when a batch names an unknown table, with DynamoDB:ResourceNotFoundException', async () => {
      // Act
      const { error } = await run({
        operation: 'BatchGetItem',
        tables: { 'no-such-table': { keys: [key('a', 'b')] } },
      });
      // Assess: batch requests name real tables, and DynamoDB's error reaches ctx.error
      expect(error?.type).toBe('DynamoDB:ResourceNotFoundException');
    });
  });

  describe('transactions', () => {
    it('gets items transactionally in request order with null for a missing one', async () => {
      // Prepare
      const pk = freshPk();
      await seed({ pk, sk: 'A', v: 1 });
      // Act
      const { result, error } = await run({
        operation: 'TransactGetItems',
        transactItems: [
          { table: TABLE, key: key(pk, 'MISSING') },
          { table: TABLE, key: key(pk, 'A'), projection: { expression: 'v' } },
        ],
      });
      // Assess: "TransactGetItems" — items in request order, null for no item
      expect(error).toBeUndefined();
      expect(result).toEqual({ items: [null, { v: 1 }] });
    });

    it('writes put, update, delete and condition check together and returns their keys', async () => {
      // Prepare
      const pk = freshPk();
      await seed({ pk, sk: 'STOCK', qty: 5 });
      await seed({ pk, sk: 'OLD' });
      await seed({ pk, sk: 'VENDOR', active: true });
      // Act
      const { result, error } = await run({
        operation: 'TransactWriteItems',
        transactItems: [
          { table: TABLE, operation: 'PutItem', key: key(pk, 'ORDER'), attributeValues: typed({ qty: 2 }) },
          {
            table: TABLE,
            operation: 'UpdateItem',
            key: key(pk, 'STOCK'),
            update: { expression: 'SET qty = qty - :q', expressionValues: typed({ ':q': 2 }) },
            condition: {
              expression: 'qty >= :q',
              expressionValues: typed({ ':q': 2 }),
              returnValuesOnConditionCheckFailure: true,
            },
          },
          { table: TABLE, operation: 'DeleteItem', key: key(pk, 'OLD') },
          {
            table: TABLE,
            operation: 'ConditionCheck',
            key: key(pk, 'VENDOR'),
            condition: {
              expression: 'active = :t',
              expressionValues: typed({ ':t': true }),
              returnValuesOnConditionCheckFailure: false,
            },
          },
        ],
      });
      const stock = await run({ operation: 'GetItem', key: key(pk, 'STOCK'), consistentRead: true });
      // Assess: "TransactWriteItems" — ctx.result.keys in request order
      expect(error).toBeUndefined();
      expect(result).toEqual({
        keys: [
          { pk, sk: 'ORDER' },
          { pk, sk: 'STOCK' },
          { pk, sk: 'OLD' },
          { pk, sk: 'VENDOR' },
        ],
      });
      expect(stock.result).toEqual({ pk, sk: 'STOCK', qty: 3 });
    });

    it('fails when one condition of a transaction does not hold, with cancellationReasons in request order', async () => {
      // Prepare
      const pk = freshPk();
      await seed({ pk, sk: 'STOCK', qty: 1 });
      // Act
      const { result, error } = await run({
        operation: 'TransactWriteItems',
        transactItems: [
          { table: TABLE, operation: 'PutItem', key: key(pk, 'ORDER'), attributeValues: typed({ qty: 2 }) },
          {
            table: TABLE,
            operation: 'UpdateItem',
            key: key(pk, 'STOCK'),
            update: { expression: 'SET qty = qty - :q', expressionValues: typed({ ':q': 2 }) },
            condition: {
              expression: 'qty >= :q',
              expressionValues: typed({ ':q': 2 }),
              returnValuesOnConditionCheckFailure: true,
            },
          },
        ],
      });
      const order = await run({ operation: 'GetItem', key: key(pk, 'ORDER'), consistentRead: true });
      // Assess: "TransactWriteItems" errors — DynamoDB:TransactionCanceledException, reasons in ctx.result
      expect(error?.type).toBe('DynamoDB:TransactionCanceledException');
      expect(result).toEqual({
        keys: null,
        cancellationReasons: [
          { type: 'None', message: null },
          { type: 'ConditionalCheckFailed', message: expect.any(String), item: { pk, sk: 'STOCK', qty: 1 } },
        ],
      });
      expect(order.result).toBeNull(); // the invariant: nothing of a cancelled transaction is written
    });

    it('rejects a transact item with an unknown operation', async () => {
      // Act
      const { error } = await run({
        operation: 'TransactWriteItems',
        transactItems: [{ table: TABLE, operation: 'Upsert', key: key('a', 'b') }],
      });
      // Assess: "TransactWriteItems" — the four supported item operations
      expect(error?.type).toBe('MappingTemplate');
      expect(error?.message).toContain('Upsert');
    });
  });

  it("runs interceptors added to the data sources' client after its first call, the last added outermost", async () => {
    // Prepare: a client of its own (the interceptors stay on it), which has answered a call already
    const own = createDataSourceDynamoDbClient({
      endpoint: engine.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    const unused = () => Promise.reject(new Error('not used'));
    const ownInvoke = createDataSourceInvoker(
      [{ name: 'orders', type: 'AMAZON_DYNAMODB', tableName: TABLE }],
      {
        dynamodb: own,
        invokeLambda: unused,
        putEvents: unused,
      },
    );
    const ownRun = (request: unknown) => ownInvoke('orders', request, ctx);
    await ownRun({ operation: 'GetItem', key: key(freshPk(), 'META') });
    const seen: string[] = [];
    own.intercept(async (call, next) => {
      seen.push(`inner ${call.operation} ${String(call.input.ReturnConsumedCapacity)}`);
      return next(call.input);
    });
    own.intercept(async (call, next) => {
      seen.push(`outer ${call.operation}`);
      return next({ ...call.input, ReturnConsumedCapacity: 'TOTAL' });
    });
    // Act
    const { result } = await ownRun({ operation: 'GetItem', key: key(freshPk(), 'META') });
    own.destroy();
    // Assess: both ran, outer first, and the input the outer one passed on is what the inner one saw
    expect(result).toBeNull();
    expect(seen).toEqual(['outer GetItem', 'inner GetItem TOTAL']);
  });

  it('rejects an unknown operation with a MappingTemplate error naming the supported ones', async () => {
    // Act
    const { result, error } = await run({ operation: 'Truncate' });
    // Assess: "JavaScript resolver function reference for DynamoDB" — only the documented operations exist
    expect(result).toBeUndefined();
    expect(error?.type).toBe('MappingTemplate');
    expect(error?.message).toContain("'Truncate'");
    expect(error?.message).toContain('TransactWriteItems');
  });
});
