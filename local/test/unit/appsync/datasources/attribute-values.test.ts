import { describe, expect, it } from 'vitest';
import { fromSdkItem, toSdkItem } from '../../../../appsync/datasources/index.js';

describe('attribute values between a request object, the SDK and ctx.result', () => {
  it('converts every DynamoDB type both ways as AppSync does', () => {
    // Prepare: DynamoDB JSON as util.dynamodb.toMapValues builds it, binary as base64
    const typed = {
      s: { S: 'text' },
      n: { N: 12.5 },
      b: { B: 'AAH6/w==' },
      bool: { BOOL: false },
      nul: { NULL: true },
      ss: { SS: ['a', 'b'] },
      ns: { NS: [1, '2'] },
      bs: { BS: ['AQ=='] },
      l: { L: [{ S: 'x' }, { M: { inner: { N: '3' } } }] },
    };
    // Act
    const sdk = toSdkItem(typed, 'attributeValues');
    const plain = fromSdkItem(sdk);
    // Assess: "Type system (response mapping)": numbers as numbers, sets as lists, binary as base64
    expect(sdk.n).toEqual({ N: '12.5' });
    expect(sdk.b?.B).toBeInstanceOf(Uint8Array);
    expect(plain).toEqual({
      s: 'text',
      n: 12.5,
      b: 'AAH6/w==',
      bool: false,
      nul: null,
      ss: ['a', 'b'],
      ns: [1, 2],
      bs: ['AQ=='],
      l: ['x', { inner: 3 }],
    });
  });

  it('keeps an attribute named __proto__ as data both ways, changing no prototype', () => {
    // Prepare: an attribute name is the caller's data, whatever it is
    const typed = JSON.parse(
      '{"__proto__": {"M": {"admin": {"BOOL": true}}}, "id": {"S": "o-1"}}',
    ) as unknown;
    // Act
    const sdk = toSdkItem(typed, 'key');
    const plain = fromSdkItem(sdk);
    // Assess
    expect(Object.getPrototypeOf(sdk)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
    expect(Object.keys(plain)).toEqual(['__proto__', 'id']);
    expect(JSON.stringify(plain)).toBe('{"__proto__":{"admin":true},"id":"o-1"}');
    expect((plain as { admin?: unknown }).admin).toBeUndefined();
  });
});
