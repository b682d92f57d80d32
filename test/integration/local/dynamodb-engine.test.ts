import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient, CreateTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../../local/dynamodb/engine.js';

describe('DynamoDB Local engine', () => {
  let engine: DynamoDbLocal;
  beforeAll(async () => {
    engine = await startDynamoDbLocal();
  });
  afterAll(async () => {
    await engine.stop();
  });

  it('answers the AWS SDK on its endpoint and keeps tables it is asked to create', async () => {
    // Prepare
    const client = new DynamoDBClient({
      endpoint: engine.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    // Act
    await client.send(
      new CreateTableCommand({
        TableName: 'orders-test',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const tables = await client.send(new ListTablesCommand({}));
    // Assess
    expect(tables.TableNames).toEqual(['orders-test']);
  });

  it('leaves no java process behind once stopped', async () => {
    // Prepare
    const other = await startDynamoDbLocal();
    // Act
    await other.stop();
    // Assess
    expect(other.process.exitCode !== null || other.process.signalCode !== null).toBe(true);
  });
});
