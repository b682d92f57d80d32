import { describe, expect, it } from 'vitest';
import { createDynamoDbModule } from '../../../../local/appsync/runtime/dynamodb-module.js';

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
        'SET #name = :name, #address = :address, #friendsIds = list_append(#friendsIds, :friendsIds), ' +
        '#tags = list_append(:tags, #tags), #aliases[1] = :aliases_1, #aliases[2] = :aliases_2, #profile.#bio = :profile_bio ' +
        'REMOVE #age ADD #friendsCount :friendsCount, #loginCount :loginCount',
      expressionNames: {
        '#name': 'name',
        '#address': 'address',
        '#age': 'age',
        '#friendsCount': 'friendsCount',
        '#loginCount': 'loginCount',
        '#friendsIds': 'friendsIds',
        '#tags': 'tags',
        '#aliases': 'aliases',
        '#profile': 'profile',
        '#bio': 'bio',
      },
      expressionValues: {
        ':name': { S: 'Ann' },
        ':address': { M: { street1: { S: '123 Main St' }, city: { S: 'New York' } } },
        ':friendsCount': { N: 10 },
        ':loginCount': { N: -1 },
        ':friendsIds': { L: [{ N: 101 }, { N: 104 }] },
        ':tags': { L: [{ S: 'new' }] },
        ':aliases_1': { S: '102' },
        ':aliases_2': { S: '112' },
        ':profile_bio': { S: 'hi' },
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
          expression: 'ADD #views :views',
          expressionNames: { '#views': 'views' },
          expressionValues: { ':views': { N: 1 } },
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
