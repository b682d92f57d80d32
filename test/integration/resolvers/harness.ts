import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { bundleAppSyncCode } from '../../../infra/bundling.js';
import { LIST_SORT_KEY, productKey, productListKeys } from '../../../domain/keys.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '@orderloop/local/aws-ids';
import { createDataSourceInvoker } from '@orderloop/local/appsync/datasources';
import {
  sharedDynamoDb,
  tableName as fileTableName,
  type SharedDynamoDb,
} from '@orderloop/local/testing/dynamodb';
import { executeResolver, type InvokeDataSource, type ResolveResult } from '@orderloop/local/appsync/runtime';
import { functions, resolvers } from '../../../resolvers/manifest.js';

/** The single table with its three GSIs, as the stateful stack defines it. */
export async function createOrderTable(client: DynamoDBClient, name: string) {
  const gsi = (indexName: string, pk: string, sk: string) => ({
    IndexName: indexName,
    KeySchema: [
      { AttributeName: pk, KeyType: 'HASH' as const },
      { AttributeName: sk, KeyType: 'RANGE' as const },
    ],
    // As infra/stateful-stack.ts declares them: lists read keys, then the items.
    Projection: { ProjectionType: 'KEYS_ONLY' as const },
  });
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: ['PK', 'SK', 'GSI1PK', 'GSI2PK', 'GSI3PK', LIST_SORT_KEY].map((n) => ({
        AttributeName: n,
        AttributeType: 'S' as const,
      })),
      GlobalSecondaryIndexes: [
        gsi('byCustomer', 'GSI1PK', LIST_SORT_KEY),
        gsi('byVendor', 'GSI2PK', LIST_SORT_KEY),
        gsi('byStatus', 'GSI3PK', LIST_SORT_KEY),
      ],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
}

/** A Cognito user pools identity as AppSync builds it. */
export function userIdentity(sub: string, group: 'customer' | 'vendor' | 'admin', vendorId?: string) {
  const claims: Record<string, unknown> = { sub, 'cognito:groups': [group] };
  if (vendorId) claims['custom:vendorId'] = vendorId;
  return {
    sub,
    username: sub,
    groups: [group],
    claims,
    issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_local',
    sourceIp: ['127.0.0.1'],
    defaultAuthStrategy: 'ALLOW',
  };
}

/** An IAM identity (the backend consumers). */
export const iamIdentity = {
  accountId: '000000000000',
  userArn: 'arn:aws:sts::000000000000:assumed-role/consumer/fn',
  username: 'consumer',
  sourceIp: ['127.0.0.1'],
};

/** A resolver harness over DynamoDB Local: every field runs its bundled manifest code. */
export interface Harness {
  client: DynamoDBClient;
  tableName: string;
  call(
    typeName: 'Query' | 'Mutation' | 'Subscription',
    fieldName: string,
    args: Record<string, unknown>,
    identity: unknown,
    headers?: Record<string, string>,
  ): Promise<ResolveResult>;
  seed(item: Record<string, unknown>): Promise<void>;
  /** Runs before every data-source request; tests use it to make a concurrent change at a precise step. */
  beforeRequest: ((request: Record<string, unknown>) => Promise<void>) | null;
  stop(): Promise<void>;
}

let tableCount = 0;

/** Creates a fresh table on the tier's shared DynamoDB Local and returns the harness. */
export async function startHarness(): Promise<Harness> {
  const engine: SharedDynamoDb = sharedDynamoDb();
  const client = new DynamoDBClient({
    endpoint: engine.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  tableCount += 1;
  const tableName = fileTableName(`orderloop-resolvers-${tableCount}`);
  await createOrderTable(client, tableName);
  const noop = async () => {
    throw new Error('not used');
  };
  const invoke = createDataSourceInvoker(
    [
      { name: 'table', type: 'AMAZON_DYNAMODB', tableName },
      { name: 'none', type: 'NONE' },
    ],
    { dynamodb: client, invokeLambda: noop, putEvents: noop },
  ) as unknown as InvokeDataSource;
  const harness: Harness = {
    beforeRequest: null,
    client,
    tableName,
    async call(typeName, fieldName, args, identity, headers = {}) {
      const entry = resolvers.find((r) => r.typeName === typeName && r.fieldName === fieldName);
      if (!entry) throw new Error(`no resolver for ${typeName}.${fieldName}`);
      const spec =
        entry.kind === 'unit'
          ? { kind: 'UNIT' as const, code: bundleAppSyncCode(entry.code), dataSource: entry.dataSource }
          : {
              kind: 'PIPELINE' as const,
              code: bundleAppSyncCode(entry.code),
              functions: entry.functions.map((name) => ({
                name,
                code: bundleAppSyncCode(functions[name].code),
                dataSource: functions[name].dataSource,
              })),
            };
      const hooked: InvokeDataSource = async (name, request, ctx) => {
        if (harness.beforeRequest) await harness.beforeRequest(request as Record<string, unknown>);
        return invoke(name, request, ctx);
      };
      return executeResolver(
        spec,
        {
          typeName,
          fieldName,
          args,
          source: null,
          identity,
          request: { headers },
          info: {
            fieldName,
            parentTypeName: typeName,
            variables: {},
            selectionSetList: [],
            selectionSetGraphQL: '',
          },
          env: { TABLE_NAME: tableName },
        },
        hooked,
      );
    },
    async seed(item) {
      await client.send(
        new PutItemCommand({ TableName: tableName, Item: marshall(item, { removeUndefinedValues: true }) }),
      );
    },
    async stop() {
      client.destroy();
    },
  };
  return harness;
}

/** A catalog product item as updateInventory stores it. */
export function productItem(
  vendorId: string,
  productId: string,
  fields: { price?: number; available?: number; currency?: string } = {},
) {
  return {
    ...productKey(vendorId, productId),
    ...productListKeys(vendorId, productId),
    entity: 'PRODUCT',
    vendorId,
    productId,
    name: `${productId} by ${vendorId}`,
    price: fields.price ?? 1000,
    currency: fields.currency ?? 'USD',
    available: fields.available ?? 10,
    reserved: 0,
    lowStockThreshold: 2,
    updatedAt: '2025-01-01T00:00:00.000Z',
    version: 1,
  };
}

/** A valid shipping address. */
export const address = { name: 'Ada', line1: '1 Main St', city: 'London', postalCode: 'N1', country: 'GB' };
