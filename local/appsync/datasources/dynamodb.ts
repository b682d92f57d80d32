import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDbSender } from './dynamodb-client.js';
import { RequestObjectError, fromSdkItem, toSdkItem, type SdkItem, canonical } from './attribute-values.js';
import { batchDeleteItem, batchGetItem, batchPutItem } from './dynamodb-batch.js';
import { dynamoDbFailure } from './dynamodb-errors.js';
import { transactGetItems, transactWriteItems } from './dynamodb-transact.js';
import {
  mergeExpressionAttributes,
  readExpression,
  requireExpression,
  type ExpressionBlock,
} from './expressions.js';
import type { PageTokenCodec, PageTokenScope } from './page-token.js';
import { isRecord, mappingError, type DataSourceOutcome } from './types.js';

/** The table and client one AMAZON_DYNAMODB data source works with. */
export interface DynamoDbTarget {
  readonly client: DynamoDbSender;
  readonly tableName: string;
  /** Seals LastEvaluatedKeys into opaque nextTokens and opens them again. */
  readonly pageTokens: PageTokenCodec;
}

type Request = Record<string, unknown>;
type Operation = (target: DynamoDbTarget, request: Request) => Promise<DataSourceOutcome>;

const optionalBool = (value: unknown, where: string) => {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new RequestObjectError(`${where} must be a boolean`);
  return value;
};
const optionalInt = (value: unknown, where: string) => {
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value)) throw new RequestObjectError(`${where} must be an integer`);
  return value as number;
};
const requireKey = (request: Request) => {
  if (request.key === undefined) throw new RequestObjectError('key is required');
  return toSdkItem(request.key, 'key');
};

/** Reads a projection block into the two DynamoDB fields it stands for. */
export function projectionOf(value: unknown, where = 'projection') {
  const block = readExpression(value, where);
  return { block, ProjectionExpression: block?.expression };
}

async function getItem({ client, tableName }: DynamoDbTarget, request: Request): Promise<DataSourceOutcome> {
  const { block, ProjectionExpression } = projectionOf(request.projection);
  const out = await client.send(
    new GetItemCommand({
      TableName: tableName,
      Key: requireKey(request),
      ConsistentRead: optionalBool(request.consistentRead, 'consistentRead'),
      ProjectionExpression,
      ...mergeExpressionAttributes(block),
    }),
  );
  // "GetItem": the item, or null when no item has that key.
  return { result: out.Item ? fromSdkItem(out.Item) : null };
}

/** The `condition` block of PutItem/UpdateItem/DeleteItem, with AppSync's extra fields. */
function readCondition(value: unknown): { block?: ExpressionBlock; equalsIgnore: string[] } {
  const block = readExpression(value, 'condition');
  const ignore = isRecord(value) && Array.isArray(value.equalsIgnore) ? value.equalsIgnore.map(String) : [];
  return { block, equalsIgnore: ignore };
}

/**
 * AppSync's answer to a failed condition ("Condition expressions", handling a condition check failure):
 * it reads the current item with a strongly consistent read; if that already is the desired result
 * (the item a PutItem would write, minus `equalsIgnore` attributes; or no item for a DeleteItem), the
 * mutation counts as a success and returns it. Otherwise the Reject strategy applies: ctx.error says
 * DynamoDB:ConditionalCheckFailedException and the current item rides along in ctx.result and error.data.
 */
async function conditionFailed(
  target: DynamoDbTarget,
  key: SdkItem,
  desired: { kind: 'item'; item: SdkItem } | { kind: 'absent' } | { kind: 'unknown' },
  equalsIgnore: string[],
  err: Error,
): Promise<DataSourceOutcome> {
  const current = await target.client.send(
    new GetItemCommand({ TableName: target.tableName, Key: key, ConsistentRead: true }),
  );
  const currentItem = current.Item ? fromSdkItem(current.Item) : null;
  if (desired.kind === 'absent' && currentItem === null) return { result: null };
  if (desired.kind === 'item' && currentItem !== null) {
    const strip = (item: Record<string, unknown>) =>
      canonical(Object.fromEntries(Object.entries(item).filter(([k]) => !equalsIgnore.includes(k))));
    if (strip(currentItem) === strip(fromSdkItem(desired.item))) return { result: currentItem };
  }
  return {
    result: currentItem,
    error: { type: 'DynamoDB:ConditionalCheckFailedException', message: err.message, data: currentItem },
  };
}

const isConditionFailure = (err: unknown): err is Error =>
  err instanceof Error && err.name === 'ConditionalCheckFailedException';

async function putItem(target: DynamoDbTarget, request: Request): Promise<DataSourceOutcome> {
  const key = requireKey(request);
  // The key wins over attributeValues, as in AppSync, so a stray key attribute cannot move the item.
  const item = { ...toSdkItem(request.attributeValues ?? {}, 'attributeValues'), ...key };
  const condition = readCondition(request.condition);
  try {
    await target.client.send(
      new PutItemCommand({
        TableName: target.tableName,
        Item: item,
        ConditionExpression: condition.block?.expression,
        ...mergeExpressionAttributes(condition.block),
      }),
    );
  } catch (err) {
    if (isConditionFailure(err))
      return conditionFailed(target, key, { kind: 'item', item }, condition.equalsIgnore, err);
    throw err;
  }
  // "PutItem": the item written is returned in ctx.result.
  return { result: fromSdkItem(item) };
}

async function updateItem(target: DynamoDbTarget, request: Request): Promise<DataSourceOutcome> {
  const key = requireKey(request);
  const update = requireExpression(request.update, 'update');
  const condition = readCondition(request.condition);
  try {
    const out = await target.client.send(
      new UpdateItemCommand({
        TableName: target.tableName,
        Key: key,
        UpdateExpression: update.expression,
        ConditionExpression: condition.block?.expression,
        ReturnValues: 'ALL_NEW',
        ...mergeExpressionAttributes(update, condition.block),
      }),
    );
    // "UpdateItem": the item as it is after the update.
    return { result: out.Attributes ? fromSdkItem(out.Attributes) : null };
  } catch (err) {
    // An update expression cannot be replayed against the current item, so there is no desired result to match.
    if (isConditionFailure(err))
      return conditionFailed(target, key, { kind: 'unknown' }, condition.equalsIgnore, err);
    throw err;
  }
}

async function deleteItem(target: DynamoDbTarget, request: Request): Promise<DataSourceOutcome> {
  const key = requireKey(request);
  const condition = readCondition(request.condition);
  try {
    const out = await target.client.send(
      new DeleteItemCommand({
        TableName: target.tableName,
        Key: key,
        ConditionExpression: condition.block?.expression,
        ReturnValues: 'ALL_OLD',
        ...mergeExpressionAttributes(condition.block),
      }),
    );
    // "DeleteItem": the item that was deleted, or null when there was none.
    return { result: out.Attributes ? fromSdkItem(out.Attributes) : null };
  } catch (err) {
    if (isConditionFailure(err))
      return conditionFailed(target, key, { kind: 'absent' }, condition.equalsIgnore, err);
    throw err;
  }
}

const scopeOf = (target: DynamoDbTarget, request: Request): PageTokenScope => ({
  tableName: target.tableName,
  ...(typeof request.index === 'string' ? { index: request.index } : {}),
});

function pageOf(
  target: DynamoDbTarget,
  request: Request,
  out: { Items?: SdkItem[]; LastEvaluatedKey?: SdkItem; ScannedCount?: number },
) {
  // "Query"/"Scan" results: items, an opaque nextToken (null on the last page) and scannedCount.
  return {
    items: (out.Items ?? []).map(fromSdkItem),
    nextToken: target.pageTokens.encode(out.LastEvaluatedKey, scopeOf(target, request)),
    scannedCount: out.ScannedCount ?? 0,
  };
}

async function query(target: DynamoDbTarget, request: Request): Promise<DataSourceOutcome> {
  const { client, tableName } = target;
  const keyCondition = requireExpression(request.query, 'query');
  const filter = readExpression(request.filter, 'filter');
  const { block: projection, ProjectionExpression } = projectionOf(request.projection);
  const out = await client.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: typeof request.index === 'string' ? request.index : undefined,
      KeyConditionExpression: keyCondition.expression,
      FilterExpression: filter?.expression,
      ProjectionExpression,
      ...mergeExpressionAttributes(keyCondition, filter, projection),
      ExclusiveStartKey: target.pageTokens.decode(request.nextToken, scopeOf(target, request)),
      Limit: optionalInt(request.limit, 'limit'),
      ScanIndexForward: optionalBool(request.scanIndexForward, 'scanIndexForward'),
      ConsistentRead: optionalBool(request.consistentRead, 'consistentRead'),
      Select: typeof request.select === 'string' ? (request.select as 'ALL_ATTRIBUTES') : undefined,
    }),
  );
  return { result: pageOf(target, request, out) };
}

async function scanPage(target: DynamoDbTarget, request: Request, filter: ExpressionBlock | undefined) {
  const { client, tableName } = target;
  const { block: projection, ProjectionExpression } = projectionOf(request.projection);
  return client.send(
    new ScanCommand({
      TableName: tableName,
      IndexName: typeof request.index === 'string' ? request.index : undefined,
      FilterExpression: filter?.expression,
      ProjectionExpression,
      ...mergeExpressionAttributes(filter, projection),
      ExclusiveStartKey: target.pageTokens.decode(request.nextToken, scopeOf(target, request)),
      Limit: optionalInt(request.limit, 'limit'),
      ConsistentRead: optionalBool(request.consistentRead, 'consistentRead'),
      Segment: optionalInt(request.segment, 'segment'),
      TotalSegments: optionalInt(request.totalSegments, 'totalSegments'),
      Select: typeof request.select === 'string' ? (request.select as 'ALL_ATTRIBUTES') : undefined,
    }),
  );
}

async function scan(target: DynamoDbTarget, request: Request): Promise<DataSourceOutcome> {
  const out = await scanPage(target, request, readExpression(request.filter, 'filter'));
  return { result: pageOf(target, request, out) };
}

/**
 * Delta sync, approximated: AppSync reads the base table on a first sync and a separate delta table
 * afterwards. Locally both become a Scan of the base table; with `lastSync` the scan keeps only items
 * whose `_lastChangedAt` (the conflict-detection timestamp) is at or after it. Deleted items are not
 * reported because no delta table records them.
 */
async function sync(target: DynamoDbTarget, request: Request): Promise<DataSourceOutcome> {
  const startedAt = Date.now();
  let filter = readExpression(request.filter, 'filter');
  const lastSync = optionalInt(request.lastSync, 'lastSync');
  if (lastSync !== undefined) {
    const since = '#appsyncLocalLastChangedAt >= :appsyncLocalLastSync';
    filter = {
      expression: filter ? `(${filter.expression}) AND ${since}` : since,
      expressionNames: { ...filter?.expressionNames, '#appsyncLocalLastChangedAt': '_lastChangedAt' },
      expressionValues: { ...filter?.expressionValues, ':appsyncLocalLastSync': { N: String(lastSync) } },
    };
  }
  const page = { ...request, projection: undefined };
  const { items, nextToken } = pageOf(target, page, await scanPage(target, page, filter));
  // "Sync": items, nextToken and startedAt, the epoch milliseconds the client passes as lastSync next time.
  return { result: { items, nextToken, startedAt } };
}

const operations: Record<string, Operation> = {
  GetItem: getItem,
  PutItem: putItem,
  UpdateItem: updateItem,
  DeleteItem: deleteItem,
  Query: query,
  Scan: scan,
  Sync: sync,
  BatchGetItem: (t, r) => batchGetItem(t.client, r),
  BatchPutItem: (t, r) => batchPutItem(t.client, r),
  BatchDeleteItem: (t, r) => batchDeleteItem(t.client, r),
  TransactGetItems: (t, r) => transactGetItems(t.client, r),
  TransactWriteItems: (t, r) => transactWriteItems(t.client, r),
};

/**
 * Runs one AMAZON_DYNAMODB request object ("JavaScript resolver function reference for DynamoDB") and
 * returns what AppSync would put in ctx.result / ctx.error. Fields AppSync only honours on versioned
 * (conflict-detection) data sources, such as `_version`, are ignored.
 */
export async function executeDynamoDb(target: DynamoDbTarget, request: unknown): Promise<DataSourceOutcome> {
  if (!isRecord(request))
    return mappingError('The request object of a DynamoDB data source must be an object');
  const name = request.operation;
  const operation =
    typeof name === 'string' && Object.hasOwn(operations, name) ? operations[name] : undefined;
  if (!operation) {
    return mappingError(
      `Unsupported operation '${String(name)}'. Supported operations: ${Object.keys(operations).join(', ')}`,
    );
  }
  try {
    return await operation(target, request);
  } catch (err) {
    return dynamoDbFailure(err);
  }
}
