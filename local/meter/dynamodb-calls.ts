/**
 * How one DynamoDB or DynamoDB Streams call turns into billable units. Every way the meter sees calls
 * uses it: the proxy (the gateway's route, seen on the wire), the Lambda workers' node:http hook (seen
 * on the wire inside the worker, ../lambda/dynamodb-meter.mjs) and the SDK middleware (the main
 * process's own clients, seen as command input and output). The shapes are the same JSON, the SDK's
 * DynamoDB commands carry the wire's field names unchanged.
 */
import type { CostMeter } from './meter.js';

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

/**
 * Records one DynamoDB call asked with `ReturnConsumedCapacity: INDEXES`: the table's and each index's
 * units from the answer's ConsumedCapacity, or, for an error, what AWS bills for it. `output` is the
 * answer body (for an error, at least its `__type`).
 */
export function recordDynamoDbCall(
  meter: CostMeter,
  operation: string,
  input: Readonly<Record<string, unknown>>,
  status: number,
  output: Readonly<Record<string, unknown>>,
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
  const floors = operation === 'TransactWriteItems' ? transactionFloors(input) : {};
  for (const block of (Array.isArray(blocks) ? blocks : blocks ? [blocks] : []) as CapacityBlock[]) {
    const table = block.TableName ?? '?';
    const indexes = { ...block.GlobalSecondaryIndexes, ...block.LocalSecondaryIndexes };
    // A transaction bills each item at least 2 units (1 KB at least, twice); DynamoDB Local reports less
    // for some transactions on a table with KEYS_ONLY indexes, so the meter holds it to that floor.
    const tableUnits = Math.max(block.Table?.CapacityUnits ?? block.CapacityUnits ?? 0, floors[table] ?? 0);
    meter.add(dimension, tableUnits, `${table} ${operation}`);
    for (const [index, used] of Object.entries(indexes))
      meter.add(dimension, used.CapacityUnits ?? 0, `${table}/${index} ${operation}`);
  }
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
