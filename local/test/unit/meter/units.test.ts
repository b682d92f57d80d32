import { describe, expect, it } from 'vitest';
import {
  chunks,
  connectionMinutes,
  CostMeter,
  diffReadings,
  dollarsOf,
  EVENT_CHUNK_BYTES,
  gbSeconds,
  itemSize,
  PRICES,
  readUnits,
  REALTIME_CHUNK_BYTES,
  writeUnits,
  type Dimension,
  transactionUnits,
  transactionIndexUnits,
  indexWriteUnits,
  meteredFunctionsOf,
  type IndexShape,
} from '../../../meter/index.js';
import type { Assembly } from '../../../assembly/index.js';

/** A one-attribute string item of exactly `bytes` bytes: name `d` (1 byte) plus a value of bytes - 1. */
const itemOf = (bytes: number) => ({ d: { S: 'x'.repeat(bytes - 1) } });

describe('DynamoDB item size ("Item sizes and formats")', () => {
  it('counts attribute names and string values in UTF-8 bytes', () => {
    expect(itemSize({ pk: { S: 'abc' } })).toBe(5);
    expect(itemSize({ ø: { S: '€' } })).toBe(2 + 3);
  });

  it('counts numbers as one byte per two significant digits plus one, zeroes trimmed', () => {
    expect(itemSize({ n: { N: '7' } })).toBe(1 + 2);
    expect(itemSize({ n: { N: '12345' } })).toBe(1 + 4);
    expect(itemSize({ n: { N: '1200.00' } })).toBe(1 + 2);
    expect(itemSize({ n: { N: '-0.05' } })).toBe(1 + 2);
  });

  it('counts booleans and nulls as one byte, binaries by their bytes', () => {
    expect(itemSize({ b: { BOOL: true }, z: { NULL: true } })).toBe(2 + 2);
    expect(itemSize({ b: { B: Buffer.from('hello').toString('base64') } })).toBe(1 + 5);
  });

  it('adds three bytes per list or map and one per element', () => {
    expect(itemSize({ l: { L: [{ S: 'ab' }, { N: '1' }] } })).toBe(1 + 3 + (1 + 2) + (1 + 2));
    expect(itemSize({ m: { M: { k: { S: 'v' } } } })).toBe(1 + 3 + 1 + 1 + 1);
  });

  it('rejects an attribute type DynamoDB does not have', () => {
    expect(() => itemSize({ a: { X: 1 } })).toThrow(/unknown DynamoDB attribute type X/);
  });
});

describe('DynamoDB request units ("read and write operations")', () => {
  it('bills writes per started 1 KB, at least one unit', () => {
    expect([1, 1023, 1024, 1025, 2048, 2049].map((b) => writeUnits(itemSize(itemOf(b))))).toEqual([
      1, 1, 1, 2, 2, 3,
    ]);
  });

  it('bills a transactional write twice the units of a standard one', () => {
    expect(writeUnits(1024, true)).toBe(2);
    expect(writeUnits(3 * 1024, true)).toBe(6); // the pricing page's example: a 3 KB transactional write
  });

  it('bills reads per started 4 KB: half for eventual, one for strong, two for transactional', () => {
    expect(readUnits(4096, 'eventual')).toBe(0.5);
    expect(readUnits(4097, 'eventual')).toBe(1);
    expect(readUnits(4096, 'strong')).toBe(1);
    expect(readUnits(4097, 'strong')).toBe(2);
    expect(readUnits(8 * 1024, 'transactional')).toBe(4); // the pricing page's 8 KB example
    expect(readUnits(0, 'eventual')).toBe(0.5); // a read of a missing item still costs
  });
});

describe('payload chunks and durations', () => {
  it('bills events, pipe requests, SQS and SNS per started 64 KB chunk', () => {
    expect(
      [1, EVENT_CHUNK_BYTES, EVENT_CHUNK_BYTES + 1, 256 * 1024].map((b) => chunks(b, EVENT_CHUNK_BYTES)),
    ).toEqual([1, 1, 2, 4]);
  });

  it('bills AppSync real-time updates per started 5 KB', () => {
    expect([10, 5120, 5121].map((b) => chunks(b, REALTIME_CHUNK_BYTES))).toEqual([1, 1, 2]);
  });

  it('rounds Lambda duration up to the millisecond before multiplying by memory in GB', () => {
    expect(gbSeconds(1024, 1)).toBe(0.001);
    expect(gbSeconds(512, 100.2)).toBeCloseTo(0.0505, 10); // 101 ms × 0.5 GB
    expect(gbSeconds(128, 0.01)).toBeCloseTo(0.000125, 10); // 1 ms × 0.125 GB
  });

  it('rounds a connection up to whole minutes, at least one', () => {
    expect([1, 60_000, 60_001].map(connectionMinutes)).toEqual([1, 1, 2]);
  });
});

describe('the price table', () => {
  it('names the AWS page and the day for every price', () => {
    for (const [dimension, price] of Object.entries(PRICES)) {
      expect(price.source, dimension).toMatch(/^https:\/\/(aws\.amazon\.com|docs\.aws\.amazon\.com)\//);
      expect(price.read, dimension).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(price.dollars, dimension).toBeGreaterThan(0);
    }
  });

  it('prices a million units at the per-million figure', () => {
    expect(dollarsOf('appsync.mutation', 1e6)).toBe(4);
    expect(dollarsOf('dynamodb.writeRequestUnit', 1e6)).toBe(0.625);
    expect(dollarsOf('logs.ingestedByte', 1024 ** 3)).toBe(0.5);
  });
});

describe('CostMeter', () => {
  it('prices a Lambda execution at the function memory and architecture', () => {
    // Prepare
    const meter = new CostMeter(
      new Map([
        ['arm', { memoryMb: 512, architecture: 'arm64' as const }],
        ['x86', { memoryMb: 1024, architecture: 'x86_64' as const }],
      ]),
    );
    // Act
    meter.lambdaExecution('arm', 200);
    meter.lambdaExecution('x86', 0.4);
    // Assess
    const { totals, details } = meter.read();
    expect(totals['lambda.request']).toBe(2);
    expect(totals['lambda.gbSecondArm']).toBeCloseTo(0.1, 10);
    expect(totals['lambda.gbSecondX86']).toBeCloseTo(0.001, 10);
    expect(details['lambda.request arm']).toBe(1);
  });

  it("counts the model tokens the assistant logs, and the line's bytes as log ingestion", () => {
    // Prepare
    const meter = new CostMeter(new Map());
    const answered = JSON.stringify({
      level: 'INFO',
      message: 'assistant answered',
      source: 'model',
      inputTokens: 1200,
      outputTokens: 80,
    });
    const fallback = JSON.stringify({ message: 'assistant answered', inputTokens: 0, outputTokens: 0 });
    // Act
    meter.lambdaLog('assistant', answered);
    meter.lambdaLog('assistant', fallback);
    meter.lambdaLog('assistant', 'REPORT RequestId: 1 Duration: 3 ms "inputTokens" in plain text');
    // Assess
    const { totals } = meter.read();
    expect(totals['bedrock.inputToken']).toBe(1200);
    expect(totals['bedrock.outputToken']).toBe(80);
    expect(dollarsOf('bedrock.inputToken', 1e6)).toBe(PRICES['bedrock.inputToken'].dollars);
    expect(totals['logs.ingestedByte']).toBeGreaterThan(answered.length + fallback.length);
  });

  it("bills the runtime's START/END/REPORT lines only for a function whose log-level filtering sends them", () => {
    // Prepare: one function at the default system level, one in JSON format at system level WARN
    const meter = new CostMeter(
      new Map([
        ['text', { memoryMb: 128, architecture: 'arm64' as const }],
        ['filtered', { memoryMb: 128, architecture: 'arm64' as const, platformLines: false }],
      ]),
    );
    const platform = [
      'START RequestId: r1 Version: $LATEST',
      'END RequestId: r1',
      'REPORT RequestId: r1\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 9 MB',
    ];
    const error = '2026-12-02T00:00:00.000Z\tr1\tERROR\tInvoke Error \t{"errorType":"Error"}';
    // Act
    for (const fn of ['text', 'filtered']) for (const line of [...platform, error]) meter.lambdaLog(fn, line);
    // Assess: the filtered function is billed its error line only
    const { details } = meter.read();
    const bytes = (lines: string[]) => lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    expect(details['logs.ingestedByte text']).toBe(bytes([...platform, error]));
    expect(details['logs.ingestedByte filtered']).toBe(bytes([error]));
  });

  it("reads from each function's LoggingConfig whether Lambda sends its platform lines", () => {
    // Prepare: the JSON format at system level WARN (lambda-defaults.ts), at INFO, and the Text default
    const fn = (physicalName: string, LoggingConfig?: Record<string, string>) => ({
      physicalName,
      properties: { MemorySize: 256, Architectures: ['arm64'], ...(LoggingConfig ? { LoggingConfig } : {}) },
    });
    const functions = [
      fn('warn', { LogFormat: 'JSON', ApplicationLogLevel: 'WARN', SystemLogLevel: 'WARN' }),
      fn('info', { LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'INFO' }),
      fn('text'),
    ];
    const assembly = { resources: () => functions } as unknown as Assembly;
    // Act
    const metered = meteredFunctionsOf(assembly);
    // Assess
    expect([...metered].map(([name, f]) => [name, f.platformLines])).toEqual([
      ['warn', false],
      ['info', true],
      ['text', true],
    ]);
    expect(metered.get('warn')).toMatchObject({ memoryMb: 256, architecture: 'arm64' });
  });

  it('keeps totals equal to the sum of their breakdown, and diffs two readings', () => {
    // Prepare
    const meter = new CostMeter();
    meter.add('appsync.mutation', 1, 'AWS_IAM publishOrderStatus');
    const before = meter.read();
    // Act
    meter.add('appsync.mutation', 2, 'AWS_IAM publishOrderStatus');
    meter.add('appsync.mutation', 1, 'AMAZON_COGNITO_USER_POOLS placeOrder');
    meter.busEvent('bus', { detail: 'x'.repeat(EVENT_CHUNK_BYTES) });
    const after = meter.read();
    const diff = diffReadings(after, before);
    // Assess
    expect(diff.totals['appsync.mutation']).toBe(3);
    expect(diff.totals['eventbridge.event']).toBe(2); // over 64 KB with its envelope: two chunks
    for (const dimension of Object.keys(after.totals) as Dimension[]) {
      const parts = Object.entries(after.details).filter(([k]) => k.split(' ')[0] === dimension);
      expect(parts.reduce((s, [, v]) => s + v, 0)).toBe(after.totals[dimension]); // the invariant
    }
  });
});

describe('transactionUnits', () => {
  const sized = (bytes: number, pk = 'k') => ({ pk: { S: pk }, d: { S: 'x'.repeat(bytes - 3 - pk.length) } });

  it('sizes each action by its own rule, rounded up to 1 KB per item, twice', () => {
    // Prepare
    const input = {
      TransactItems: [
        { Update: { TableName: 'T', Key: { pk: { S: 'u' } } } },
        { Put: { TableName: 'T', Item: sized(1100) } },
        { Delete: { TableName: 'U', Key: { pk: { S: 'd' } } } },
        { ConditionCheck: { TableName: 'U', Key: { pk: { S: 'c' } } } },
      ],
    };
    const before = [sized(2500), sized(3000), sized(1500), undefined];
    const after = [sized(10), sized(1100), undefined, undefined];
    // Act
    const units = transactionUnits(input, { before, after });
    // Assess: T = 3 KB (update) + 3 KB (the put replaces a larger item); U = 2 KB + the 1 KB minimum
    expect(units).toEqual({ T: 6 + 6, U: 4 + 2 });
  });
});

describe('index write units ("Provisioned throughput considerations for global secondary indexes")', () => {
  const keysOnly: IndexShape = { name: 'byG', keys: ['g'], projection: 'KEYS_ONLY' };
  const all: IndexShape = { name: 'byG', keys: ['g'], projection: 'ALL' };
  const item = (g: string | undefined, d = 'x', bytes = 0) => ({
    pk: { S: 'k' },
    ...(g === undefined ? {} : { g: { S: g } }),
    d: { S: d + 'y'.repeat(bytes) },
  });

  it('bills a put for an entry that appears, a delete for one that goes, both for a moved key', () => {
    expect(indexWriteUnits(keysOnly, ['pk'], undefined, item('a'))).toBe(1);
    expect(indexWriteUnits(keysOnly, ['pk'], item('a'), undefined)).toBe(1);
    expect(indexWriteUnits(keysOnly, ['pk'], item('a'), item(undefined))).toBe(1);
    expect(indexWriteUnits(keysOnly, ['pk'], item('a'), item('b'))).toBe(2);
  });

  it('bills nothing for an item outside the index, or a change the index does not project', () => {
    expect(indexWriteUnits(keysOnly, ['pk'], item(undefined), item(undefined, 'z'))).toBe(0);
    expect(indexWriteUnits(keysOnly, ['pk'], item('a', 'x'), item('a', 'z'))).toBe(0);
    expect(indexWriteUnits(all, ['pk'], item('a', 'x'), item('a', 'x'))).toBe(0);
  });

  it('bills one update for a projected change, at the larger entry, and sizes entries by what they project', () => {
    expect(indexWriteUnits(all, ['pk'], item('a', 'x'), item('a', 'z', 1500))).toBe(2);
    expect(indexWriteUnits(keysOnly, ['pk'], undefined, item('a', 'x', 1500))).toBe(1);
    const include: IndexShape = { name: 'byG', keys: ['g'], projection: 'INCLUDE', include: ['d'] };
    expect(indexWriteUnits(include, ['pk'], item('a', 'x'), item('a', 'z'))).toBe(1);
  });

  it('adds up per index over a transaction, once per entry, and leaves condition checks out', () => {
    // Prepare
    const tables = { T: { keys: ['pk'], indexes: [keysOnly, { ...all, name: 'byAll' }] } };
    const input = {
      TransactItems: [
        { Put: { TableName: 'T', Item: item('a') } },
        { Update: { TableName: 'T', Key: { pk: { S: 'k' } } } },
        { ConditionCheck: { TableName: 'T', Key: { pk: { S: 'k' } } } },
        { Delete: { TableName: 'T', Key: { pk: { S: 'k' } } } },
      ],
    };
    const before = [undefined, item('a'), item('a'), item('b')];
    const after = [item('a'), item('c'), item('a'), undefined];
    // Act
    const units = transactionIndexUnits(input, { before, after, tables });
    // Assess: put 1, moved key 2, delete 1, on each index
    expect(units).toEqual({ T: { byG: 4, byAll: 4 } });
  });
});
