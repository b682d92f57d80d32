import { describe, expect, it } from 'vitest';
import { APPSYNC_SCALARS } from '../../../../appsync/server/scalars.js';

const scalar = (name: string) => APPSYNC_SCALARS.get(name)!;

// "Scalar types in AWS AppSync": the formats each AppSync scalar accepts.
describe('AppSync scalars', () => {
  it.each([
    ['AWSDate', '1970-01-01'],
    ['AWSDate', '1970-01-01-07:00'],
    ['AWSTime', '12:30'],
    ['AWSTime', '12:30:24.500+05:30'],
    ['AWSDateTime', '1930-01-01T16:00-07:00'],
    ['AWSDateTime', '2024-02-29T23:59:59.123Z'],
    ['AWSEmail', 'ada@example.com'],
    ['AWSURL', 'https://example.com/path'],
    ['AWSPhone', '+1 555-555-5555'],
    ['AWSIPAddress', '10.0.0.0/8'],
    ['AWSIPAddress', '::1'],
  ])('accepts %s value %s', (name, value) => {
    // Act
    const parsed = scalar(name).parseValue(value);
    // Assess
    expect(parsed).toBe(value);
  });

  it.each([
    ['AWSDate', '1970-13-01'],
    ['AWSDateTime', '2024-05-01T10:00:00'],
    ['AWSDateTime', '2023-02-29T10:00Z'],
    ['AWSTime', '25:00'],
    ['AWSEmail', 'not-an-email'],
    ['AWSURL', 'example.com'],
    ['AWSIPAddress', '300.1.1.1'],
    ['AWSPhone', 'call me'],
  ])('rejects %s value %s', (name, value) => {
    // Act
    const parse = () => scalar(name).parseValue(value);
    // Assess
    expect(parse).toThrow(`as valid ${name}`);
  });

  it('parses AWSJSON input and serializes results back to a JSON string', () => {
    // Act
    const parsed = scalar('AWSJSON').parseValue('{"a":[1,2]}');
    const serialized = scalar('AWSJSON').serialize({ a: [1, 2] });
    // Assess
    expect(parsed).toEqual({ a: [1, 2] });
    expect(serialized).toBe('{"a":[1,2]}');
  });

  it('rejects an AWSTimestamp that is not an integer', () => {
    // Act
    const parse = () => scalar('AWSTimestamp').parseValue('1700000000');
    // Assess
    expect(parse).toThrow('as valid AWSTimestamp');
  });
});
