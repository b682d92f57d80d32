import { describe, expect, it } from 'vitest';
import type { AppSyncApiConfig } from '../../../../appsync/config.js';
import { DocumentCache } from '../../../../appsync/server/documents.js';
import { GraphQLEngine } from '../../../../appsync/server/engine.js';

const SCHEMA = /* GraphQL */ `
  enum Status {
    OPEN
    CLOSED
  }
  type Item {
    id: ID!
    price: Int
    status: Status
    child: Item
  }
  type Query {
    item(id: ID): Item
    byStatus(status: Status): Item
  }
`;

const ITEM = `export function request(ctx) { return { payload: { id: ctx.args.id ?? 'i-1', price: 5, child: { id: 'c-1', child: { id: 'c-2' } } } }; }
export function response(ctx) { return ctx.result; }`;

function engine(overrides: Partial<AppSyncApiConfig> = {}): GraphQLEngine {
  const api: AppSyncApiConfig = {
    logicalId: 'Api',
    stack: 'Test',
    name: 'engine-test',
    apiId: 'api-1',
    auth: { defaultMode: 'API_KEY' },
    schema: SCHEMA,
    dataSources: [{ name: 'none', type: 'NONE' }],
    resolvers: [
      { typeName: 'Query', fieldName: 'item', kind: 'UNIT', code: ITEM, dataSource: 'none' },
      { typeName: 'Query', fieldName: 'byStatus', kind: 'UNIT', code: ITEM, dataSource: 'none' },
    ],
    queryDepthLimit: 4,
    resolverCountLimit: 10,
    introspection: true,
    xrayEnabled: false,
    environmentVariables: {},
    ...overrides,
  };
  // A NONE data source hands the request's payload back as the result.
  return new GraphQLEngine(api, {
    invoke: async (_name, request) => ({ result: (request as { payload: unknown }).payload }),
  });
}

const run = (e: GraphQLEngine, query: string, variables?: Record<string, unknown>) =>
  e.execute({
    query,
    variables: variables ?? null,
    auth: { ok: true, mode: 'API_KEY', identity: null },
    headers: {},
  });

/** `__type(name: "Item") { fields { type { ofType { ... } } } }` with `levels` field levels in all. */
function nestedTypeQuery(levels: number): string {
  let inner = 'name';
  for (let i = 2; i < levels; i++) inner = `ofType { ${inner} }`;
  return `{ __type(name: "Item") { ${inner} } }`;
}

describe('query depth and resolver-count limits on introspection', () => {
  it('answers an introspection query within the depth limit', async () => {
    // Act: __type > ofType > ofType > name is 4 levels, the limit
    const out = await run(engine(), nestedTypeQuery(4));
    // Assess
    expect(out.response.errors).toBeUndefined();
    expect(out.response.data).toEqual({ __type: { ofType: null } }); // Item is an object type: no ofType
  });

  it('rejects an introspection selection nested deeper than the query depth limit before running it', async () => {
    // Act: 28 levels against a limit of 4 (issue "Trust", item 7)
    const out = await run(engine(), nestedTypeQuery(28));
    // Assess
    expect(out.response).toEqual({
      data: null,
      errors: [
        {
          path: null,
          data: null,
          errorType: 'QueryDepthLimitExceeded',
          errorInfo: null,
          locations: [{ line: 1, column: 3, sourceName: null }],
          message: 'Query depth limit of 4 exceeded',
        },
      ],
    });
  });

  it('counts introspection reached through fragments toward the depth limit', async () => {
    // Prepare
    const query = `query { ...Deep }
      fragment Deep on Query { ... on Query { __type(name: "Item") { ...Of } } }
      fragment Of on __Type { ofType { ofType { ofType { ofType { name } } } } }`;
    // Act
    const out = await run(engine(), query);
    // Assess
    expect(out.response.data).toBeNull();
    expect(out.response.errors?.[0]).toMatchObject({ errorType: 'QueryDepthLimitExceeded' });
  });

  it('rejects 500 aliased __schema selections by the resolver-count limit, without answering any', async () => {
    // Prepare
    const aliases = Array.from({ length: 500 }, (_, i) => `s${i}: __schema { types { name } }`).join(' ');
    // Act
    const out = await run(engine({ resolverCountLimit: 200 }), `{ ${aliases} }`);
    // Assess
    expect(out.response).toEqual({
      data: null,
      errors: [expect.objectContaining({ errorType: 'ResolverCountLimitExceeded', path: null })],
    });
  });

  it('counts introspection fields and resolvers against one resolver-count budget', async () => {
    // Act: two __type fields and two resolvers against a limit of 3
    const out = await run(
      engine({ resolverCountLimit: 3 }),
      '{ a: __type(name: "Item") { name } b: __type(name: "Query") { name } first: item { id } second: item { id } }',
    );
    // Assess: the resolver that would be the fourth is refused
    expect(out.response.data).toEqual({
      a: { name: 'Item' },
      b: { name: 'Query' },
      first: { id: 'i-1' },
      second: null,
    });
    expect(out.response.errors).toEqual([
      expect.objectContaining({ errorType: 'ResolverCountLimitExceeded', path: ['second'] }),
    ]);
  });
});

describe('introspection disabled', () => {
  it.each([
    ['a root field', '{ __schema { queryType { name } } }'],
    ['an inline fragment', '{ ... on Query { __schema { queryType { name } } } }'],
    ['a named fragment', 'query { ...T } fragment T on Query { __type(name: "Item") { name } }'],
  ])('rejects introspection through %s as an undefined field', async (_how, query) => {
    // Act
    const out = await run(engine({ introspection: false }), query);
    // Assess: configuration-limits — with introspection disabled the fields are validation errors
    expect(out.response.data).toBeNull();
    expect(out.response.errors).toEqual([
      expect.objectContaining({
        errorType: null,
        message: expect.stringMatching(
          /^Validation error of type FieldUndefined: Field '__(schema|type)' in type 'Query' is undefined @ '__(schema|type)'$/,
        ),
      }),
    ]);
  });

  it('still answers __typename, which is not introspection of the schema', async () => {
    // Act
    const out = await run(engine({ introspection: false }), '{ __typename item { __typename id } }');
    // Assess
    expect(out.response).toEqual({ data: { __typename: 'Query', item: { __typename: 'Item', id: 'i-1' } } });
  });
});

describe('validation errors in AppSync words', () => {
  it('names an unknown field as graphql-java does, without suggesting the real one', async () => {
    // Act
    const out = await run(engine({ introspection: false }), '{ item { id prise } }');
    // Assess
    expect(out.response.errors).toEqual([
      {
        path: null,
        data: null,
        errorType: null,
        errorInfo: null,
        locations: [{ line: 1, column: 13, sourceName: null }],
        message:
          "Validation error of type FieldUndefined: Field 'prise' in type 'Item' is undefined @ 'item/prise'",
      },
    ]);
  });

  it.each([
    ['an unknown argument', '{ item(idd: "x") { id } }', undefined],
    ['an unknown type', 'query Q($s: Stat) { byStatus(status: $s) { id } }', undefined],
    ['an unknown enum value', '{ byStatus(status: OPN) { id } }', undefined],
    [
      'an unknown enum value in a variable',
      'query Q($s: Status) { byStatus(status: $s) { id } }',
      { s: 'OPN' },
    ],
  ])('suggests no schema names for %s', async (_what, query, variables) => {
    // Act
    const out = await run(engine({ introspection: false }), query, variables);
    // Assess
    expect(out.response.errors?.length).toBeGreaterThan(0);
    for (const error of out.response.errors ?? []) expect(error.message).not.toMatch(/Did you mean/);
    expect(JSON.stringify(out.response.errors)).not.toMatch(/"id"|OPEN|Status"\?/);
  });
});

describe('document cache', () => {
  it('parses and validates a query text once for every request that repeats it', async () => {
    // Prepare
    const e = engine();
    // Act
    const first = await run(e, '{ item(id: "a") { id } }');
    const second = await run(e, '{ item(id: "a") { id } }');
    await run(e, '{ item(id: "b") { id } }');
    // Assess
    expect(second.response).toEqual(first.response);
    expect(e.documents.size).toBe(2);
  });

  it('keeps at most its bound of documents, dropping the least recently used', () => {
    // Prepare
    const cache = new DocumentCache(engine().schema, 2);
    // Act
    const a = cache.get('{ a: item { id } }');
    cache.get('{ b: item { id } }');
    cache.get('{ a: item { id } }'); // a is now the most recent
    cache.get('{ c: item { id } }');
    // Assess
    expect(cache.size).toBe(2);
    expect(cache.get('{ a: item { id } }')).toBe(a);
  });

  it('caches a document that failed validation with its errors', () => {
    // Prepare
    const cache = new DocumentCache(engine().schema);
    // Act
    const first = cache.get('{ nope }');
    const second = cache.get('{ nope }');
    // Assess
    expect(first.ok).toBe(false);
    expect(second).toBe(first);
  });
});

describe('field authorization per caller', () => {
  const GROUPS_SCHEMA = /* GraphQL */ `
    type Query {
      secret: String @aws_cognito_user_pools(cognito_groups: ["a,b"])
      open: String
    }
  `;
  const SECRET = `export function request() { return { payload: 'hidden' }; }
export function response(ctx) { return ctx.result; }`;
  const groupsEngine = () =>
    engine({
      auth: {
        defaultMode: 'AMAZON_COGNITO_USER_POOLS',
        userPool: { userPoolId: 'us-east-1_pool', defaultAction: 'ALLOW' },
      },
      schema: GROUPS_SCHEMA,
      resolvers: [{ typeName: 'Query', fieldName: 'secret', kind: 'UNIT', code: SECRET, dataSource: 'none' }],
    });
  const asGroups = (e: GraphQLEngine, groups: string[]) =>
    e.execute({
      query: '{ secret }',
      variables: null,
      auth: { ok: true, mode: 'AMAZON_COGNITO_USER_POOLS', identity: { sub: 'u-1', groups } as never },
      headers: {},
    });

  it('decides a field for each kind of caller on its own, however the callers come in', async () => {
    // Prepare: one engine, so rules worked out for one caller are at hand for the next
    const e = groupsEngine();
    // Act: the group named "a,b", then a caller in the two groups "a" and "b", then "a,b" again
    const member = await asGroups(e, ['a,b']);
    const other = await asGroups(e, ['a', 'b']);
    const memberAgain = await asGroups(e, ['a,b']);
    // Assess: only the group named exactly "a,b" reads the field (AppSync's cognito_groups)
    expect(member.response).toEqual({ data: { secret: 'hidden' } });
    expect(other.response.data).toEqual({ secret: null });
    expect(other.response.errors?.[0]).toMatchObject({ errorType: 'Unauthorized' });
    expect(memberAgain.response).toEqual({ data: { secret: 'hidden' } });
  });

  it('rejects a field the other way round too: a caller in "a" and "b" first, then the group "a,b"', async () => {
    // Prepare
    const e = groupsEngine();
    // Act
    const other = await asGroups(e, ['a', 'b']);
    const member = await asGroups(e, ['a,b']);
    // Assess
    expect(other.response.errors?.[0]).toMatchObject({ errorType: 'Unauthorized' });
    expect(member.response).toEqual({ data: { secret: 'hidden' } });
  });
});
