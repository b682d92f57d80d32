import { describe, expect, it } from 'vitest';
import { dynamodbUtil } from '../../../../appsync/runtime/ddb-json.js';

// Every row below is the worked example of AWS AppSync docs "DynamoDB helpers in util.dynamodb"
// (the JavaScript page); its numbers are JSON numbers, which AWS's EvaluateCode answers confirm.
describe('util.dynamodb', () => {
  const docExamples: [string, () => unknown, unknown][] = [
    ['toDynamoDB string example', () => dynamodbUtil.toDynamoDB('foo'), { S: 'foo' }],
    ['toDynamoDB number example', () => dynamodbUtil.toDynamoDB(12345), { N: 12345 }],
    ['toDynamoDB boolean example', () => dynamodbUtil.toDynamoDB(true), { BOOL: true }],
    [
      'toDynamoDB list example',
      () => dynamodbUtil.toDynamoDB(['foo', 123, { bar: 'baz' }]),
      { L: [{ S: 'foo' }, { N: 123 }, { M: { bar: { S: 'baz' } } }] },
    ],
    [
      'toDynamoDB map example',
      () => dynamodbUtil.toDynamoDB({ foo: 'bar', baz: 1234, beep: ['boop'] }),
      { M: { foo: { S: 'bar' }, baz: { N: 1234 }, beep: { L: [{ S: 'boop' }] } } },
    ],
    ['toString', () => dynamodbUtil.toString('foo'), { S: 'foo' }],
    ['toStringSet', () => dynamodbUtil.toStringSet(['foo', 'bar', 'baz']), { SS: ['foo', 'bar', 'baz'] }],
    ['toNumber', () => dynamodbUtil.toNumber(12345), { N: 12345 }],
    ['toNumberSet', () => dynamodbUtil.toNumberSet([1, 23, 4.56]), { NS: [1, 23, 4.56] }],
    ['toBinary', () => dynamodbUtil.toBinary('foo'), { B: 'foo' }],
    ['toBinarySet', () => dynamodbUtil.toBinarySet(['foo', 'bar', 'baz']), { BS: ['foo', 'bar', 'baz'] }],
    ['toBoolean', () => dynamodbUtil.toBoolean(true), { BOOL: true }],
    ['toNull', () => dynamodbUtil.toNull(), { NULL: null }],
    [
      'toList',
      () => dynamodbUtil.toList(['foo', 123, { bar: 'baz' }]),
      { L: [{ S: 'foo' }, { N: 123 }, { M: { bar: { S: 'baz' } } }] },
    ],
    [
      'toMap',
      () => dynamodbUtil.toMap({ foo: 'bar', baz: 1234, beep: ['boop'] }),
      { M: { foo: { S: 'bar' }, baz: { N: 1234 }, beep: { L: [{ S: 'boop' }] } } },
    ],
    [
      'toMapValues',
      () => dynamodbUtil.toMapValues({ foo: 'bar', baz: 1234, beep: ['boop'] }),
      { foo: { S: 'bar' }, baz: { N: 1234 }, beep: { L: [{ S: 'boop' }] } },
    ],
    [
      'toS3Object with three parameters',
      () => dynamodbUtil.toS3Object('foo', 'bar', 'baz'),
      { S: '{"s3":{"key":"foo","bucket":"bar","region":"baz"}}' },
    ],
    [
      'toS3Object with a version',
      () => dynamodbUtil.toS3Object('foo', 'bar', 'baz', 'beep'),
      { S: '{"s3":{"key":"foo","bucket":"bar","region":"baz","version":"beep"}}' },
    ],
  ];

  it.each(docExamples)('converts as the docs show for %s', (_name, act, expected) => {
    // Prepare (the doc input is in the row)
    // Act
    const result = act();
    // Assess
    expect(result).toEqual(expected);
  });

  it('returns the same attributes from toMapValues as the M of toMap', () => {
    // Prepare
    const item = { id: 'o-1', total: 12.5, lines: [{ sku: 'a', qty: 2 }], paid: false, note: null };
    // Act
    const values = dynamodbUtil.toMapValues(item);
    const map = dynamodbUtil.toMap(item);
    // Assess: docs say toMapValues(obj) is exactly toMap(obj)["M"]
    expect(values).toEqual(map?.M);
    expect(values?.note).toEqual({ NULL: null });
  });

  it('drops undefined members, as JSON would', () => {
    // Prepare
    const item = { id: 'o-1', missing: undefined };
    // Act
    const values = dynamodbUtil.toMapValues(item);
    // Assess
    expect(values).toEqual({ id: { S: 'o-1' } });
  });

  it('reads back the S3 object written by toS3Object', () => {
    // Prepare
    const stored = dynamodbUtil.toS3Object('img.png', 'media', 'us-east-1', 'v2');
    // Act
    const s3 = dynamodbUtil.fromS3ObjectJson(stored.S);
    // Assess: docs say it returns the key, bucket, region and optional version
    expect(s3).toEqual({ key: 'img.png', bucket: 'media', region: 'us-east-1', version: 'v2' });
  });

  it('rejects the wrong input types with null rather than a wrong attribute', () => {
    // Prepare / Act / Assess
    expect(dynamodbUtil.toString(null)).toBeNull();
    expect(dynamodbUtil.toNumber(undefined)).toBeNull();
    expect(dynamodbUtil.toMapValues(['not', 'a', 'map'])).toBeNull();
    expect(dynamodbUtil.fromS3ObjectJson('not json')).toBeNull();
  });
});
