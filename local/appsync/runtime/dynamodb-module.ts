/**
 * The `@aws-appsync/utils/dynamodb` built-in module for the local APPSYNC_JS runtime (AWS AppSync
 * docs: "Built-in modules", "JavaScript resolver function reference for DynamoDB").
 *
 * Each helper returns the request object the DynamoDB data source receives. Filters and conditions
 * go through the same renderer as `util.transform`; update expressions use AWS's numbered
 * `#expName_<n>` / `:expValue_<n>` placeholders; key conditions and projections use `#name` /
 * `:path_op` placeholders built from the attribute path (no AWS answer for them is on record). The
 * cases and their sources are tabled in local/test/unit/appsync/runtime/dynamodb-module.test.ts. Pure:
 * these run inside the vm sandbox.
 */
import { dynamodbUtil, markTypedSet, TYPED_SET, type AttributeValue } from './ddb-json.js';
import { renderDynamoDBExpression, type DynamoDBExpression } from './transform.js';

type Json = Record<string, unknown>;
type AttributeMap = Record<string, AttributeValue>;

/** A projection as AppSync's GetItem/Query/Scan request objects carry it. */
export interface ProjectionExpression {
  expression: string;
  expressionNames: Record<string, string>;
}

/**
 * An update operation built by `operations.*`. AWS's runtime answers `operations.increment(2)` with the
 * plain object `{ type: 'OPERATION_INCREMENT', by: 2 }` (recorded with EvaluateCode, issue "Trust" item
 * 13); the other operations follow the same `OPERATION_<NAME>` scheme. Plain JSON, so an operation
 * survives JSON.stringify and the stash like AWS's does.
 */
type UpdateOperation =
  | { type: 'OPERATION_ADD'; value: unknown }
  | { type: 'OPERATION_REMOVE' }
  | { type: 'OPERATION_REPLACE'; value: unknown }
  | { type: 'OPERATION_INCREMENT'; by: number }
  | { type: 'OPERATION_DECREMENT'; by: number }
  | { type: 'OPERATION_APPEND'; items: unknown[] }
  | { type: 'OPERATION_PREPEND'; items: unknown[] }
  | { type: 'OPERATION_UPDATE_LIST_ITEM'; item: unknown; index: number };

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asOperation(value: unknown): UpdateOperation | null {
  return isRecord(value) && typeof value.type === 'string' && value.type.startsWith('OPERATION_')
    ? (value as unknown as UpdateOperation)
    : null;
}

/** `operations` of the module: each call describes one change to one attribute path. */
const operations = {
  add: (value: unknown): UpdateOperation => ({ type: 'OPERATION_ADD', value }),
  remove: (): UpdateOperation => ({ type: 'OPERATION_REMOVE' }),
  replace: (value: unknown): UpdateOperation => ({ type: 'OPERATION_REPLACE', value }),
  increment: (by = 1): UpdateOperation => ({ type: 'OPERATION_INCREMENT', by }),
  decrement: (by = 1): UpdateOperation => ({ type: 'OPERATION_DECREMENT', by }),
  append: (items: unknown[]): UpdateOperation => ({ type: 'OPERATION_APPEND', items }),
  prepend: (items: unknown[]): UpdateOperation => ({ type: 'OPERATION_PREPEND', items }),
  updateListItem: (item: unknown, index: number): UpdateOperation => ({
    type: 'OPERATION_UPDATE_LIST_ITEM',
    item,
    index,
  }),
};

function fail(message: string): never {
  throw new Error(message);
}

function mapValues(value: unknown, what: string): AttributeMap {
  return (
    dynamodbUtil.toMapValues(value) ?? fail(`${what} must be an object, received ${JSON.stringify(value)}`)
  );
}

/** DynamoDB placeholders allow only letters, digits and underscores. */
function token(segment: string): string {
  return segment.replace(/[^A-Za-z0-9_]/g, '_');
}

/** `a.b[1]` → `#a.#b[1]`, registering each name (projections; updates use AWS's numbered names). */
function namePath(path: string, names: Record<string, string>): string {
  return path
    .split('.')
    .map((segment) => {
      const match = /^([^[\]]+)((?:\[\d+\])*)$/.exec(segment);
      const name = match?.[1] ?? segment;
      names[`#${token(name)}`] = name;
      return `#${token(name)}${match?.[2] ?? ''}`;
    })
    .join('.');
}

function projectionOf(projection: unknown): ProjectionExpression | undefined {
  if (projection === undefined || projection === null) return undefined;
  if (!Array.isArray(projection)) fail('projection must be a list of attribute paths');
  const expressionNames: Record<string, string> = {};
  const expression = projection.map((p) => namePath(String(p), expressionNames)).join(', ');
  return { expression, expressionNames };
}

function expressionOf(filter: unknown, what: string): DynamoDBExpression | undefined {
  if (filter === undefined || filter === null) return undefined;
  const rendered =
    renderDynamoDBExpression(filter) ??
    fail(`${what} is not a valid filter object: ${JSON.stringify(filter)}`);
  return rendered.expression === '' ? undefined : rendered;
}

/** Copies only the options that were given, so request objects carry no `undefined` members. */
function withOptions<T extends Json>(request: T, options: Json): T {
  for (const [k, v] of Object.entries(options)) if (v !== undefined && v !== null) (request as Json)[k] = v;
  return request;
}

const KEY_CONDITIONS: Record<string, string> = { eq: '=', lt: '<', le: '<=', gt: '>', ge: '>=' };

/** Key conditions admit no OR and no functions but begins_with, so they get their own renderer. */
function keyConditionOf(query: unknown): DynamoDBExpression {
  if (!isRecord(query)) fail('query must be an object of key conditions');
  const names: Record<string, string> = {};
  const values: AttributeMap = {};
  const parts: string[] = [];
  const value = (field: string, op: string, v: unknown): string => {
    const placeholder = `:${token(field)}_${op}`;
    values[placeholder] = dynamodbUtil.toDynamoDB(v) ?? fail(`key condition ${field}.${op} has no value`);
    return placeholder;
  };
  for (const [field, condition] of Object.entries(query)) {
    if (!isRecord(condition)) fail(`key condition for ${field} must be an object of operators`);
    const name = `#${token(field)}`;
    names[name] = field;
    for (const [op, v] of Object.entries(condition)) {
      if (v === undefined) continue;
      const comparator = KEY_CONDITIONS[op];
      if (comparator !== undefined) parts.push(`${name} ${comparator} ${value(field, op, v)}`);
      else if (op === 'beginsWith') parts.push(`begins_with(${name}, ${value(field, op, v)})`);
      else if (op === 'between' && Array.isArray(v) && v.length === 2) {
        parts.push(
          `${name} BETWEEN ${value(field, 'between_0', v[0])} AND ${value(field, 'between_1', v[1])}`,
        );
      } else fail(`unsupported key condition operator ${op} on ${field}`);
    }
  }
  return { expression: parts.join(' AND '), expressionNames: names, expressionValues: values };
}

/**
 * The clauses of one update expression. AWS names every attribute `#expName_<n>` and every value
 * `:expValue_<n>`, counting from 1 in the order the update object lists them (EvaluateCode answers
 * recorded in public tests, e.g. `SET #expName_1 = :expValue_1, #expName_2 = :expValue_2`).
 */
interface UpdateClauses {
  set: string[];
  remove: string[];
  names: Record<string, string>;
  values: AttributeMap;
  placeholders: Map<string, string>;
  valueCount: number;
}

function nameOf(clauses: UpdateClauses, attribute: string): string {
  let placeholder = clauses.placeholders.get(attribute);
  if (placeholder === undefined) {
    placeholder = `#expName_${clauses.placeholders.size + 1}`;
    clauses.placeholders.set(attribute, placeholder);
    clauses.names[placeholder] = attribute;
  }
  return placeholder;
}

function valueOf(clauses: UpdateClauses, v: unknown): string {
  const placeholder = `:expValue_${++clauses.valueCount}`;
  clauses.values[placeholder] = dynamodbUtil.toDynamoDB(v) ?? { NULL: null };
  return placeholder;
}

function collectUpdate(update: Json, parent: string[], clauses: UpdateClauses): void {
  for (const [field, v] of Object.entries(update)) {
    if (v === undefined) continue;
    const path = [...parent, field];
    const target = path.map((segment) => nameOf(clauses, segment)).join('.');
    const op = asOperation(v);
    if (op !== null) {
      applyOperation(op, target, clauses);
    } else if (
      Array.isArray(v) &&
      v.length > 0 &&
      v.every((item) => asOperation(item)?.type === 'OPERATION_UPDATE_LIST_ITEM')
    ) {
      for (const item of v as UpdateOperation[]) applyOperation(item, target, clauses);
    } else if (
      isRecord(v) &&
      Object.keys(v).length > 0 &&
      (v as Record<symbol, unknown>)[TYPED_SET] !== true
    ) {
      // a plain object updates the named sub-attributes; operations.replace swaps the whole map
      collectUpdate(v, path, clauses);
    } else {
      clauses.set.push(`${target} = ${valueOf(clauses, v)}`);
    }
  }
}

function applyOperation(op: UpdateOperation, target: string, clauses: UpdateClauses): void {
  switch (op.type) {
    case 'OPERATION_REMOVE':
      clauses.remove.push(target);
      break;
    case 'OPERATION_ADD':
    case 'OPERATION_REPLACE':
      clauses.set.push(`${target} = ${valueOf(clauses, op.value)}`);
      break;
    case 'OPERATION_INCREMENT':
    case 'OPERATION_DECREMENT': {
      // AWS writes SET x = x + v (recorded: decrement is `SET #expName_1 = #expName_1 - :expValue_1`
      // with the positive amount), so on a missing attribute the update fails as in AWS, unlike ADD.
      const sign = op.type === 'OPERATION_INCREMENT' ? '+' : '-';
      clauses.set.push(`${target} = ${target} ${sign} ${valueOf(clauses, Number(op.by ?? 1))}`);
      break;
    }
    case 'OPERATION_APPEND':
      clauses.set.push(`${target} = list_append(${target}, ${valueOf(clauses, op.items)})`);
      break;
    case 'OPERATION_PREPEND':
      clauses.set.push(`${target} = list_append(${valueOf(clauses, op.items)}, ${target})`);
      break;
    case 'OPERATION_UPDATE_LIST_ITEM':
      clauses.set.push(`${target}[${op.index ?? 0}] = ${valueOf(clauses, op.item)}`);
      break;
  }
}

function updateExpressionOf(update: unknown): DynamoDBExpression {
  if (!isRecord(update)) fail('update must be an object of attribute changes');
  const clauses: UpdateClauses = {
    set: [],
    remove: [],
    names: {},
    values: {},
    placeholders: new Map(),
    valueCount: 0,
  };
  collectUpdate(update, [], clauses);
  const expression = [
    clauses.set.length > 0 ? `SET ${clauses.set.join(', ')}` : '',
    clauses.remove.length > 0 ? `REMOVE ${clauses.remove.join(', ')}` : '',
  ]
    .filter((c) => c !== '')
    .join(' ');
  if (expression === '') fail('update must change at least one attribute');
  return { expression, expressionNames: clauses.names, expressionValues: clauses.values };
}

function get(input: Json) {
  return withOptions({ operation: 'GetItem', key: mapValues(input.key, 'key') } as Json, {
    consistentRead: input.consistentRead,
    projection: projectionOf(input.projection),
  });
}

function writeOptions(input: Json): Json {
  return {
    condition: expressionOf(input.condition, 'condition'),
    customPartitionKey: input.customPartitionKey,
    populateIndexFields: input.populateIndexFields,
    _version: input._version,
  };
}

function put(input: Json) {
  return withOptions(
    {
      operation: 'PutItem',
      key: mapValues(input.key, 'key'),
      attributeValues: mapValues(input.item ?? {}, 'item'),
    } as Json,
    writeOptions(input),
  );
}

function remove(input: Json) {
  return withOptions(
    { operation: 'DeleteItem', key: mapValues(input.key, 'key') } as Json,
    writeOptions(input),
  );
}

function update(input: Json) {
  return withOptions(
    {
      operation: 'UpdateItem',
      key: mapValues(input.key, 'key'),
      update: updateExpressionOf(input.update),
    } as Json,
    writeOptions(input),
  );
}

function readOptions(input: Json): Json {
  return {
    index: input.index,
    nextToken: input.nextToken,
    limit: input.limit,
    scanIndexForward: input.scanIndexForward,
    consistentRead: input.consistentRead,
    select: input.select,
    filter: expressionOf(input.filter, 'filter'),
    projection: projectionOf(input.projection),
  };
}

function query(input: Json) {
  return withOptions({ operation: 'Query', query: keyConditionOf(input.query) } as Json, readOptions(input));
}

function scan(input: Json) {
  return withOptions({ operation: 'Scan' } as Json, {
    ...readOptions(input),
    scanIndexForward: undefined,
    totalSegments: input.totalSegments,
    segment: input.segment,
  });
}

function sync(input: Json) {
  return withOptions({ operation: 'Sync' } as Json, {
    basePartitionKey: input.basePartitionKey,
    deltaIndexName: input.deltaIndexName,
    limit: input.limit,
    nextToken: input.nextToken,
    lastSync: input.lastSync,
    filter: expressionOf(input.filter, 'filter'),
  });
}

function tablesOf(input: Json): [string, unknown][] {
  if (!isRecord(input.tables)) fail('tables must be an object keyed by table name');
  return Object.entries(input.tables);
}

function listOf(value: unknown, what: string): unknown[] {
  return Array.isArray(value) ? value : fail(`${what} must be a list, received ${JSON.stringify(value)}`);
}

function batchGet(input: Json) {
  const tables: Json = {};
  for (const [table, spec] of tablesOf(input)) {
    if (!isRecord(spec)) fail(`tables.${table} must be an object with keys`);
    tables[table] = withOptions(
      { keys: listOf(spec.keys, `tables.${table}.keys`).map((k) => mapValues(k, 'key')) } as Json,
      { consistentRead: spec.consistentRead, projection: projectionOf(spec.projection) },
    );
  }
  return { operation: 'BatchGetItem', tables };
}

function batchPut(input: Json) {
  const tables: Json = {};
  for (const [table, items] of tablesOf(input))
    tables[table] = listOf(items, `tables.${table}`).map((i) => mapValues(i, 'item'));
  return { operation: 'BatchPutItem', tables };
}

function batchDelete(input: Json) {
  const tables: Json = {};
  for (const [table, keys] of tablesOf(input))
    tables[table] = listOf(keys, `tables.${table}`).map((k) => mapValues(k, 'key'));
  return { operation: 'BatchDeleteItem', tables };
}

function transactGet(input: Json) {
  const transactItems = listOf(input.items, 'items').map((item) => {
    if (!isRecord(item)) fail('each transactGet item must be an object with table and key');
    return withOptions({ table: String(item.table), key: mapValues(item.key, 'key') } as Json, {
      projection: projectionOf(item.projection),
    });
  });
  return { operation: 'TransactGetItems', transactItems };
}

function transactWriteItem(item: unknown): Json {
  if (!isRecord(item)) fail('each transactWrite item must be an object');
  const [kind, spec] = Object.entries(item)[0] ?? [];
  if (!isRecord(spec)) fail(`transactWrite item ${String(kind)} must be an object`);
  const base = { table: String(spec.table), operation: '', key: mapValues(spec.key, 'key') } as Json;
  const condition = { condition: expressionOf(spec.condition, 'condition') };
  switch (kind) {
    case 'putItem':
      return withOptions(
        { ...base, operation: 'PutItem', attributeValues: mapValues(spec.item ?? {}, 'item') },
        condition,
      );
    case 'updateItem':
      return withOptions(
        { ...base, operation: 'UpdateItem', update: updateExpressionOf(spec.update) },
        condition,
      );
    case 'deleteItem':
      return withOptions({ ...base, operation: 'DeleteItem' }, condition);
    case 'conditionCheck':
      return withOptions({ ...base, operation: 'ConditionCheck' }, condition);
    default:
      return fail(
        `unknown transactWrite item ${String(kind)}; expected putItem, updateItem, deleteItem or conditionCheck`,
      );
  }
}

function transactWrite(input: Json) {
  return {
    operation: 'TransactWriteItems',
    transactItems: listOf(input.items, 'items').map(transactWriteItem),
  };
}

/** Builds the module object; a fresh one per sandbox keeps resolvers from sharing mutable state. */
export function createDynamoDbModule() {
  return {
    get,
    put,
    remove,
    update,
    query,
    scan,
    sync,
    batchGet,
    batchPut,
    batchDelete,
    transactGet,
    transactWrite,
    operations,
    // the module's set helpers write numbers as strings, as its published typings document
    toStringSet: (list: string[]) => markTypedSet({ SS: [...list] }),
    toNumberSet: (list: number[]) => markTypedSet({ NS: list.map(String) }),
    toBinarySet: (list: string[]) => markTypedSet({ BS: [...list] }),
  };
}
