import { describe, expect, it } from 'vitest';
import { evaluate, evaluateRaw, fieldInput } from './helpers.js';

describe('util ID generation', () => {
  it('returns a random version 4 UUID from util.autoId', async () => {
    // AppSync JS "Built-in utilities", ID generation utils: util.autoId returns a 128-bit random UUID
    // Act
    const ids = (await evaluate('[util.autoId(), util.autoId()]')) as string[];
    // Assess
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('returns a 26-character ULID from util.autoUlid that sorts by creation time', async () => {
    // AppSync JS "Built-in utilities": util.autoUlid returns a 128-bit ULID
    // Act
    const early = (await evaluate('util.autoUlid()', fieldInput(), () => 1_600_000_000_000)) as string;
    const late = (await evaluate('util.autoUlid()', fieldInput(), () => 1_700_000_000_000)) as string;
    // Assess
    expect(early).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(early < late).toBe(true);
  });

  it('returns a 27-character base62 KSUID from util.autoKsuid', async () => {
    // AppSync JS "Built-in utilities": util.autoKsuid returns a KSUID base62 encoded as a String with a length of 27
    // Act
    const ids = (await evaluate('[util.autoKsuid(), util.autoKsuid()]')) as string[];
    // Assess
    expect(ids[0]).toMatch(/^[0-9A-Za-z]{27}$/);
    expect(ids[0]).not.toBe(ids[1]);
  });
});

describe('util errors', () => {
  it('aborts the resolver with message, errorType, data and errorInfo on util.error', async () => {
    // AppSync JS "Built-in utilities", error utils: util.error(String, String?, Object?, Object?) throws a custom error
    // Act
    const result = await evaluateRaw(
      "util.error('Out of stock', 'OutOfStock', { sku: 'a' }, { retry: false })",
    );
    // Assess
    expect(result.data).toBeNull();
    expect(result.errors).toEqual([
      { message: 'Out of stock', errorType: 'OutOfStock', data: { sku: 'a' }, errorInfo: { retry: false } },
    ]);
  });

  it('keeps the returned data and adds an error on util.appendError', async () => {
    // AppSync JS "Built-in utilities": util.appendError does not interrupt evaluation, so data can be returned
    // Act
    const result = await evaluateRaw("(util.appendError('Partial', 'Warning'), 42)");
    // Assess
    expect(result.data).toEqual({ value: 42 });
    expect(result.errors).toEqual([
      { message: 'Partial', errorType: 'Warning', data: null, errorInfo: null },
    ]);
  });

  it('rejects the field as Unauthorized on util.unauthorized', async () => {
    // AppSync JS "Built-in utilities": util.unauthorized throws Unauthorized for the field being resolved
    // Act
    const result = await evaluateRaw('util.unauthorized()');
    // Assess
    expect(result.data).toBeNull();
    expect(result.errors).toEqual([
      {
        message: 'Not Authorized to access getOrder on type Query',
        errorType: 'Unauthorized',
        data: null,
        errorInfo: null,
      },
    ]);
  });

  it('reports a bare Unauthorized for util.unauthorized in a handler evaluated on its own', async () => {
    // EvaluateCode runs a handler without a GraphQL field; AWS answers util.unauthorized() with `Unauthorized`
    // Prepare
    const alone = fieldInput({
      typeName: '',
      fieldName: '',
      info: {
        fieldName: '',
        parentTypeName: '',
        variables: {},
        selectionSetList: [],
        selectionSetGraphQL: '',
      },
    });
    // Act
    const result = await evaluateRaw('util.unauthorized()', alone);
    // Assess
    expect(result.data).toBeNull();
    expect(result.errors).toEqual([
      { message: 'Unauthorized', errorType: 'Unauthorized', data: null, errorInfo: null },
    ]);
  });
});

describe('util null and default checks', () => {
  it('tells null, empty and blank values apart', async () => {
    // AppSync JS "Built-in utilities": isNull, isNullOrEmpty, isNullOrBlank
    // Act
    const flags = await evaluate(
      "[util.isNull(null), util.isNull(''), util.isNullOrEmpty(''), util.isNullOrEmpty(' '), util.isNullOrBlank(' \\t'), util.isNullOrBlank('a')]",
    );
    // Assess
    expect(flags).toEqual([true, false, true, false, true, false]);
  });

  it('falls back to the default only for null, empty or blank input', async () => {
    // AppSync JS "Built-in utilities": defaultIfNull, defaultIfNullOrEmpty, defaultIfNullOrBlank
    // Act
    const values = await evaluate(
      "[util.defaultIfNull(null, 'd'), util.defaultIfNull(0, 'd'), util.defaultIfNullOrEmpty('', 'd'), util.defaultIfNullOrEmpty(' ', 'd'), util.defaultIfNullOrBlank(' ', 'd')]",
    );
    // Assess
    expect(values).toEqual(['d', 0, 'd', ' ', 'd']);
  });
});

describe('util type and pattern matching', () => {
  it('names the type of a value with util.typeOf', async () => {
    // AppSync JS "Built-in utilities": typeOf identifies Null, Number, String, Map, List, Boolean
    // Act
    const types = await evaluate(
      "[util.typeOf(null), util.typeOf(1.5), util.typeOf('s'), util.typeOf({}), util.typeOf([]), util.typeOf(true)]",
    );
    // Assess
    expect(types).toEqual(['Null', 'Number', 'String', 'Map', 'List', 'Boolean']);
  });

  it('matches the whole string, as Java Pattern does, with util.matches', async () => {
    // AppSync JS "Built-in utilities": util.matches("a*b", "aaaaab") is true; the semantics are Java's Pattern
    // Act
    const results = await evaluate(
      "[util.matches('a*b', 'aaaaab'), util.matches('a*b', 'aaaaabc'), util.matches('(?i)ORD-\\\\d+', 'ord-12')]",
    );
    // Assess
    expect(results).toEqual([true, false, true]);
  });

  it('reports the authorization mode of the request with util.authType', async () => {
    // AppSync JS "Built-in utilities": authType returns "API Key Authorization", "IAM Authorization", "User Pool Authorization", "Open ID Connect Authorization" or "Lambda Authorization"
    // Act
    const modes = await Promise.all([
      evaluate('util.authType()', fieldInput({ authType: 'AMAZON_COGNITO_USER_POOLS' })),
      evaluate('util.authType()', fieldInput({ identity: { resolverContext: { tenant: 't' } } })),
      evaluate(
        'util.authType()',
        fieldInput({
          identity: { accountId: '000000000000', userArn: 'arn:aws:iam::000000000000:user/a', sourceIp: [] },
        }),
      ),
      evaluate('util.authType()', fieldInput({ identity: null })),
    ]);
    // Assess
    expect(modes).toEqual([
      'User Pool Authorization',
      'Lambda Authorization',
      'IAM Authorization',
      'API Key Authorization',
    ]);
  });
});

describe('util encoding', () => {
  it('round-trips UTF-8 text through util.base64Encode and util.base64Decode', async () => {
    // AppSync JS "Built-in utilities", encoding utils: base64Encode / base64Decode
    // Act
    const [encoded, decoded] = (await evaluate(
      "[util.base64Encode('héllo ✓'), util.base64Decode(util.base64Encode('héllo ✓'))]",
    )) as string[];
    // Assess
    expect(encoded).toBe(Buffer.from('héllo ✓').toString('base64'));
    expect(decoded).toBe('héllo ✓');
  });

  it('encodes as application/x-www-form-urlencoded with util.urlEncode and decodes it back', async () => {
    // AppSync JS "Built-in utilities": urlEncode returns an application/x-www-form-urlencoded string
    // Act
    const [encoded, decoded] = (await evaluate(
      "[util.urlEncode('a b&c=d/é*'), util.urlDecode('a+b%26c%3Dd')]",
    )) as string[];
    // Assess
    expect(encoded).toBe('a+b%26c%3Dd%2F%C3%A9*');
    expect(decoded).toBe('a b&c=d');
  });

  it('escapes quotes, slashes and control characters with util.escapeJavaScript', async () => {
    // AppSync JS "Built-in utilities": escapeJavaScript returns the input as a JavaScript escaped string
    // Act
    const escaped = await evaluate('util.escapeJavaScript(\'say "hi"\\n\' + "it\'s a/b")');
    // Assess
    expect(escaped).toBe('say \\"hi\\"\\n' + "it\\'s a\\/b");
  });
});

describe('util.str', () => {
  it('upper-cases, lower-cases, replaces every occurrence and normalizes', async () => {
    // AppSync "String helpers in util.str": toReplace("hello world", "hello", "mellow") is "mellow world"
    // Act
    const values = await evaluate(
      "[util.str.toUpper('abc'), util.str.toLower('ABC'), util.str.toReplace('hello world', 'hello', 'mellow'), util.str.toReplace('a-a', 'a', 'b'), util.str.normalize('e\\u0301', 'nfc')]",
    );
    // Assess
    expect(values).toEqual(['ABC', 'abc', 'mellow world', 'b-b', 'é']);
  });
});

describe('util.math', () => {
  it('rounds, picks the minimum and maximum, and draws random numbers in range', async () => {
    // AppSync "Math helpers in util.math": roundNum, minVal, maxVal, randomDouble, randomWithinRange
    // Act
    const [round, min, max, double, ranged] = (await evaluate(
      '[util.math.roundNum(2.5), util.math.minVal(3, 1), util.math.maxVal(3, 1), util.math.randomDouble(), util.math.randomWithinRange(5, 7)]',
    )) as number[];
    // Assess
    expect([round, min, max]).toEqual([3, 1, 3]);
    expect(double).toBeGreaterThanOrEqual(0);
    expect(double).toBeLessThan(1);
    expect(ranged).toBeGreaterThanOrEqual(5);
    expect(ranged).toBeLessThanOrEqual(7);
  });
});

describe('util.http', () => {
  it('records response headers from util.http.addResponseHeader and addResponseHeaders', async () => {
    // AppSync "HTTP helpers in util.http": addResponseHeader adds a custom header to the response
    // Act
    const result = await evaluateRaw(
      "(util.http.addResponseHeader('itemsCount', 7), util.http.addResponseHeaders({ render: 'full' }), 1)",
    );
    // Assess
    expect(result.responseHeaders).toEqual({ itemsCount: '7', render: 'full' });
  });

  it('rejects a response header with a restricted x-amzn- prefix', async () => {
    // AppSync "HTTP helpers in util.http": header names can't start with restricted prefixes such as x-amzn- or x-amz-
    // Act
    const result = await evaluateRaw("(util.http.addResponseHeader('x-amzn-trace', 'a'), 1)");
    // Assess
    expect(result.data).toBeNull();
    expect(result.errors[0]?.errorType).toBe('Code');
    expect(result.responseHeaders).toBeUndefined();
  });

  it('copies request headers without the restricted ones with util.http.copyHeaders', async () => {
    // AppSync "HTTP helpers in util.http": copyHeaders copies the map without the restricted set of HTTP headers
    // Act
    const copied = await evaluate(
      "util.http.copyHeaders({ host: 'x', 'content-length': '3', 'x-tenant': 't' })",
    );
    // Assess
    expect(copied).toEqual({ 'x-tenant': 't' });
  });
});

describe('util.dynamodb and util.transform wiring', () => {
  it('exposes util.dynamodb.toDynamoDB and toMapValues to resolver code', async () => {
    // AppSync "DynamoDB helpers in util.dynamodb": toDynamoDB("foo") is { "S" : "foo" }
    // Act
    const value = await evaluate(
      "[util.dynamodb.toDynamoDB('foo'), util.dynamodb.toMapValues({ n: 12345 })]",
    );
    // Assess
    expect(value).toEqual([{ S: 'foo' }, { n: { N: 12345 } }]);
  });

  it('exposes util.transform.toDynamoDBFilterExpression to resolver code', async () => {
    // AppSync "Transformation helpers in util.transform": toDynamoDBFilterExpression returns a JSON string
    // Act
    const value = await evaluate(
      "JSON.parse(util.transform.toDynamoDBFilterExpression({ title: { contains: 'Hello' } }))",
    );
    // Assess
    expect(value).toMatchObject({ expression: expect.stringContaining('contains') });
  });
});

describe('extensions', () => {
  it('collects the subscription filter, the invalidation filter and invalidations of the request', async () => {
    // AppSync "Extensions": setSubscriptionFilter, setSubscriptionInvalidationFilter, invalidateSubscriptions
    // Act
    const result = await evaluateRaw(`(
      extensions.setSubscriptionFilter({ filterGroup: [{ filters: [{ fieldName: 'id', operator: 'eq', value: 1 }] }] }),
      extensions.setSubscriptionInvalidationFilter({ filterGroup: [{ filters: [{ fieldName: 'id', operator: 'eq', value: 2 }] }] }),
      extensions.invalidateSubscriptions({ subscriptionField: 'onOrderChanged', payload: { id: 2 } }),
      null)`);
    // Assess
    expect(result.extensions.subscriptionFilter).toEqual({
      filterGroup: [{ filters: [{ fieldName: 'id', operator: 'eq', value: 1 }] }],
    });
    expect(result.extensions.invalidationFilter).toEqual({
      filterGroup: [{ filters: [{ fieldName: 'id', operator: 'eq', value: 2 }] }],
    });
    expect(result.extensions.invalidations).toEqual([
      { subscriptionField: 'onOrderChanged', payload: { id: 2 } },
    ]);
  });
});
