import { describe, expect, it } from 'vitest';
import { transform } from '../../../../appsync/runtime/transform.js';

// Expected outputs are AWS's own answers for util.transform (EvaluateCode, APPSYNC_JS 1.0.0) as
// recorded in localstack/appsync-utils __tests__/__snapshots__/transform*.test.js.snap, and the worked
// examples of AWS AppSync docs "Transformation helpers in util.transform".
const filter = (input: unknown): unknown => {
  const out = transform.toDynamoDBFilterExpression(input);
  return out === null ? null : JSON.parse(out);
};

describe('util.transform.toDynamoDBFilterExpression', () => {
  const rows: [string, unknown, string, Record<string, string>, Record<string, unknown>][] = [
    ['eq', { v: { eq: 'x' } }, '(#v = :v_eq)', { '#v': 'v' }, { ':v_eq': { S: 'x' } }],
    ['ne', { v: { ne: 'x' } }, '(#v <> :v_ne)', { '#v': 'v' }, { ':v_ne': { S: 'x' } }],
    ['ge on a number', { v: { ge: 10 } }, '(#v >= :v_ge)', { '#v': 'v' }, { ':v_ge': { N: 10 } }],
    ['eq null', { v: { eq: null } }, '(#v = :v_eq)', { '#v': 'v' }, { ':v_eq': { NULL: null } }],
    [
      'contains (docs: title contains "Hello World")',
      { title: { contains: 'Hello World' } },
      '(contains(#title,:title_contains))',
      { '#title': 'title' },
      { ':title_contains': { S: 'Hello World' } },
    ],
    [
      'notContains',
      { v: { notContains: 'x' } },
      '(NOT contains(#v,:v_notContains))',
      { '#v': 'v' },
      { ':v_notContains': { S: 'x' } },
    ],
    [
      'beginsWith',
      { v: { beginsWith: 'x' } },
      '(begins_with(#v,:v_beginsWith))',
      { '#v': 'v' },
      { ':v_beginsWith': { S: 'x' } },
    ],
    [
      'between ignores a third bound',
      { v: { between: ['1', '9', '3'] } },
      '(#v BETWEEN :v_between_start AND :v_between_end)',
      { '#v': 'v' },
      { ':v_between_start': { S: '1' }, ':v_between_end': { S: '9' } },
    ],
    [
      'in',
      { v: { in: ['a', 'b'] } },
      '(#v IN (:v_in_0, :v_in_1))',
      { '#v': 'v' },
      { ':v_in_0': { S: 'a' }, ':v_in_1': { S: 'b' } },
    ],
    ['an empty in', { v: { in: [] } }, '(null)', { '#v': 'v' }, {}],
    [
      'attributeExists false',
      { v: { attributeExists: false } },
      '(attribute_not_exists(#v))',
      { '#v': 'v' },
      {},
    ],
    [
      'attributeType',
      { a: { attributeType: '_null' }, b: { attributeType: 'stringSet' } },
      '(attribute_type(#a,:a_attributeType)) AND (attribute_type(#b,:b_attributeType))',
      { '#a': 'a', '#b': 'b' },
      { ':a_attributeType': { S: 'NULL' }, ':b_attributeType': { S: 'SS' } },
    ],
    [
      'size',
      { v: { size: { gt: 2 } } },
      '(size(#v) > :v_size_gt)',
      { '#v': 'v' },
      { ':v_size_gt': { N: 2 } },
    ],
    [
      'two comparisons on one size',
      { v: { size: { gt: 2, lt: 5 } } },
      '((size(#v) > :v_size_gt) AND (size(#v) < :v_size_lt))',
      { '#v': 'v' },
      { ':v_size_gt': { N: 2 }, ':v_size_lt': { N: 5 } },
    ],
    [
      'nested size',
      { v: { size: { size: { gt: 1 } } } },
      '(size(#v) > :v_size_size_gt)',
      { '#v': 'v' },
      { ':v_size_size_gt': { N: 1 } },
    ],
    [
      'size with attributeExists',
      { v: { size: { attributeExists: true } } },
      '(attribute_exists(size(#v)))',
      { '#v': 'v' },
      {},
    ],
    [
      'two top-level fields',
      { a: { eq: 1 }, b: { eq: 2 } },
      '(#a = :a_eq) AND (#b = :b_eq)',
      { '#a': 'a', '#b': 'b' },
      { ':a_eq': { N: 1 }, ':b_eq': { N: 2 } },
    ],
    [
      'two operators on one field',
      { v: { ge: 1, le: 5 } },
      '((#v >= :v_ge) AND (#v <= :v_le))',
      { '#v': 'v' },
      { ':v_ge': { N: 1 }, ':v_le': { N: 5 } },
    ],
    [
      'an and of one member',
      { and: [{ a: { eq: 1 } }] },
      '(#a = :and_0_a_eq)',
      { '#a': 'a' },
      { ':and_0_a_eq': { N: 1 } },
    ],
    [
      'an or inside an and',
      { and: [{ or: [{ a: { eq: 1 } }, { b: { eq: 2 } }] }, { c: { eq: 3 } }] },
      '(((#a = :and_0_or_0_a_eq) OR (#b = :and_0_or_1_b_eq)) AND (#c = :and_1_c_eq))',
      { '#a': 'a', '#b': 'b', '#c': 'c' },
      { ':and_0_or_0_a_eq': { N: 1 }, ':and_0_or_1_b_eq': { N: 2 }, ':and_1_c_eq': { N: 3 } },
    ],
    [
      'not of a group',
      { not: { and: [{ a: { eq: 1 } }, { b: { eq: 2 } }] } },
      '(NOT ((#a = :not_and_0_a_eq) AND (#b = :not_and_1_b_eq)))',
      { '#a': 'a', '#b': 'b' },
      { ':not_and_0_a_eq': { N: 1 }, ':not_and_1_b_eq': { N: 2 } },
    ],
    [
      'not of a not',
      { not: { not: { a: { eq: 1 } } } },
      '(NOT (NOT (#a = :not_not_a_eq)))',
      { '#a': 'a' },
      { ':not_not_a_eq': { N: 1 } },
    ],
    [
      'a field beside a group',
      { a: { eq: 1 }, and: [{ b: { eq: 2 } }] },
      '(#a = :a_eq) AND (#b = :and_0_b_eq)',
      { '#a': 'a', '#b': 'b' },
      { ':a_eq': { N: 1 }, ':and_0_b_eq': { N: 2 } },
    ],
    [
      'a dotted name used verbatim',
      { 'a.b': { eq: 1 } },
      '(#a.b = :a.b_eq)',
      { '#a.b': 'a.b' },
      { ':a.b_eq': { N: 1 } },
    ],
    [
      'the Amplify update guard',
      { and: [{ id: { attributeExists: true } }, { _version: { eq: 1 } }] },
      '((attribute_exists(#id)) AND (#_version = :and_1__version_eq))',
      { '#id': 'id', '#_version': '_version' },
      { ':and_1__version_eq': { N: 1 } },
    ],
    [
      'an empty field beside a comparison leaves a dangling joiner',
      { a: { eq: 1 }, b: {} },
      '(#a = :a_eq) AND ',
      { '#a': 'a', '#b': 'b' },
      { ':a_eq': { N: 1 } },
    ],
    ['not of an empty filter', { not: {} }, '(NOT )', {}, {}],
    ['an empty group', { and: [] }, '', {}, {}],
  ];

  it.each(rows)('renders %s as AWS does', (_name, input, expression, expressionNames, expressionValues) => {
    // Prepare (the input is in the row)
    // Act
    const result = filter(input);
    // Assess
    expect(result).toEqual({ expression, expressionNames, expressionValues });
  });

  it('returns a JSON string, as the docs signature says', () => {
    // Prepare
    const input = { content: { contains: 'foo' } };
    // Act
    const result = transform.toDynamoDBFilterExpression(input);
    // Assess: byte-for-byte the string AWS returned for this input
    expect(result).toBe(
      '{"expression":"(contains(#content,:content_contains))","expressionNames":{"#content":"content"},"expressionValues":{":content_contains":{"S":"foo"}}}',
    );
  });

  it('renders a condition exactly like a filter', () => {
    // Prepare
    const input = { not: { id: { between: ['1', '9'] } } };
    // Act
    const condition = transform.toDynamoDBConditionExpression(input);
    // Assess
    expect(condition).toBe(transform.toDynamoDBFilterExpression(input));
    expect(condition).toContain('(NOT (#id BETWEEN :not_id_between_start AND :not_id_between_end))');
  });

  it('negates every field of a multi-field not, not just the first', () => {
    // Prepare
    const input = { not: { a: { eq: 1 }, b: { eq: 2 } } };
    // Act
    const result = filter(input) as { expression: string };
    // Assess
    expect(result.expression).toBe('(NOT ((#a = :not_a_eq) AND (#b = :not_b_eq)))');
  });

  const unrenderable: [string, unknown][] = [
    ['no filter', undefined],
    ['null', null],
    ['an array', []],
    ['a string', 'string'],
    ['an unknown operator', { v: { foo: 1 } }],
    ['a value instead of operators', { v: 'x' }],
    ['a field nested in a field', { a: { b: { eq: 1 } } }],
    ['an and given a map', { and: { a: { eq: 1 } } }],
    ['an and given null', { and: null }],
    ['a group with a null member', { and: [{ a: { eq: 1 } }, null] }],
    ['a not given a list', { not: [{ a: { eq: 1 } }] }],
    ['a range with one bound', { v: { between: [1] } }],
    ['an in that is not a list', { v: { in: 'x' } }],
    ['attributeExists that is not a boolean', { v: { attributeExists: 'yes' } }],
    ['attributeType given a type code', { v: { attributeType: 'S' } }],
    ['size given a value', { v: { size: 3 } }],
  ];

  it.each(unrenderable)('fails when given %s, answering null as AWS does', (_name, input) => {
    // Prepare (the input is in the row)
    // Act
    const result = transform.toDynamoDBFilterExpression(input);
    // Assess
    expect(result).toBeNull();
  });
});

describe('util.transform.toSubscriptionFilter', () => {
  const f = (fieldName: string, operator: string, value: unknown) => ({ fieldName, operator, value });

  it('multiplies out the docs example of operators and groups together', () => {
    // Prepare: the input of the toSubscriptionFilter example in the docs
    const input = {
      percentageUp: { lte: 50, gte: 20 },
      and: [{ title: { ne: 'Book1' } }, { downvotes: { gt: 2000 } }],
      or: [{ author: { eq: 'Admin' } }, { isPublished: { eq: false } }],
    };
    // Act
    const result = transform.toSubscriptionFilter(input);
    // Assess
    const common = [f('title', 'ne', 'Book1'), f('downvotes', 'gt', 2000)];
    expect(result).toEqual({
      filterGroup: [
        { filters: [f('percentageUp', 'lte', 50), ...common, f('author', 'eq', 'Admin')] },
        { filters: [f('percentageUp', 'lte', 50), ...common, f('isPublished', 'eq', false)] },
        { filters: [f('percentageUp', 'gte', 20), ...common, f('author', 'eq', 'Admin')] },
        { filters: [f('percentageUp', 'gte', 20), ...common, f('isPublished', 'eq', false)] },
      ],
    });
  });

  const rows: [string, unknown[], unknown][] = [
    [
      'two fields in one group',
      [{ a: { eq: 1 }, b: { eq: 2 } }],
      { filterGroup: [{ filters: [f('a', 'eq', 1), f('b', 'eq', 2)] }] },
    ],
    [
      'an or as one group per member',
      [{ or: [{ a: { eq: 1 } }, { b: { eq: 2 } }] }],
      { filterGroup: [{ filters: [f('a', 'eq', 1)] }, { filters: [f('b', 'eq', 2)] }] },
    ],
    [
      'two operators on one field as alternatives',
      [{ a: { eq: 1, ne: 2 } }],
      { filterGroup: [{ filters: [f('a', 'eq', 1)] }, { filters: [f('a', 'ne', 2)] }] },
    ],
    [
      'a dotted field path as written',
      [{ 'loc.addr.country': { eq: 'USA' } }],
      { filterGroup: [{ filters: [f('loc.addr.country', 'eq', 'USA')] }] },
    ],
    [
      'not as a field name',
      [{ not: { a: { eq: 1 } } }],
      { filterGroup: [{ filters: [f('not', 'a', { eq: 1 })] }] },
    ],
    [
      'ignored fields inside an and',
      [{ a: { eq: 1 }, and: [{ b: { eq: 2 } }] }, ['b']],
      { filterGroup: [{ filters: [f('a', 'eq', 1)] }] },
    ],
    [
      'rules as alternatives added to every group',
      [{ a: { eq: 1 } }, [], { r1: { gte: 250 }, r2: { eq: 'p' } }],
      {
        filterGroup: [
          { filters: [f('a', 'eq', 1), f('r1', 'gte', 250)] },
          { filters: [f('a', 'eq', 1), f('r2', 'eq', 'p')] },
        ],
      },
    ],
    ['rules on their own', [{}, [], { r1: { eq: 1 } }], { filterGroup: [{ filters: [f('r1', 'eq', 1)] }] }],
    ['an empty filter as no group', [{}], { filterGroup: [] }],
    ['a field with no operator as no group', [{ a: {} }], { filterGroup: [] }],
    ['null as null', [null], null],
    ['a JSON string as null', ['{"a":{"eq":1}}'], null],
  ];

  it.each(rows)('converts %s as AWS does', (_name, args, expected) => {
    // Prepare (the arguments are in the row)
    const [input, ignored, rules] = args as [unknown, string[] | undefined, unknown];
    // Act
    const result = transform.toSubscriptionFilter(input, ignored, rules);
    // Assess
    expect(result).toEqual(expected);
  });
});

describe('util.transform.toElasticsearchQueryDSL', () => {
  it('renders the docs example', () => {
    // Prepare: the docs example input
    const input = { upvotes: { ne: 15, range: [10, 20] }, title: { eq: 'hihihi', wildcard: 'h*i' } };
    // Act
    const result = JSON.parse(transform.toElasticsearchQueryDSL(input) ?? 'null');
    // Assess: the docs example output
    expect(result).toEqual({
      bool: {
        must: [
          {
            bool: {
              must: [
                { bool: { must_not: { term: { upvotes: 15 } } } },
                { range: { upvotes: { gte: 10, lte: 20 } } },
              ],
            },
          },
          { bool: { must: [{ term: { title: 'hihihi' } }, { wildcard: { title: 'h*i' } }] } },
        ],
      },
    });
  });
});
