import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { RequestObjectError, toSdkItem } from './attribute-values.js';
import { isRecord } from './types.js';

/** An AppSync expression block: query, filter, update, condition or projection. */
export interface ExpressionBlock {
  readonly expression: string;
  readonly expressionNames?: Record<string, string>;
  readonly expressionValues?: Record<string, AttributeValue>;
}

/** Reads an expression block from a request object; `undefined` when the field is absent. */
export function readExpression(value: unknown, where: string): ExpressionBlock | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value) || typeof value.expression !== 'string') {
    throw new RequestObjectError(`${where}.expression must be a string`);
  }
  const names = value.expressionNames;
  if (names !== undefined && names !== null && !isRecord(names)) {
    throw new RequestObjectError(`${where}.expressionNames must be a map of strings`);
  }
  return {
    expression: value.expression,
    expressionNames: (names ?? undefined) as Record<string, string> | undefined,
    expressionValues:
      value.expressionValues === undefined || value.expressionValues === null
        ? undefined
        : toSdkItem(value.expressionValues, `${where}.expressionValues`),
  };
}

/** Like readExpression, for fields the operation cannot do without. */
export function requireExpression(value: unknown, where: string): ExpressionBlock {
  const block = readExpression(value, where);
  if (!block) throw new RequestObjectError(`${where} is required`);
  return block;
}

/**
 * Merges the names and values of every block a DynamoDB call carries. DynamoDB rejects an empty
 * ExpressionAttributeValues map, so an empty merge is left out altogether.
 */
export function mergeExpressionAttributes(...blocks: (ExpressionBlock | undefined)[]): {
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
} {
  const names = Object.assign({}, ...blocks.map((b) => b?.expressionNames ?? {})) as Record<string, string>;
  const values = Object.assign({}, ...blocks.map((b) => b?.expressionValues ?? {})) as Record<
    string,
    AttributeValue
  >;
  return {
    ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
    ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
  };
}
