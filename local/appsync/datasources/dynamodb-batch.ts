import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  type BatchGetItemCommandOutput,
  type BatchWriteItemCommandOutput,
  type KeysAndAttributes,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDbSender } from './dynamodb-client.js';
import { RequestObjectError, canonical, fromSdkItem, toSdkItem, type SdkItem } from './attribute-values.js';
import { mergeExpressionAttributes, readExpression } from './expressions.js';
import { isRecord, type DataSourceOutcome } from './types.js';

type Request = Record<string, unknown>;

/** `tables` of a batch request: real table names to their entries. */
function readTables(request: Request): [string, unknown][] {
  if (!isRecord(request.tables))
    throw new RequestObjectError('tables is required and must map table names to entries');
  return Object.entries(request.tables);
}

const listOf = (value: unknown, where: string): unknown[] => {
  if (!Array.isArray(value)) throw new RequestObjectError(`${where} must be a list`);
  return value;
};

/** Identity of an item by the attributes a key names, so results can be put back in key order. */
const identity = (item: SdkItem, attributeNames: string[]) =>
  canonical(attributeNames.map((n) => [n, item[n] ? fromSdkItem({ v: item[n] }).v : undefined]));

/**
 * "BatchGetItem": result `{ data: { table: [item | null, ...] }, unprocessedKeys: { table: [key, ...] } }`,
 * with each table's items in the order of its keys and null for a key that matched nothing or was not
 * processed. Unprocessed keys are reported, not retried, as AppSync does.
 */
export async function batchGetItem(client: DynamoDbSender, request: Request): Promise<DataSourceOutcome> {
  const wanted = readTables(request).map(([table, spec]) => {
    if (!isRecord(spec)) throw new RequestObjectError(`tables.${table} must be an object with keys`);
    const keys = listOf(spec.keys, `tables.${table}.keys`).map((k, i) =>
      toSdkItem(k, `tables.${table}.keys[${i}]`),
    );
    const projection = readExpression(spec.projection, `tables.${table}.projection`);
    const input: KeysAndAttributes = {
      Keys: keys,
      ConsistentRead: typeof spec.consistentRead === 'boolean' ? spec.consistentRead : undefined,
      ProjectionExpression: projection?.expression,
      ...mergeExpressionAttributes(projection),
    };
    return { table, keys, input };
  });
  const requestItems = Object.fromEntries(wanted.filter((w) => w.keys.length).map((w) => [w.table, w.input]));
  const out: Partial<BatchGetItemCommandOutput> = Object.keys(requestItems).length
    ? await client.send(new BatchGetItemCommand({ RequestItems: requestItems }))
    : {};
  const data: Record<string, unknown[]> = {};
  const unprocessedKeys: Record<string, unknown[]> = {};
  for (const { table, keys } of wanted) {
    const found = out.Responses?.[table] ?? [];
    data[table] = keys.map((key) => {
      const names = Object.keys(key);
      const hit = found.find((item) => identity(item, names) === identity(key, names));
      return hit ? fromSdkItem(hit) : null;
    });
    unprocessedKeys[table] = (out.UnprocessedKeys?.[table]?.Keys ?? []).map(fromSdkItem);
  }
  return { result: { data, unprocessedKeys } };
}

async function batchWrite(
  client: DynamoDbSender,
  entriesByTable: { table: string; entries: SdkItem[] }[],
  toRequest: (entry: SdkItem) => WriteRequest,
  fromUnprocessed: (request: WriteRequest) => SdkItem | undefined,
) {
  const requestItems = Object.fromEntries(
    entriesByTable.filter((t) => t.entries.length).map((t) => [t.table, t.entries.map(toRequest)]),
  );
  const out: Partial<BatchWriteItemCommandOutput> = Object.keys(requestItems).length
    ? await client.send(new BatchWriteItemCommand({ RequestItems: requestItems }))
    : {};
  const data: Record<string, unknown[]> = {};
  const unprocessed: Record<string, unknown[]> = {};
  for (const { table, entries } of entriesByTable) {
    const left = (out.UnprocessedItems?.[table] ?? []).map(fromUnprocessed).filter((e): e is SdkItem => !!e);
    const leftIds = new Set(left.map((e) => canonical(fromSdkItem(e))));
    data[table] = entries.map((e) => (leftIds.has(canonical(fromSdkItem(e))) ? null : fromSdkItem(e)));
    unprocessed[table] = left.map(fromSdkItem);
  }
  return { data, unprocessed };
}

/**
 * "BatchPutItem": result `{ data: { table: [item | null, ...] }, unprocessedItems: { table: [...] } }`;
 * an item DynamoDB left unprocessed is null in data and listed in unprocessedItems.
 */
export async function batchPutItem(client: DynamoDbSender, request: Request): Promise<DataSourceOutcome> {
  const tables = readTables(request).map(([table, items]) => ({
    table,
    entries: listOf(items, `tables.${table}`).map((item, i) => toSdkItem(item, `tables.${table}[${i}]`)),
  }));
  const { data, unprocessed } = await batchWrite(
    client,
    tables,
    (Item) => ({ PutRequest: { Item } }),
    (r) => r.PutRequest?.Item,
  );
  return { result: { data, unprocessedItems: unprocessed } };
}

/**
 * "BatchDeleteItem": result `{ data: { table: [key | null, ...] }, unprocessedKeys: { table: [...] } }`;
 * DynamoDB's batch delete returns no old items, so data holds the keys that were deleted.
 */
export async function batchDeleteItem(client: DynamoDbSender, request: Request): Promise<DataSourceOutcome> {
  const tables = readTables(request).map(([table, keys]) => ({
    table,
    entries: listOf(keys, `tables.${table}`).map((key, i) => toSdkItem(key, `tables.${table}[${i}]`)),
  }));
  const { data, unprocessed } = await batchWrite(
    client,
    tables,
    (Key) => ({ DeleteRequest: { Key } }),
    (r) => r.DeleteRequest?.Key,
  );
  return { result: { data, unprocessedKeys: unprocessed } };
}
