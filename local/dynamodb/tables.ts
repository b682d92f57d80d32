/**
 * Creates the assembly's DynamoDB tables on DynamoDB Local, exactly as the templates declare them, and
 * writes each table's real stream ARN back into the assembly so pipes and event source mappings use it.
 */
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type LocalSecondaryIndex,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import type { Assembly, LoadedResource } from '../assembly/index.js';

/** The table types the local runtime creates. */
export const TABLE_TYPES = ['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable'] as const;

/** Options of {@link createTables}. */
export interface CreateTablesOptions {
  /** Delete and recreate tables that already exist (loses their data). @default false */
  readonly dropExisting?: boolean;
}

/** What createTables did for one table. */
export interface CreatedTable {
  readonly stack: string;
  readonly logicalId: string;
  readonly tableName: string;
  /** created: new; existing: kept as it was; updated: kept, with missing GSIs, stream or TTL added. */
  readonly status: 'created' | 'existing' | 'updated';
  /** The stream ARN DynamoDB Local assigned, when the table has a stream. */
  readonly streamArn?: string;
  /** Template properties DynamoDB Local ignores or lacks, kept visible (PITR, SSE, deletion protection…). */
  readonly ignoredProperties: readonly string[];
}

/** Capacity given to provisioned tables and GSIs that declare none; DynamoDB Local does not enforce it. */
const DEFAULT_THROUGHPUT = { ReadCapacityUnits: 5, WriteCapacityUnits: 5 };

/** Properties the local table cannot honour; they stay readable on the LoadedResource. */
const IGNORED = [
  'PointInTimeRecoverySpecification',
  'SSESpecification',
  'DeletionProtectionEnabled',
  'ContributorInsightsSpecification',
  'KinesisStreamSpecification',
  'TableClass',
  'Tags',
  'ImportSourceSpecification',
  'ResourcePolicy',
  'OnDemandThroughput',
  'WarmThroughput',
  'Replicas',
  'WriteProvisionedThroughputSettings',
  'WriteOnDemandThroughputSettings',
];

/**
 * Creates every AWS::DynamoDB::Table and ::GlobalTable of the assembly. Idempotent: an existing table (a
 * persistent data dir) is kept, and given any GSI, stream or TTL the template added since.
 */
export async function createTables(
  assembly: Assembly,
  client: DynamoDBClient,
  options: CreateTablesOptions = {},
): Promise<CreatedTable[]> {
  const results: CreatedTable[] = [];
  for (const resource of TABLE_TYPES.flatMap((type) => assembly.resources(type))) {
    results.push(await createTable(assembly, client, resource, options));
  }
  return results;
}

/** The CreateTable request a template table maps to on DynamoDB Local. */
export function createTableInput(resource: LoadedResource): CreateTableCommandInput {
  const props = resource.properties as Record<string, unknown>;
  const onDemand = props.BillingMode === 'PAY_PER_REQUEST';
  const throughput = (declared: unknown) =>
    onDemand
      ? undefined
      : ((declared as CreateTableCommandInput['ProvisionedThroughput']) ?? DEFAULT_THROUGHPUT);
  const gsis = (props.GlobalSecondaryIndexes as Record<string, unknown>[] | undefined)?.map(
    (gsi): GlobalSecondaryIndex => ({
      IndexName: gsi.IndexName as string,
      KeySchema: gsi.KeySchema as GlobalSecondaryIndex['KeySchema'],
      Projection: gsi.Projection as GlobalSecondaryIndex['Projection'],
      ProvisionedThroughput: throughput(gsi.ProvisionedThroughput),
    }),
  );
  const lsis = (props.LocalSecondaryIndexes as Record<string, unknown>[] | undefined)?.map(
    (lsi): LocalSecondaryIndex => ({
      IndexName: lsi.IndexName as string,
      KeySchema: lsi.KeySchema as LocalSecondaryIndex['KeySchema'],
      Projection: lsi.Projection as LocalSecondaryIndex['Projection'],
    }),
  );
  const stream = props.StreamSpecification as { StreamViewType?: string } | undefined;
  return {
    TableName: resource.physicalName,
    KeySchema: props.KeySchema as CreateTableCommandInput['KeySchema'],
    AttributeDefinitions: props.AttributeDefinitions as AttributeDefinition[],
    BillingMode: onDemand ? 'PAY_PER_REQUEST' : 'PROVISIONED',
    ProvisionedThroughput: throughput(props.ProvisionedThroughput),
    GlobalSecondaryIndexes: gsis?.length ? gsis : undefined,
    LocalSecondaryIndexes: lsis?.length ? lsis : undefined,
    StreamSpecification: stream?.StreamViewType
      ? { StreamEnabled: true, StreamViewType: stream.StreamViewType as 'NEW_AND_OLD_IMAGES' }
      : undefined,
  };
}

async function createTable(
  assembly: Assembly,
  client: DynamoDBClient,
  resource: LoadedResource,
  options: CreateTablesOptions,
): Promise<CreatedTable> {
  const input = createTableInput(resource);
  const tableName = input.TableName!;
  let existing = await describe(client, tableName);
  if (existing && options.dropExisting) {
    await client.send(new DeleteTableCommand({ TableName: tableName }));
    await waitFor(client, tableName, (t) => t === undefined);
    existing = undefined;
  }
  let status: CreatedTable['status'] = 'existing';
  if (!existing) {
    await client.send(new CreateTableCommand(input));
    status = 'created';
  } else if (await reconcile(client, existing, input)) {
    status = 'updated';
  }
  if (await applyTimeToLive(client, resource, tableName)) status = status === 'existing' ? 'updated' : status;
  const table = await waitFor(client, tableName, (t) => t?.TableStatus === 'ACTIVE');
  const streamArn = table?.LatestStreamArn;
  if (streamArn) assembly.setAttribute(resource.stack, resource.logicalId, 'StreamArn', streamArn);
  const raw = resource.rawProperties as Record<string, unknown>;
  return {
    stack: resource.stack,
    logicalId: resource.logicalId,
    tableName,
    status,
    streamArn,
    ignoredProperties: IGNORED.filter((p) => raw[p] !== undefined),
  };
}

/** Adds what an existing table lacks (GSIs, stream); returns whether it changed anything. */
async function reconcile(client: DynamoDBClient, existing: TableDescription, input: CreateTableCommandInput) {
  let changed = false;
  const present = new Set((existing.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName));
  for (const gsi of input.GlobalSecondaryIndexes ?? []) {
    if (present.has(gsi.IndexName)) continue;
    // One index per UpdateTable call, as DynamoDB requires.
    await client.send(
      new UpdateTableCommand({
        TableName: input.TableName,
        AttributeDefinitions: input.AttributeDefinitions,
        GlobalSecondaryIndexUpdates: [{ Create: gsi }],
      }),
    );
    await waitFor(client, input.TableName!, (t) => t?.TableStatus === 'ACTIVE');
    changed = true;
  }
  if (input.StreamSpecification && !existing.StreamSpecification?.StreamEnabled) {
    await client.send(
      new UpdateTableCommand({ TableName: input.TableName, StreamSpecification: input.StreamSpecification }),
    );
    changed = true;
  }
  return changed;
}

/** Turns TTL on when the template asks for it and it is not on yet; returns whether it changed. */
async function applyTimeToLive(client: DynamoDBClient, resource: LoadedResource, tableName: string) {
  const ttl = (resource.properties as Record<string, unknown>).TimeToLiveSpecification as
    { AttributeName?: string; Enabled?: boolean | string } | undefined;
  if (!ttl?.AttributeName || !(ttl.Enabled === true || ttl.Enabled === 'true')) return false;
  const current = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const description = current.TimeToLiveDescription;
  if (description?.TimeToLiveStatus === 'ENABLED' && description.AttributeName === ttl.AttributeName)
    return false;
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: true },
    }),
  );
  return true;
}

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException || (error as Error).name === 'ResourceNotFoundException') {
      return undefined;
    }
    throw error;
  }
}

async function waitFor(
  client: DynamoDBClient,
  tableName: string,
  done: (table: TableDescription | undefined) => boolean,
): Promise<TableDescription | undefined> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const table = await describe(client, tableName);
    if (done(table)) return table;
    if (Date.now() > deadline)
      throw new Error(`table ${tableName} did not settle on DynamoDB Local within 30 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
