import { createHash } from 'node:crypto';

/** An SQS message attribute value as the JSON protocol carries it (BinaryValue is base64). */
export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string | Uint8Array;
}

/** Hex MD5 of a message body, which the SDK checks against MD5OfBody / MD5OfMessageBody. */
export function md5OfBody(body: string): string {
  return createHash('md5').update(body, 'utf8').digest('hex');
}

function lengthPrefixed(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/**
 * MD5OfMessageAttributes as documented in "Calculating the MD5 message digest for message attributes":
 * names sorted, each name, data type, transport byte (1 string, 2 binary) and value length-prefixed.
 */
export function md5OfMessageAttributes(
  attributes: Record<string, MessageAttributeValue>,
): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const hash = createHash('md5');
  for (const name of names) {
    const value = attributes[name]!;
    hash.update(lengthPrefixed(Buffer.from(name, 'utf8')));
    hash.update(lengthPrefixed(Buffer.from(value.DataType, 'utf8')));
    if (value.BinaryValue !== undefined && value.DataType.startsWith('Binary')) {
      hash.update(Buffer.from([2]));
      const bytes =
        typeof value.BinaryValue === 'string'
          ? Buffer.from(value.BinaryValue, 'base64')
          : Buffer.from(value.BinaryValue);
      hash.update(lengthPrefixed(bytes));
    } else {
      hash.update(Buffer.from([1]));
      hash.update(lengthPrefixed(Buffer.from(value.StringValue ?? '', 'utf8')));
    }
  }
  return hash.digest('hex');
}
