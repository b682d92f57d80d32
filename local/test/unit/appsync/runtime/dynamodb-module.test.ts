import { describe, expect, it } from 'vitest';
import { createDynamoDbModule } from '../../../../appsync/runtime/dynamodb-module.js';
import { executeResolver } from '../../../../appsync/runtime/index.js';
import { fieldInput, noneDataSource } from './helpers.js';

// Request shapes are those of AWS AppSync docs "JavaScript resolver function reference for
// DynamoDB" (GetItem, PutItem, UpdateItem, DeleteItem, Query, Scan, Sync, BatchGetItem,
// BatchPutItem, BatchDeleteItem, TransactGetItems, TransactWriteItems); inputs are the examples of
// "Built-in modules" and of the module's published typings (@aws-appsync/utils/dynamodb).
const ddb = createDynamoDbModule();

describe('@aws-appsync/utils/dynamodb', () => {
  it('builds a GetItem request from the docs get example', () => {
    // Prepare
    const input = { key: { id: 'id' }, consistentRead: true, projection: ['id', 'name', 'nested.object[1]'] };
    // Act
    const request = ddb.get(input);
    // Assess
    expect(request).toEqual({
      operation: 'GetItem',
      key: { id: { S: 'id' } },
      consistentRead: true,
      projection: {
        expression: '#id, #name, #nested.#object[1]',
        expressionNames: { '#id': 'id', '#name': 'name', '#nested': 'nested', '#object': 'object' },
      },
    });
  });

  it('builds a PutItem request with its condition from the typings example', () => {
    // Prepare
    const input = {
      key: { id: 't-1' },
      condition: { owner: { eq: 'u-1' } },
      item: { title: 'New Task', owner: 'u-1', isComplete: false },
      _version: 3,
    };
    // Act
    const request = ddb.put(input);
    // Assess
    expect(request).toEqual({
      operation: 'PutItem',
      key: { id: { S: 't-1' } },
      attributeValues: { title: { S: 'New Task' }, owner: { S: 'u-1' }, isComplete: { BOOL: false } },
      condition: {
        expression: '(#owner = :owner_eq)',
        expressionNames: { '#owner': 'owner' },
        expressionValues: { ':owner_eq': { S: 'u-1' } },
      },
      _version: 3,
    });
  });

  it('builds a DeleteItem request without options it was not given', () => {
    // Prepare / Act
    const request = ddb.remove({ key: { id: 1 } });
    // Assess
    expect(request).toEqual({ operation: 'DeleteItem', key: { id: { N: 1 } } });
  });

  it('turns every documented update operation into one UpdateItem expression', () => {
    // Prepare: the update examples of the typings (User table)
    const { operations } = ddb;
    const update = {
      name: 'Ann',
      address: operations.replace({ street1: '123 Main St', city: 'New York' }),
      age: operations.remove(),
      friendsCount: operations.increment(10),
      loginCount: operations.decrement(),
      friendsIds: operations.append([101, 104]),
      tags: operations.prepend(['new']),
      aliases: [operations.updateListItem('102', 1), operations.updateListItem('112', 2)],
      profile: { bio: 'hi' },
    };
    // Act
    const request = ddb.update({ key: { id: 1 }, update, condition: { isVerified: { eq: true } } });
    // Assess
    expect(request.update).toEqual({
      expression:
        'SET #expName_1 = :expValue_1, #expName_2 = :expValue_2, #expName_4 = #expName_4 + :expValue_3, ' +
        '#expName_5 = #expName_5 - :expValue_4, #expName_6 = list_append(#expName_6, :expValue_5), ' +
        '#expName_7 = list_append(:expValue_6, #expName_7), #expName_8[1] = :expValue_7, #expName_8[2] = :expValue_8, ' +
        '#expName_9.#expName_10 = :expValue_9 REMOVE #expName_3',
      expressionNames: {
        '#expName_1': 'name',
        '#expName_2': 'address',
        '#expName_3': 'age',
        '#expName_4': 'friendsCount',
        '#expName_5': 'loginCount',
        '#expName_6': 'friendsIds',
        '#expName_7': 'tags',
        '#expName_8': 'aliases',
        '#expName_9': 'profile',
        '#expName_10': 'bio',
      },
      expressionValues: {
        ':expValue_1': { S: 'Ann' },
        ':expValue_2': { M: { street1: { S: '123 Main St' }, city: { S: 'New York' } } },
        ':expValue_3': { N: 10 },
        ':expValue_4': { N: 1 },
        ':expValue_5': { L: [{ N: 101 }, { N: 104 }] },
        ':expValue_6': { L: [{ S: 'new' }] },
        ':expValue_7': { S: '102' },
        ':expValue_8': { S: '112' },
        ':expValue_9': { S: 'hi' },
      },
    });
    expect(request.operation).toBe('UpdateItem');
    expect(request.condition).toEqual({
      expression: '(#isVerified = :isVerified_eq)',
      expressionNames: { '#isVerified': 'isVerified' },
      expressionValues: { ':isVerified_eq': { BOOL: true } },
    });
  });

  it('rejects an update that changes nothing', () => {
    // Prepare / Act / Assess
    expect(() => ddb.update({ key: { id: 1 }, update: {} })).toThrow(
      'update must change at least one attribute',
    );
  });

  it('builds a Query request with a key condition, a filter and the paging options', () => {
    // Prepare
    const input = {
      query: { pk: { eq: 'VENDOR#v1' }, sk: { beginsWith: 'ORDER#' } },
      filter: { status: { ne: 'CANCELLED' } },
      index: 'byVendor',
      limit: 20,
      nextToken: 'abc',
      scanIndexForward: false,
      select: 'ALL_ATTRIBUTES',
    };
    // Act
    const request = ddb.query(input);
    // Assess
    expect(request).toEqual({
      operation: 'Query',
      query: {
        expression: '#pk = :pk_eq AND begins_with(#sk, :sk_beginsWith)',
        expressionNames: { '#pk': 'pk', '#sk': 'sk' },
        expressionValues: { ':pk_eq': { S: 'VENDOR#v1' }, ':sk_beginsWith': { S: 'ORDER#' } },
      },
      filter: {
        expression: '(#status <> :status_ne)',
        expressionNames: { '#status': 'status' },
        expressionValues: { ':status_ne': { S: 'CANCELLED' } },
      },
      index: 'byVendor',
      limit: 20,
      nextToken: 'abc',
      scanIndexForward: false,
      select: 'ALL_ATTRIBUTES',
    });
  });

  it('renders a between sort key condition', () => {
    // Prepare / Act
    const request = ddb.query({ query: { id: { eq: 1 }, createdAt: { between: ['2024', '2025'] } } });
    // Assess
    expect(request.query).toMatchObject({
      expression: '#id = :id_eq AND #createdAt BETWEEN :createdAt_between_0 AND :createdAt_between_1',
    });
  });

  it('rejects a key condition operator DynamoDB does not allow', () => {
    // Prepare / Act / Assess
    expect(() => ddb.query({ query: { id: { ne: 1 } } })).toThrow(
      'unsupported key condition operator ne on id',
    );
  });

  it('builds Scan and Sync requests from the docs sync example', () => {
    // Prepare / Act
    const scan = ddb.scan({ limit: 10, segment: 0, totalSegments: 2, filter: { a: { gt: 1 } } });
    const sync = ddb.sync({ limit: 10, nextToken: undefined, lastSync: 1700000000000 });
    // Assess
    expect(scan).toEqual({
      operation: 'Scan',
      limit: 10,
      segment: 0,
      totalSegments: 2,
      filter: {
        expression: '(#a > :a_gt)',
        expressionNames: { '#a': 'a' },
        expressionValues: { ':a_gt': { N: 1 } },
      },
    });
    expect(sync).toEqual({ operation: 'Sync', limit: 10, lastSync: 1700000000000 });
  });

  it('builds the batch requests from the typings examples', () => {
    // Prepare / Act
    const get = ddb.batchGet({
      tables: { post: { keys: [{ id: '1' }, { id: '2' }], consistentRead: false, projection: ['id'] } },
    });
    const put = ddb.batchPut({
      tables: { post: [{ id: 'one', value: 'x' }], comment: [{ id: 'one', text: 'something' }] },
    });
    const del = ddb.batchDelete({ tables: { post: [{ id: 'one' }] } });
    // Assess
    expect(get).toEqual({
      operation: 'BatchGetItem',
      tables: {
        post: {
          keys: [{ id: { S: '1' } }, { id: { S: '2' } }],
          consistentRead: false,
          projection: { expression: '#id', expressionNames: { '#id': 'id' } },
        },
      },
    });
    expect(put).toEqual({
      operation: 'BatchPutItem',
      tables: {
        post: [{ id: { S: 'one' }, value: { S: 'x' } }],
        comment: [{ id: { S: 'one' }, text: { S: 'something' } }],
      },
    });
    expect(del).toEqual({ operation: 'BatchDeleteItem', tables: { post: [{ id: { S: 'one' } }] } });
  });

  it('builds the transaction requests from the typings examples', () => {
    // Prepare / Act
    const get = ddb.transactGet({ items: [{ table: 'post', key: { id: '1' }, projection: ['name'] }] });
    const write = ddb.transactWrite({
      items: [
        { putItem: { table: 'post', key: { id: '1' }, item: { title: 't' } } },
        { deleteItem: { table: 'post', key: { id: '2' } } },
        { updateItem: { table: 'post', key: { id: '3' }, update: { views: ddb.operations.increment() } } },
        { conditionCheck: { table: 'post', key: { id: '4' }, condition: { id: { attributeExists: true } } } },
      ],
    });
    // Assess
    expect(get).toEqual({
      operation: 'TransactGetItems',
      transactItems: [
        {
          table: 'post',
          key: { id: { S: '1' } },
          projection: { expression: '#name', expressionNames: { '#name': 'name' } },
        },
      ],
    });
    expect(write.transactItems).toEqual([
      {
        table: 'post',
        operation: 'PutItem',
        key: { id: { S: '1' } },
        attributeValues: { title: { S: 't' } },
      },
      { table: 'post', operation: 'DeleteItem', key: { id: { S: '2' } } },
      {
        table: 'post',
        operation: 'UpdateItem',
        key: { id: { S: '3' } },
        update: {
          expression: 'SET #expName_1 = #expName_1 + :expValue_1',
          expressionNames: { '#expName_1': 'views' },
          expressionValues: { ':expValue_1': { N: 1 } },
        },
      },
      {
        table: 'post',
        operation: 'ConditionCheck',
        key: { id: { S: '4' } },
        condition: {
          expression: '(attribute_exists(#id))',
          expressionNames: { '#id': 'id' },
          expressionValues: {},
        },
      },
    ]);
  });

  it('keeps the module set helpers as sets inside an item', () => {
    // Prepare: typings examples toStringSet(["a","b","c"]) and toNumberSet([1,2,3])
    const item = { tags: ddb.toStringSet(['a', 'b', 'c']), sizes: ddb.toNumberSet([1, 2, 3]) };
    // Act
    const request = ddb.put({ key: { id: 'p' }, item });
    // Assess
    expect(request.attributeValues).toEqual({
      tags: { SS: ['a', 'b', 'c'] },
      sizes: { NS: ['1', '2', '3'] },
    });
  });

  it('rejects a filter the transform cannot render', () => {
    // Prepare / Act / Assess
    expect(() => ddb.scan({ filter: { a: { bogus: 1 } } })).toThrow('filter is not a valid filter object');
  });
});

/** Runs `expression` in a request handler of the APPSYNC_JS sandbox with the module imported as `ddb`. */
async function inSandbox(expression: string, args: Record<string, unknown> = {}): Promise<unknown> {
  const code = `import { util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';
export function request(ctx) { return { value: ${expression} }; }
export function response(ctx) { return ctx.result; }`;
  const result = await executeResolver(
    { kind: 'UNIT', code, dataSource: 'NONE' },
    fieldInput({ args }),
    noneDataSource,
  );
  if (result.errors.length > 0) throw new Error(JSON.stringify(result.errors));
  return (result.data as { value: unknown }).value;
}

// Conformance table: each row is an AWS answer with its source. "recorded" rows are EvaluateCode
// (APPSYNC_JS 1.0.0) answers published in public tests and notes; "issue" rows were recorded by the
// filer of issue "Trust" (item 13); "docs"/"typings" rows are outputs the AppSync docs or the
// @aws-appsync/utils typings state. Helpers with no AWS answer on record (key conditions, projections,
// the non-numeric update operations) keep the local shapes tested above, by analogy with these rows.
const CONFORMANCE: ReadonlyArray<{ case: string; source: string; expression: string; expected: unknown }> = [
  {
    case: 'update of several attributes, nulls included',
    source: 'recorded: editMyProfile resolver test (evaluateCode, SET with #expName_n / :expValue_n)',
    expression: `ddb.update({ key: { id: 'u-1' }, update: { name: 'Toni Test', imageUrl: null, bio: 'The test bio' } })`,
    expected: {
      operation: 'UpdateItem',
      key: { id: { S: 'u-1' } },
      update: {
        expression: 'SET #expName_1 = :expValue_1, #expName_2 = :expValue_2, #expName_3 = :expValue_3',
        expressionNames: { '#expName_1': 'name', '#expName_2': 'imageUrl', '#expName_3': 'bio' },
        expressionValues: {
          ':expValue_1': { S: 'Toni Test' },
          ':expValue_2': { NULL: null },
          ':expValue_3': { S: 'The test bio' },
        },
      },
    },
  },
  {
    case: 'update of one attribute',
    source: 'recorded: updateProject resolver test (evaluateResolver)',
    expression: `ddb.update({ key: { projectId: 'p', userId: 'u' }, update: { title: 'my-project-foo' } }).update`,
    expected: {
      expression: 'SET #expName_1 = :expValue_1',
      expressionNames: { '#expName_1': 'title' },
      expressionValues: { ':expValue_1': { S: 'my-project-foo' } },
    },
  },
  {
    case: 'operations.decrement(1)',
    source:
      'recorded: request object of ddb.operations.decrement(1) (note on AppSync JS counters: SET, not ADD)',
    expression: `ddb.update({ key: { streamId: 'asdf' }, update: { currentView: ddb.operations.decrement(1) } })`,
    expected: {
      operation: 'UpdateItem',
      key: { streamId: { S: 'asdf' } },
      update: {
        expression: 'SET #expName_1 = #expName_1 - :expValue_1',
        expressionNames: { '#expName_1': 'currentView' },
        expressionValues: { ':expValue_1': { N: 1 } },
      },
    },
  },
  {
    case: 'operations.increment(10)',
    source: 'issue: AWS writes SET #x = #x + :v (typings example: increment friendsCount by 10)',
    expression: `ddb.update({ key: { id: 1 }, update: { friendsCount: ddb.operations.increment(10) } }).update`,
    expected: {
      expression: 'SET #expName_1 = #expName_1 + :expValue_1',
      expressionNames: { '#expName_1': 'friendsCount' },
      expressionValues: { ':expValue_1': { N: 10 } },
    },
  },
  {
    case: 'the object operations.increment returns',
    source: 'issue: { type: "OPERATION_INCREMENT", by }',
    expression: `ddb.operations.increment(2)`,
    expected: { type: 'OPERATION_INCREMENT', by: 2 },
  },
  {
    case: 'operations.increment() without an amount',
    source: 'typings: increment(by?: number), by defaults to one step',
    expression: `ddb.update({ key: { id: 1 }, update: { views: ddb.operations.increment() } }).update.expressionValues`,
    expected: { ':expValue_1': { N: 1 } },
  },
  {
    case: 'an operation survives the stash (plain JSON)',
    source: 'issue: operations are plain objects',
    expression: `ddb.update({ key: { id: 1 }, update: JSON.parse(JSON.stringify({ n: ddb.operations.increment(3) })) }).update.expression`,
    expected: 'SET #expName_1 = #expName_1 + :expValue_1',
  },
  {
    case: 'get',
    source: 'docs: Built-in modules, get example',
    expression: `ddb.get({ key: { id: ctx.args.id } })`,
    expected: { operation: 'GetItem', key: { id: { S: 'o-1' } } },
  },
  {
    case: 'remove',
    source: 'docs: Built-in modules, remove example',
    expression: `ddb.remove({ key: { id: ctx.args.id } })`,
    expected: { operation: 'DeleteItem', key: { id: { S: 'o-1' } } },
  },
  {
    case: 'scan with limit and nextToken',
    source: 'docs: Built-in modules, scan example',
    expression: `ddb.scan({ limit: 10, nextToken: 'tok' })`,
    expected: { operation: 'Scan', limit: 10, nextToken: 'tok' },
  },
  {
    case: 'sync with limit, nextToken and lastSync',
    source: 'docs: Built-in modules, sync example',
    expression: `ddb.sync({ limit: 10, nextToken: 'tok', lastSync: 1700000000000 })`,
    expected: { operation: 'Sync', limit: 10, nextToken: 'tok', lastSync: 1700000000000 },
  },
  {
    case: 'toStringSet',
    source: 'typings: toStringSet(["a","b","c"]) returns { "SS": ["a","b","c"] }',
    expression: `ddb.toStringSet(['a', 'b', 'c'])`,
    expected: { SS: ['a', 'b', 'c'] },
  },
  {
    case: 'toNumberSet',
    source: 'typings: toNumberSet([1,2,3]) returns { "NS": ["1","2","3"] }',
    expression: `ddb.toNumberSet([1, 2, 3])`,
    expected: { NS: ['1', '2', '3'] },
  },
  {
    case: 'toBinarySet',
    source: 'typings: toBinarySet(["SGVsbG8=","V29ybGQ="]) returns { "BS": [...] }',
    expression: `ddb.toBinarySet(['SGVsbG8=', 'V29ybGQ='])`,
    expected: { BS: ['SGVsbG8=', 'V29ybGQ='] },
  },
];

describe('@aws-appsync/utils/dynamodb conformance with AWS', () => {
  it.each(CONFORMANCE)('answers $case as AWS does ($source)', async (row) => {
    // Act
    const value = await inSandbox(row.expression, { id: 'o-1' });
    // Assess
    expect(value).toEqual(row.expected);
  });
});
