import { describe, expect, it } from 'vitest';
import type { LoadedResource } from '../../../assembly/index.js';
import { createTableInput } from '../../../dynamodb/tables.js';

/** A resolved table resource as the loader hands it over. */
function tableResource(properties: Record<string, unknown>, type = 'AWS::DynamoDB::Table'): LoadedResource {
  return {
    stack: 'Stateful',
    logicalId: 'Table1',
    type,
    properties,
    rawProperties: properties,
    physicalName: 'Stateful-Table1',
    ref: 'Stateful-Table1',
    attributes: {},
  };
}

const keys = {
  KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'gsi1pk', AttributeType: 'S' },
  ],
};
const gsi = {
  IndexName: 'gsi1',
  KeySchema: [{ AttributeName: 'gsi1pk', KeyType: 'HASH' }],
  Projection: { ProjectionType: 'ALL' },
};

describe('createTableInput', () => {
  it('gives a provisioned table and its GSIs capacity when the template declares none', () => {
    // Prepare
    const resource = tableResource({ ...keys, GlobalSecondaryIndexes: [gsi] });
    // Act
    const input = createTableInput(resource);
    // Assess
    // CloudFormation AWS::DynamoDB::Table, BillingMode: PROVISIONED is the default when omitted.
    expect(input.BillingMode).toBe('PROVISIONED');
    expect(input.ProvisionedThroughput).toEqual({ ReadCapacityUnits: 5, WriteCapacityUnits: 5 });
    expect(input.GlobalSecondaryIndexes?.[0]?.ProvisionedThroughput).toEqual({
      ReadCapacityUnits: 5,
      WriteCapacityUnits: 5,
    });
  });

  it('sends no capacity for an on-demand table and enables the declared stream', () => {
    // Prepare
    const resource = tableResource({
      ...keys,
      BillingMode: 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: [gsi],
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      SSESpecification: { SSEEnabled: true },
    });
    // Act
    const input = createTableInput(resource);
    // Assess
    expect(input.ProvisionedThroughput).toBeUndefined();
    expect(input.GlobalSecondaryIndexes?.[0]?.ProvisionedThroughput).toBeUndefined();
    expect(input.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_IMAGE' });
    expect(input).not.toHaveProperty('SSESpecification');
  });

  it('maps a GlobalTable with its name, keys and stream to one local table', () => {
    // Prepare
    const resource = {
      ...tableResource(
        { ...keys, BillingMode: 'PAY_PER_REQUEST', Replicas: [{ Region: 'us-east-1' }] },
        'AWS::DynamoDB::GlobalTable',
      ),
      physicalName: 'orders-global',
    };
    // Act
    const input = createTableInput(resource);
    // Assess
    expect(input).toMatchObject({
      TableName: 'orders-global',
      KeySchema: keys.KeySchema,
      BillingMode: 'PAY_PER_REQUEST',
    });
    expect(input).not.toHaveProperty('Replicas');
  });
});
