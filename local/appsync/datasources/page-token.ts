import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { toSdkItem, type SdkItem } from './attribute-values.js';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 1;

/**
 * What AppSync answers for a nextToken it did not issue or that was changed, as recorded from the
 * service (aws-amplify/amplify-cli#3411, aws-amplify/amplify-hosting#433): errorType
 * `DynamoDB:UserIllegalArgumentException` with this message.
 */
export const INVALID_PAGE_TOKEN = {
  type: 'DynamoDB:UserIllegalArgumentException',
  message:
    'com.amazonaws.deepdish.common.pagination.InvalidPaginationTokenException: Invalid pagination token given.',
} as const;

/** A nextToken that was not issued by this stack for this table and index, or was changed. */
export class InvalidPageTokenError extends Error {
  override readonly name = 'InvalidPageTokenError';
  constructor() {
    super(INVALID_PAGE_TOKEN.message);
  }
}

/** Where a token may be spent: a token of one table or index is refused on another. */
export interface PageTokenScope {
  readonly tableName: string;
  readonly index?: string;
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** SDK value to DynamoDB JSON, so a LastEvaluatedKey survives JSON.stringify (binary as base64). */
function toJsonValue(value: AttributeValue): unknown {
  if (value.B !== undefined) return { B: b64(value.B) };
  if (value.BS !== undefined) return { BS: value.BS.map(b64) };
  if (value.L !== undefined) return { L: value.L.map(toJsonValue) };
  if (value.M !== undefined)
    return { M: Object.fromEntries(Object.entries(value.M).map(([k, v]) => [k, toJsonValue(v)])) };
  return value;
}

const aadOf = (scope: PageTokenScope) => Buffer.from(`${scope.tableName}\u0000${scope.index ?? ''}`, 'utf8');

/**
 * Turns a LastEvaluatedKey into an opaque, tamper-evident nextToken and back. AppSync's tokens are
 * encrypted (a recorded one is base64 JSON `{"version":…,"token":"<ciphertext>"}`); ours have the same
 * outer shape with the key sealed by AES-256-GCM under a key of the local stack, the table and index
 * bound as associated data. A client therefore sees neither the partition nor the index keys, and a
 * changed byte fails authentication instead of becoming another ExclusiveStartKey.
 */
export class PageTokenCodec {
  private readonly key: Buffer;

  /** @param key 32 bytes; @default a fresh random key (tokens then die with the process) */
  constructor(key: Uint8Array = randomBytes(KEY_BYTES)) {
    if (key.length !== KEY_BYTES)
      throw new Error(`a page token key has ${KEY_BYTES} bytes, got ${key.length}`);
    this.key = Buffer.from(key);
  }

  /** The nextToken for a LastEvaluatedKey; null on the last page. */
  encode(lastEvaluatedKey: SdkItem | undefined, scope: PageTokenScope): string | null {
    if (!lastEvaluatedKey) return null;
    const plain = Object.fromEntries(Object.entries(lastEvaluatedKey).map(([k, v]) => [k, toJsonValue(v)]));
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(aadOf(scope));
    const sealed = Buffer.concat([cipher.update(JSON.stringify(plain), 'utf8'), cipher.final()]);
    const token = b64(Buffer.concat([iv, sealed, cipher.getAuthTag()]));
    return Buffer.from(JSON.stringify({ version: VERSION, token }), 'utf8').toString('base64');
  }

  /** The ExclusiveStartKey a nextToken stands for; throws InvalidPageTokenError for anything else. */
  decode(token: unknown, scope: PageTokenScope): SdkItem | undefined {
    if (token === undefined || token === null) return undefined;
    if (typeof token !== 'string') throw new InvalidPageTokenError();
    try {
      // Node's base64 decoding skips what it cannot read (a character after the padding, say), so a token
      // is taken only in the exact form it was issued: any other string is a changed token.
      const outerBytes = Buffer.from(token, 'base64');
      if (outerBytes.toString('base64') !== token) throw new InvalidPageTokenError();
      const outer = JSON.parse(outerBytes.toString('utf8')) as unknown;
      if (typeof outer !== 'object' || outer === null) throw new InvalidPageTokenError();
      const { version, token: inner } = outer as { version?: unknown; token?: unknown };
      if (version !== VERSION || typeof inner !== 'string') throw new InvalidPageTokenError();
      const bytes = Buffer.from(inner, 'base64');
      if (bytes.toString('base64') !== inner) throw new InvalidPageTokenError();
      if (bytes.length < IV_BYTES + TAG_BYTES + 1) throw new InvalidPageTokenError();
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, IV_BYTES));
      decipher.setAAD(aadOf(scope));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      const plain = Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return toSdkItem(JSON.parse(plain.toString('utf8')), 'nextToken');
    } catch {
      throw new InvalidPageTokenError();
    }
  }
}

/**
 * The stack's page token key, kept in the data directory (mode 0600) so tokens stay valid across a
 * restart of `npm start`, as the data they point into does. Created on first use.
 */
export function pageTokenKeyAt(path: string): Buffer {
  try {
    const existing = readFileSync(path);
    if (existing.length === KEY_BYTES) return existing;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(path), { recursive: true });
  const key = randomBytes(KEY_BYTES);
  writeFileSync(path, key, { mode: 0o600 });
  return key;
}
