/**
 * How one DynamoDB or DynamoDB Streams call turns into billable units. Every way the meter sees calls
 * uses it: the proxy (the gateway's route, seen on the wire), the Lambda workers' node:http hook (seen
 * on the wire inside the worker, ../lambda/dynamodb-meter.mjs) and the SDK middleware (the main
 * process's own clients, seen as command input and output). The shapes are the same JSON, the SDK's
 * DynamoDB commands carry the wire's field names unchanged.
 */
import type { IndexShape, TableShape, TransactionImage } from './dynamodb-images.js';
import type { CostMeter } from './meter.js';
import { itemSize, writeUnits } from './units.js';

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
const PARTIQL = new Set(['ExecuteStatement', 'BatchExecuteStatement', 'ExecuteTransaction']);

interface CapacityBlock {
  readonly TableName?: string;
  readonly CapacityUnits?: number;
  readonly Table?: { readonly CapacityUnits?: number };
  readonly GlobalSecondaryIndexes?: Readonly<Record<string, { readonly CapacityUnits?: number }>>;
  readonly LocalSecondaryIndexes?: Readonly<Record<string, { readonly CapacityUnits?: number }>>;
}

/** Whether a DynamoDB operation consumes capacity (and so takes `ReturnConsumedCapacity`). */
export function isMeteredOperation(operation: string): boolean {
  return WRITES.has(operation) || READS.has(operation) || PARTIQL.has(operation);
}

/** Whether the caller left ConsumedCapacity out of its answer, so the meter asks and removes it again. */
export function wantsNoCapacity(input: Readonly<Record<string, unknown>>): boolean {
  return input.ReturnConsumedCapacity === undefined || input.ReturnConsumedCapacity === 'NONE';
}

/** The items of a TransactWriteItems call, read just before and just after it (./dynamodb-images.ts). */
export interface TransactionImages {
  readonly before: TransactionImage;
  readonly after: TransactionImage;
  /** The written tables' keys and indexes (DescribeTable), so the index writes are priced too. */
  readonly tables?: Readonly<Record<string, TableShape>>;
}

/**
 * Records one DynamoDB call asked with `ReturnConsumedCapacity: INDEXES`: the table's and each index's
 * units from the answer's ConsumedCapacity, or, for an error, what AWS bills for it. `output` is the
 * answer body (for an error, at least its `__type`). For a TransactWriteItems, `images` (when the path
 * could read them) size each item, and the table's units are computed from them instead of taken from
 * DynamoDB Local, which reports them wrong (transactionUnits).
 */
export function recordDynamoDbCall(
  meter: CostMeter,
  operation: string,
  input: Readonly<Record<string, unknown>>,
  status: number,
  output: Readonly<Record<string, unknown>>,
  images?: TransactionImages,
): void {
  const isWrite =
    WRITES.has(operation) ||
    (PARTIQL.has(operation) && !/^\s*select\b/i.test(String(input.Statement ?? firstStatement(input))));
  const dimension = isWrite ? 'dynamodb.writeRequestUnit' : 'dynamodb.readRequestUnit';
  if (status !== 200) {
    // "If a ConditionExpression evaluates to false, DynamoDB still consumes write capacity": the size of
    // the existing item, at least one unit. DynamoDB Local returns no capacity with the error, so the
    // meter counts the documented minimum.
    const type = String(output.__type ?? '');
    if (type.endsWith('ConditionalCheckFailedException') && isWrite)
      meter.add(dimension, 1, `${String(input.TableName ?? '?')} failed condition`);
    return;
  }
  if (operation === 'TransactWriteItems' && Array.isArray(input.TransactItems))
    meter.note('dynamodb.transactWriteItems items', input.TransactItems.length);
  const blocks = output.ConsumedCapacity;
  const transaction = operation === 'TransactWriteItems';
  const computed = transaction && images ? transactionUnits(input, images) : undefined;
  const computedIndexes = transaction && images?.tables ? transactionIndexUnits(input, images) : undefined;
  const floors = transaction ? transactionFloors(input) : {};
  for (const block of (Array.isArray(blocks) ? blocks : blocks ? [blocks] : []) as CapacityBlock[]) {
    const table = block.TableName ?? '?';
    const indexes = { ...block.GlobalSecondaryIndexes, ...block.LocalSecondaryIndexes };
    // DynamoDB Local holds every transaction item to 1 KB (2 units), whatever its size; with the items'
    // images the meter computes AWS's units, without them (a path that cannot read them) it holds
    // DynamoDB Local's figure to that floor of 2 units per item. A transaction's index units are
    // computed from the same images (transactionIndexUnits): Local reports 2 per index touched however
    // many entries the transaction writes there (local/test/integration/meter-dynamodb.test.ts).
    const tableUnits =
      computed?.[table] ??
      Math.max(block.Table?.CapacityUnits ?? block.CapacityUnits ?? 0, floors[table] ?? 0);
    meter.add(dimension, tableUnits, `${table} ${operation}`);
    const tableIndexes = computedIndexes?.[table];
    if (tableIndexes) {
      for (const [index, units] of Object.entries(tableIndexes))
        meter.add(dimension, units, `${table}/${index} ${operation}`);
      continue;
    }
    for (const [index, used] of Object.entries(indexes))
      meter.add(dimension, used.CapacityUnits ?? 0, `${table}/${index} ${operation}`);
  }
}

/**
 * The write units AWS bills a TransactWriteItems call, per table. "Transactional write requests ...
 * 2 write request units for each write of an item up to 1 KB" (on-demand capacity mode,
 * capacity-mode.html) on the item's size ("Item sizes and formats", CapacityUnitCalculations.html),
 * rounded up to the next 1 KB per item ("Capacity management for transactions", transaction-apis.html:
 * the item sizes are not summed first). Which size: an Update, the larger of the item before and
 * after (as for UpdateItem); a Put, the new item, or the larger of it and the item it replaces; a
 * Delete, the deleted item; a ConditionCheck, the item it reads. An item that is not there counts the
 * 1 KB minimum, as a write of a missing item does.
 */
export function transactionUnits(
  input: Readonly<Record<string, unknown>>,
  images: TransactionImages,
): Record<string, number> {
  const units: Record<string, number> = {};
  const actions = Array.isArray(input.TransactItems) ? (input.TransactItems as object[]) : [];
  actions.forEach((action, i) => {
    const [kind, part] = (Object.entries(action ?? {})[0] ?? []) as [
      string | undefined,
      { TableName?: unknown; Item?: Record<string, object> } | undefined,
    ];
    const table = typeof part?.TableName === 'string' ? part.TableName : '?';
    const size = (item: Readonly<Record<string, object>> | undefined) => (item ? itemSize(item) : 0);
    const before = size(images.before[i]);
    const bytes =
      kind === 'Put'
        ? Math.max(size(part?.Item), before)
        : kind === 'Update'
          ? Math.max(before, size(images.after[i]))
          : before;
    units[table] = (units[table] ?? 0) + writeUnits(bytes, true);
  });
  return units;
}

/**
 * The write units a TransactWriteItems call's index updates bill, per table and index, from the items
 * before and after it. "After a transaction completes in DynamoDB, its changes start propagating to
 * global secondary indexes (GSIs)" (transaction-apis.html): an index update is an ordinary write, not
 * a transactional one, so it is not doubled. Per index and item, as for any write ("Provisioned
 * throughput considerations for global secondary indexes", GSI.html): an entry that appears is a put,
 * one that goes is a delete, a changed index key is a delete plus a put, a changed projected attribute
 * with the same key one update, anything else no index write; each sized in 1 KB units by the entry
 * (the index's and the table's keys and the projected attributes). A ConditionCheck writes nothing.
 */
export function transactionIndexUnits(
  input: Readonly<Record<string, unknown>>,
  images: TransactionImages,
): Record<string, Record<string, number>> {
  const units: Record<string, Record<string, number>> = {};
  const actions = Array.isArray(input.TransactItems) ? (input.TransactItems as object[]) : [];
  actions.forEach((action, i) => {
    const [kind, part] = (Object.entries(action ?? {})[0] ?? []) as [
      string | undefined,
      { TableName?: unknown; Item?: Record<string, object> } | undefined,
    ];
    const table = typeof part?.TableName === 'string' ? part.TableName : undefined;
    const shape = table ? images.tables?.[table] : undefined;
    if (!table || !shape || kind === 'ConditionCheck') return;
    const before = images.before[i];
    const after =
      kind === 'Delete' ? undefined : (images.after[i] ?? (kind === 'Put' ? part?.Item : undefined));
    const perTable = (units[table] ??= {});
    for (const index of shape.indexes) {
      const used = indexWriteUnits(index, shape.keys, before, after);
      perTable[index.name] = (perTable[index.name] ?? 0) + used;
    }
  });
  for (const perTable of Object.values(units))
    for (const [index, used] of Object.entries(perTable)) if (used === 0) delete perTable[index];
  return units;
}

type Image = Readonly<Record<string, object>> | undefined;

/** The units one item's write costs one index (see transactionIndexUnits). */
export function indexWriteUnits(
  index: IndexShape,
  tableKeys: readonly string[],
  before: Image,
  after: Image,
): number {
  const entry = (item: Image) => (item && index.keys.every((k) => k in item) ? projected(item) : undefined);
  const projected = (item: NonNullable<Image>) => {
    if (index.projection === 'ALL') return item;
    const names = new Set([...index.keys, ...tableKeys, ...(index.include ?? [])]);
    return Object.fromEntries(Object.entries(item).filter(([name]) => names.has(name)));
  };
  const was = entry(before);
  const is = entry(after);
  if (!was && !is) return 0;
  if (!was) return writeUnits(itemSize(is!));
  if (!is) return writeUnits(itemSize(was));
  const same = (a: object | undefined, b: object | undefined) => JSON.stringify(a) === JSON.stringify(b);
  if (index.keys.some((k) => !same(was[k], is[k])))
    return writeUnits(itemSize(was)) + writeUnits(itemSize(is));
  const names = new Set([...Object.keys(was), ...Object.keys(is)]);
  const changed = [...names].some((name) => !same(was[name], is[name]));
  return changed ? writeUnits(Math.max(itemSize(was), itemSize(is))) : 0;
}

/**
 * The least a TransactWriteItems call bills per table: "each item ... rounded up to the next 1 KB",
 * two units per 1 KB in a transaction (DynamoDB developer guide, "Capacity management for transactions"),
 * so 2 units per item.
 */
function transactionFloors(input: Readonly<Record<string, unknown>>): Record<string, number> {
  const floors: Record<string, number> = {};
  for (const item of Array.isArray(input.TransactItems) ? input.TransactItems : []) {
    const part = Object.values((item ?? {}) as Record<string, { TableName?: unknown }>)[0];
    const table = typeof part?.TableName === 'string' ? part.TableName : '?';
    floors[table] = (floors[table] ?? 0) + 2;
  }
  return floors;
}

/** `images` with the written tables' shapes, when the reader knows them. */
export function withTables(
  images: TransactionImages,
  tables: TransactionImages['tables'] | undefined,
): TransactionImages {
  return tables ? { ...images, tables } : images;
}

/** Records one successful DynamoDB Streams GetRecords that returned `records` records. */
export function recordStreamRead(meter: CostMeter, records: number): void {
  if (records > 0) meter.add('dynamodb.streamReadRequest', 1, 'GetRecords with records');
  else meter.note('dynamodb.streamReadRequest empty GetRecords (idle polling, billed by time)');
}

/** Meters a DynamoDB Streams client by its answers (the pipe's StreamsClient `onAnswer`). */
export function streamsAnswerMeter(
  meter: CostMeter,
): (operation: string, answer: Readonly<Record<string, unknown>>) => void {
  return (operation, answer) => {
    if (operation === 'GetRecords')
      recordStreamRead(meter, Array.isArray(answer.Records) ? answer.Records.length : 0);
  };
}

function firstStatement(input: Readonly<Record<string, unknown>>): string {
  const list = (input.Statements ?? input.TransactStatements) as { Statement?: string }[] | undefined;
  return list?.[0]?.Statement ?? '';
}
