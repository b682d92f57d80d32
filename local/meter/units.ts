/**
 * AWS's unit arithmetic, as the pricing and developer guides state it, so the meter counts what AWS
 * bills and the tests can check it at the boundaries. Pure functions: no I/O.
 */

/** DynamoDB writes are metered per 1 KB of item size (read-write-operations.html, "write operations"). */
export const WRITE_UNIT_BYTES = 1024;
/** DynamoDB reads are metered per 4 KB of item size (read-write-operations.html, "read operations"). */
export const READ_UNIT_BYTES = 4096;
/** EventBridge events and Pipes requests are metered per 64 KB chunk of payload. */
export const EVENT_CHUNK_BYTES = 64 * 1024;
/** AppSync real-time updates are metered per 5 KB of message. */
export const REALTIME_CHUNK_BYTES = 5 * 1024;

/** A DynamoDB attribute value in the wire format ({ S: 'x' }, { N: '1' }, { M: {...} }, ...). */
export type WireValue = object;

/**
 * The size of an item as DynamoDB counts it for capacity ("Item sizes and formats"): each attribute's
 * name in UTF-8 bytes plus its value. Strings and binaries count their bytes, numbers about one byte per
 * two significant digits plus one, booleans and nulls one byte, lists and maps three bytes plus one per
 * element plus their elements.
 */
export function itemSize(item: Readonly<Record<string, WireValue>>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) bytes += utf8(name) + valueSize(value);
  return bytes;
}

function valueSize(value: WireValue): number {
  const [type, v] = Object.entries(value as Record<string, unknown>)[0] ?? ['NULL', true];
  switch (type) {
    case 'S':
      return utf8(String(v));
    case 'N':
      return numberSize(String(v));
    case 'B':
      return binarySize(v);
    case 'BOOL':
    case 'NULL':
      return 1;
    case 'SS':
      return (v as string[]).reduce((n, s) => n + utf8(s), 0);
    case 'NS':
      return (v as string[]).reduce((n, s) => n + numberSize(s), 0);
    case 'BS':
      return (v as unknown[]).reduce<number>((n, b) => n + binarySize(b), 0);
    case 'L':
      return 3 + (v as WireValue[]).reduce((n, e) => n + 1 + valueSize(e), 0);
    case 'M':
      return (
        3 +
        Object.entries(v as Record<string, WireValue>).reduce(
          (n, [k, e]) => n + 1 + utf8(k) + valueSize(e),
          0,
        )
      );
    default:
      throw new Error(
        `unknown DynamoDB attribute type ${type}; expected S, N, B, BOOL, NULL, SS, NS, BS, L or M`,
      );
  }
}

/** "Numbers are variable length, with up to 38 significant digits. Leading and trailing zeroes are trimmed." */
function numberSize(n: string): number {
  const digits = n
    .replace(/^[-+]/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

function binarySize(v: unknown): number {
  if (typeof v === 'string') return Buffer.from(v, 'base64').length;
  if (v instanceof Uint8Array) return v.length;
  return 0;
}

function utf8(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Write request units of one standard write of an item of `bytes` (the larger of before and after). */
export function writeUnits(bytes: number, transactional = false): number {
  const units = Math.max(1, Math.ceil(bytes / WRITE_UNIT_BYTES));
  return transactional ? units * 2 : units;
}

/** How a read is made: eventually consistent reads cost half, transactional reads twice. */
export type ReadConsistency = 'eventual' | 'strong' | 'transactional';

/** Read request units of reading `bytes` (one item, or the summed items of a Query or Scan page). */
export function readUnits(bytes: number, consistency: ReadConsistency): number {
  const units = Math.max(1, Math.ceil(bytes / READ_UNIT_BYTES));
  return consistency === 'eventual' ? units / 2 : consistency === 'transactional' ? units * 2 : units;
}

/** How many `chunk`-byte units a payload of `bytes` is billed as (at least one). */
export function chunks(bytes: number, chunk: number): number {
  return Math.max(1, Math.ceil(bytes / chunk));
}

/** The UTF-8 size of a JSON payload as sent. */
export function jsonBytes(payload: unknown): number {
  return Buffer.byteLength(typeof payload === 'string' ? payload : JSON.stringify(payload), 'utf8');
}

/** GB-seconds of one invocation: duration rounded up to the next millisecond, times memory in GB (1 GB = 1024 MB). */
export function gbSeconds(memoryMb: number, durationMs: number): number {
  return (memoryMb / 1024) * (Math.ceil(durationMs) / 1000);
}

/** AppSync connection minutes of one connection, rounded up per minute (at least one). */
export function connectionMinutes(openMs: number): number {
  return Math.max(1, Math.ceil(openMs / 60_000));
}
