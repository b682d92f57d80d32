/**
 * `util.dynamodb` for the local APPSYNC_JS runtime (AWS AppSync docs: "DynamoDB helpers in util.dynamodb").
 *
 * These functions run inside the resolver sandbox, so they use no Node globals. Numbers stay JSON
 * numbers (`{ N: 12345 }`), exactly as the docs and AWS's EvaluateCode answers show them; the
 * DynamoDB data source turns them into the SDK's string form.
 */

/** A DynamoDB attribute value as AppSync's resolvers write it (numbers may be JSON numbers). */
export type AttributeValue =
  | { S: string }
  | { N: number | string }
  | { B: string }
  | { SS: string[] }
  | { NS: (number | string)[] }
  | { BS: string[] }
  | { BOOL: boolean }
  | { NULL: null }
  | { L: AttributeValue[] }
  | { M: Record<string, AttributeValue> };

/**
 * Marks a set built by the `@aws-appsync/utils/dynamodb` helpers, so that `toDynamoDB` keeps it a
 * set instead of describing it as a map. `Symbol.for` so the mark survives crossing vm realms.
 */
export const TYPED_SET = Symbol.for('orderloop.appsync.dynamodbTypedSet');

/** Tags an already typed set (`{ SS: [...] }`) so the converters pass it through untouched. */
export function markTypedSet<T extends object>(value: T): T {
  Object.defineProperty(value, TYPED_SET, { value: true, enumerable: false });
  return value;
}

function isTypedSet(value: object): boolean {
  return (value as Record<symbol, unknown>)[TYPED_SET] === true;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Converts any JSON value; lists stay lists ("L"), never sets, as the docs say. */
function toDynamoDB(value: unknown): AttributeValue | null {
  if (value === undefined) return null;
  if (value === null) return { NULL: null };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: value };
  if (typeof value === 'bigint') return { N: value.toString() };
  if (typeof value === 'boolean') return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map((v) => toDynamoDB(v) ?? { NULL: null }) };
  if (typeof value === 'object') {
    if (isTypedSet(value)) return { ...(value as AttributeValue) };
    return { M: toMapValuesOf(value as Record<string, unknown>) };
  }
  return null;
}

function toMapValuesOf(value: Record<string, unknown>): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const [k, v] of Object.entries(value)) {
    // undefined members vanish, as they would in the JSON AppSync hands its Java runtime
    const converted = toDynamoDB(v);
    if (converted !== null) out[k] = converted;
  }
  return out;
}

function toString(value: string | null | undefined): { S: string } | null {
  return typeof value === 'string' ? { S: value } : null;
}

function toStringSet(list: string[] | null | undefined): { SS: string[] } | null {
  return Array.isArray(list) ? { SS: [...list] } : null;
}

function toNumber(value: number | null | undefined): { N: number } | null {
  return typeof value === 'number' ? { N: value } : null;
}

function toNumberSet(list: number[] | null | undefined): { NS: number[] } | null {
  return Array.isArray(list) ? { NS: [...list] } : null;
}

function toBinary(value: string | null | undefined): { B: string } | null {
  return typeof value === 'string' ? { B: value } : null;
}

function toBinarySet(list: string[] | null | undefined): { BS: string[] } | null {
  return Array.isArray(list) ? { BS: [...list] } : null;
}

function toBoolean(value: boolean | null | undefined): { BOOL: boolean } | null {
  return typeof value === 'boolean' ? { BOOL: value } : null;
}

function toNull(): { NULL: null } {
  return { NULL: null };
}

function toList(value: unknown): { L: AttributeValue[] } | null {
  return Array.isArray(value) ? (toDynamoDB(value) as { L: AttributeValue[] }) : null;
}

function toMap(value: unknown): { M: Record<string, AttributeValue> } | null {
  return isPlainRecord(value) ? { M: toMapValuesOf(value) } : null;
}

function toMapValues(value: unknown): Record<string, AttributeValue> | null {
  return isPlainRecord(value) ? toMapValuesOf(value) : null;
}

function toS3Object(key: string, bucket: string, region: string, version?: string): { S: string } {
  const s3: Record<string, string> = { key, bucket, region };
  if (version !== undefined) s3.version = version;
  return { S: JSON.stringify({ s3 }) };
}

function fromS3ObjectJson(s3ObjectString: string): Record<string, string> | null {
  try {
    const parsed: unknown = JSON.parse(s3ObjectString);
    return isPlainRecord(parsed) && isPlainRecord(parsed.s3) ? (parsed.s3 as Record<string, string>) : null;
  } catch {
    return null;
  }
}

/** The `util.dynamodb` object handed to resolvers. */
export const dynamodbUtil = {
  toDynamoDB,
  toString,
  toStringSet,
  toNumber,
  toNumberSet,
  toBinary,
  toBinarySet,
  toBoolean,
  toNull,
  toList,
  toMap,
  toMapValues,
  toS3Object,
  fromS3ObjectJson,
};
