import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { isRecord } from './types.js';

/** A request object field that AppSync would reject as malformed. */
export class RequestObjectError extends Error {
  override readonly name = 'RequestObjectError';
}

/** A DynamoDB item or key as the SDK sends and receives it. */
export type SdkItem = Record<string, AttributeValue>;

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const fromB64 = (text: unknown, where: string) => {
  if (typeof text !== 'string') throw new RequestObjectError(`${where}: a B value must be a base64 string`);
  return new Uint8Array(Buffer.from(text, 'base64'));
};

/**
 * Converts one typed value of a request object (DynamoDB JSON, as util.dynamodb.toDynamoDB builds it)
 * into the SDK's AttributeValue. Binary arrives base64-encoded and numbers may arrive as JS numbers.
 */
export function toSdkValue(value: unknown, where: string): AttributeValue {
  if (!isRecord(value) || Object.keys(value).length !== 1) {
    throw new RequestObjectError(
      `${where}: expected a typed value such as { "S": "text" }, received ${JSON.stringify(value)}`,
    );
  }
  const [type, v] = Object.entries(value)[0] as [string, unknown];
  const list = (what: string) => {
    if (!Array.isArray(v)) throw new RequestObjectError(`${where}: ${type} must be a list of ${what}`);
    return v as unknown[];
  };
  switch (type) {
    case 'S':
      if (typeof v !== 'string') throw new RequestObjectError(`${where}: S must be a string`);
      return { S: v };
    case 'N':
      if (typeof v !== 'string' && typeof v !== 'number')
        throw new RequestObjectError(`${where}: N must be a number`);
      return { N: String(v) };
    case 'B':
      return { B: fromB64(v, where) };
    case 'BOOL':
      if (typeof v !== 'boolean') throw new RequestObjectError(`${where}: BOOL must be a boolean`);
      return { BOOL: v };
    case 'NULL':
      return { NULL: true };
    case 'SS':
      return { SS: list('strings').map(String) };
    case 'NS':
      return { NS: list('numbers').map(String) };
    case 'BS':
      return { BS: list('base64 strings').map((x) => fromB64(x, where)) };
    case 'L':
      return { L: list('typed values').map((x, i) => toSdkValue(x, `${where}[${i}]`)) };
    case 'M':
      return { M: toSdkItem(v, where) };
    default:
      throw new RequestObjectError(`${where}: unknown DynamoDB type '${type}'`);
  }
}

/**
 * Sets an own property, even one named `__proto__`: an attribute name is data, and a plain assignment
 * of that name would replace the object's prototype instead (what Object.fromEntries also avoids).
 */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Converts a map of typed values (a key, attributeValues, expressionValues). */
export function toSdkItem(map: unknown, where: string): SdkItem {
  if (!isRecord(map)) throw new RequestObjectError(`${where}: expected a map of typed values`);
  const out: SdkItem = {};
  for (const key of Object.keys(map)) setOwn(out, key, toSdkValue(map[key], `${where}.${key}`));
  return out;
}

/**
 * Converts an SDK value to the plain JSON AppSync puts in ctx.result ("Type system (response mapping)"):
 * numbers become JS numbers, sets become lists, binary becomes a base64 string.
 */
export function fromSdkValue(value: AttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.B !== undefined) return b64(value.B);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.SS !== undefined) return [...value.SS];
  if (value.NS !== undefined) return value.NS.map(Number);
  if (value.BS !== undefined) return value.BS.map(b64);
  if (value.L !== undefined) return value.L.map(fromSdkValue);
  if (value.M !== undefined) return fromSdkItem(value.M);
  return null;
}

/** Converts an SDK item to AppSync's plain JSON. */
export function fromSdkItem(item: SdkItem): Record<string, unknown> {
  // A loop rather than fromEntries(entries().map()): this runs for every item of every answer.
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(item)) setOwn(out, key, fromSdkValue(item[key]!));
  return out;
}

/** A JSON string for a value with object keys sorted, so equal items compare equal. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
