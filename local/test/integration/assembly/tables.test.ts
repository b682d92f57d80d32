import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../aws-ids.js';
import { loadAssembly, type Assembly, type LoadedResource } from '../../../assembly/index.js';
import { sharedDynamoDb, type SharedDynamoDb } from '../../support/dynamodb.js';
import { createTables } from '../../../dynamodb/tables.js';
import { synthSampleApp, type SampleApp } from '../../unit/assembly/sample-app.js';

describe('createTables on DynamoDB Local', () => {
  let sample: SampleApp;
  let engine: SharedDynamoDb;
  let client: DynamoDBClient;
  let assembly: Assembly;
  let orders: LoadedResource;
  let idempotency: LoadedResource;

  beforeAll(async () => {
    sample = synthSampleApp();
    engine = sharedDynamoDb();
    client = new DynamoDBClient({
      endpoint: engine.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    assembly = loadAssembly(sample.outdir);
    orders = assembly.findByPath('SampleStateful/Orders')!;
    idempotency = assembly.findByPath('SampleStateful/Idempotency')!;
  });
  afterAll(async () => {
    client?.destroy();
    sample?.cleanup();
  });

  const describeTable = async (name: string) =>
    (await client.send(new DescribeTableCommand({ TableName: name }))).Table!;

  it('creates every table with the keys, indexes, billing and stream of its template', async () => {
    // Act
    const created = await createTables(assembly, client, { dropExisting: true });
    const table = await describeTable(orders.physicalName);
    // Assess
    expect(created.map((t) => [t.tableName, t.status])).toEqual([
      [orders.physicalName, 'created'],
      ['sample-idempotency', 'created'],
    ]);
    expect(table.KeySchema).toEqual(orders.properties.KeySchema);
    expect(table.AttributeDefinitions).toEqual(
      expect.arrayContaining(orders.properties.AttributeDefinitions),
    );
    expect(table.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.GlobalSecondaryIndexes?.map((g) => [g.IndexName, g.KeySchema, g.Projection])).toEqual(
      orders.properties.GlobalSecondaryIndexes.map((g: Record<string, unknown>) => [
        g.IndexName,
        g.KeySchema,
        g.Projection,
      ]),
    );
    expect(table.LocalSecondaryIndexes?.map((l) => l.IndexName)).toEqual(['byVendor']);
    expect(table.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(created[0]!.ignoredProperties).toEqual(['PointInTimeRecoverySpecification']);
  });

  it('gives a provisioned table the capacity its template declares', async () => {
    // Act
    const table = await describeTable(idempotency.physicalName);
    // Assess
    expect(table.ProvisionedThroughput).toMatchObject({ ReadCapacityUnits: 2, WriteCapacityUnits: 3 });
    expect(table.StreamSpecification).toBeUndefined();
  });

  it('writes the stream ARN DynamoDB Local assigned into the assembly, so the pipe reads that stream', async () => {
    // Act
    const table = await describeTable(orders.physicalName);
    const pipe = assembly.findByPath('SampleApi/OrdersPipe')!;
    // Assess
    expect(table.LatestStreamArn).toBeDefined();
    expect(orders.attributes.StreamArn).toBe(table.LatestStreamArn);
    expect(pipe.properties.Source).toBe(table.LatestStreamArn);
  });

  it('turns on the TTL attribute the template names', async () => {
    // Act
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: orders.physicalName }));
    // Assess
    // DynamoDB API reference, DescribeTimeToLive: TimeToLiveStatus ENABLED with the attribute name.
    expect(ttl.TimeToLiveDescription).toMatchObject({
      TimeToLiveStatus: 'ENABLED',
      AttributeName: 'expiresAt',
    });
  });

  it('keeps existing tables and their items when run again', async () => {
    // Prepare
    const key = { pk: { S: 'order#1' }, sk: { S: 'meta' } };
    await client.send(new PutItemCommand({ TableName: orders.physicalName, Item: key }));
    const fresh = loadAssembly(sample.outdir);
    // Act
    const again = await createTables(fresh, client);
    const item = await client.send(new GetItemCommand({ TableName: orders.physicalName, Key: key }));
    // Assess
    expect(again.map((t) => t.status)).toEqual(['existing', 'existing']);
    expect(item.Item).toEqual(key);
    expect(fresh.findByPath('SampleStateful/Orders')!.attributes.StreamArn).toBe(orders.attributes.StreamArn);
  });

  it('adds the GSI and stream a template gained to a table that already exists', async () => {
    // Prepare
    await client.send(new DeleteTableCommand({ TableName: orders.physicalName }));
    await client.send(
      new CreateTableCommand({
        TableName: orders.physicalName,
        KeySchema: orders.properties.KeySchema,
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    // Act
    const result = await createTables(assembly, client);
    const table = await describeTable(orders.physicalName);
    // Assess
    expect(result[0]!.status).toBe('updated');
    expect(table.GlobalSecondaryIndexes?.map((g) => g.IndexName)).toEqual(['byStatus']);
    expect(table.StreamSpecification?.StreamEnabled).toBe(true);
    expect(assembly.findByPath('SampleApi/OrdersPipe')!.properties.Source).toBe(table.LatestStreamArn);
  });

  it('recreates tables empty when asked to drop existing ones', async () => {
    // Prepare
    const key = { id: { S: 'token-1' } };
    await client.send(new PutItemCommand({ TableName: 'sample-idempotency', Item: key }));
    // Act
    const result = await createTables(assembly, client, { dropExisting: true });
    const item = await client.send(new GetItemCommand({ TableName: 'sample-idempotency', Key: key }));
    // Assess
    expect(result.map((t) => t.status)).toEqual(['created', 'created']);
    expect(item.Item).toBeUndefined();
  });
});
