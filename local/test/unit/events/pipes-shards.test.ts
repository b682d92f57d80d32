import { afterEach, describe, expect, it } from 'vitest';
import { functionArn, localArn } from '../../../aws-ids.js';
import {
  InMemoryCheckpointStore,
  laneOf,
  LocalPipe,
  SHARD_END,
  type PipeConfig,
  type PipePorts,
  type PipeStreamRecord,
  type RawStreamRecord,
  type StreamShard,
  type StreamsApi,
} from '../../../events/pipes/index.js';
import { StreamsApiError } from '../../../events/pipes/streams-client.js';

const STREAM = localArn('dynamodb', 'table/orders/stream/2026-01-01T00:00:00.000');

function raw(id: string, seq: number): RawStreamRecord {
  return {
    eventID: `ev-${id}`,
    eventName: 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'ddblocal',
    dynamodb: {
      ApproximateCreationDateTime: Date.now() / 1000,
      Keys: { pk: { S: id } },
      SequenceNumber: String(seq).padStart(21, '0'),
      SizeBytes: 8,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

/**
 * An in-memory stream: each shard has records and is closed or open. Iterators are "shard|index",
 * and a closed shard read to its end returns no next iterator, as DynamoDB Streams does.
 */
function fakeStream(
  shards: { shard: StreamShard; records: RawStreamRecord[]; closed: boolean }[],
  pageSize = Infinity,
): StreamsApi {
  const byId = new Map(shards.map((s) => [s.shard.ShardId, s]));
  return {
    async listShards() {
      return shards.map((s) => s.shard);
    },
    async getShardIterator(_arn, shardId, type, sequenceNumber) {
      const s = byId.get(shardId)!;
      if (type === 'TRIM_HORIZON') return `${shardId}|0`;
      if (type === 'LATEST') return `${shardId}|${s.records.length}`;
      const at = s.records.findIndex((r) => r.dynamodb.SequenceNumber === sequenceNumber);
      return `${shardId}|${type === 'AFTER_SEQUENCE_NUMBER' ? at + 1 : at}`;
    },
    async getRecords(iterator, limit) {
      const [shardId, index] = iterator.split('|') as [string, string];
      const s = byId.get(shardId)!;
      const from = Number(index);
      const records = s.records.slice(from, from + Math.min(limit, pageSize));
      const next = from + records.length;
      return {
        records,
        nextShardIterator: s.closed && next >= s.records.length ? undefined : `${shardId}|${next}`,
      };
    },
  };
}

function config(overrides: Partial<PipeConfig> = {}): PipeConfig {
  return {
    name: 'orders-pipe',
    arn: localArn('pipes', 'pipe/orders-pipe'),
    streamArn: STREAM,
    startingPosition: 'TRIM_HORIZON',
    batchSize: 10,
    maximumBatchingWindowInSeconds: 0,
    filters: [],
    maximumRetryAttempts: -1,
    maximumRecordAgeInSeconds: -1,
    target: { type: 'lambda', functionArn: functionArn('target') },
    ...overrides,
  };
}

function ports(checkpoints = new InMemoryCheckpointStore()) {
  const delivered: string[] = [];
  const p: PipePorts = {
    matches: () => true,
    async invokeLambdaSync(_arn, payload) {
      delivered.push(...(payload as PipeStreamRecord[]).map((r) => r.dynamodb.Keys.pk!.S as string));
      return { payload: null };
    },
    putEvents: async () => ({ FailedEntryCount: 0, Entries: [] }),
    sendToQueue: async () => undefined,
    checkpoints,
  };
  return { ports: p, delivered, checkpoints };
}

// The child is listed first on purpose: order must come from lineage, not from the listing.
const lineage = () =>
  fakeStream([
    {
      shard: { ShardId: 'shard-child', ParentShardId: 'shard-parent' },
      records: [raw('c1', 3)],
      closed: false,
    },
    {
      shard: {
        ShardId: 'shard-parent',
        SequenceNumberRange: { StartingSequenceNumber: '1', EndingSequenceNumber: '2' },
      },
      records: [raw('p1', 1), raw('p2', 2)],
      closed: true,
    },
  ]);

async function runToIdle(cfg: PipeConfig, p: PipePorts, streams: StreamsApi): Promise<void> {
  const pipe = new LocalPipe(cfg, p, { endpoint: 'http://127.0.0.1:1', streams, pollIntervalMs: 5 });
  await pipe.start();
  try {
    await pipe.drain(5_000);
  } finally {
    await pipe.stop();
  }
}

describe('LocalPipe shard lineage', () => {
  it('reads a child shard only after its closed parent is read to the end', async () => {
    // Prepare
    const h = ports();
    // Act
    await runToIdle(config(), h.ports, lineage());
    // Assess: "Amazon DynamoDB stream as a source for EventBridge Pipes" — Pipes keeps the stream's record order.
    expect(h.delivered).toEqual(['p1', 'p2', 'c1']);
    expect(await h.checkpoints.get('shard-parent')).toBe(SHARD_END);
    expect(await h.checkpoints.get('shard-child')).toBe(raw('c1', 3).dynamodb.SequenceNumber);
  });

  it('resumes after the checkpoint and skips shards already read to the end', async () => {
    // Prepare
    const store = new InMemoryCheckpointStore();
    await store.put('shard-parent', SHARD_END);
    await store.put('shard-child', '000000000000000000003');
    const h = ports(store);
    const extended = fakeStream([
      {
        shard: { ShardId: 'shard-child', ParentShardId: 'shard-parent' },
        records: [raw('c1', 3), raw('c2', 4)],
        closed: false,
      },
      {
        shard: { ShardId: 'shard-parent', SequenceNumberRange: { EndingSequenceNumber: '2' } },
        records: [raw('p1', 1), raw('p2', 2)],
        closed: true,
      },
    ]);
    // Act
    await runToIdle(config(), h.ports, extended);
    // Assess
    expect(h.delivered).toEqual(['c2']);
  });

  it('starts at LATEST: skips closed shards and records written before start', async () => {
    // Prepare
    const h = ports();
    // Act
    await runToIdle(config({ startingPosition: 'LATEST' }), h.ports, lineage());
    // Assess: StartingPosition LATEST reads only records added after the pipe starts.
    expect(h.delivered).toEqual([]);
  });
});

/** Resolves once `done` holds, checking after every turn of the event loop; fails after `timeoutMs`. */
async function until(done: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** One open shard holding `records`. */
const openShard = (records: RawStreamRecord[], pageSize?: number) =>
  fakeStream([{ shard: { ShardId: 'shard-1' }, records, closed: false }], pageSize);

/** A target whose invocations wait until `release(id)`; it records batches and the most in flight at once. */
function gatedPorts(held: (id: string) => boolean) {
  const batches: string[][] = [];
  const waiting = new Map<string, () => void>();
  let inFlight = 0;
  let maxInFlight = 0;
  const base = ports();
  const p: PipePorts = {
    ...base.ports,
    async invokeLambdaSync(_arn, payload) {
      const batch = (payload as PipeStreamRecord[]).map((r) => r.dynamodb.Keys.pk!.S as string);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        const first = batch[0]!;
        if (held(first)) await new Promise<void>((resolve) => waiting.set(first, resolve));
        batches.push(batch);
        return { payload: null };
      } finally {
        inFlight--;
      }
    },
  };
  return {
    ports: p,
    batches,
    checkpoints: base.checkpoints,
    waiting,
    inFlight: () => inFlight,
    maxInFlight: () => maxInFlight,
  };
}

/** Item ids whose records land in the given lanes of `lanes`, found by trying names in turn. */
function itemsInLanes(wanted: readonly number[], lanes: number): string[] {
  return wanted.map((lane) => {
    for (let i = 0; ; i++) {
      const id = `item-${lane}-${i}`;
      if (laneOf(raw(id, 1) as unknown as PipeStreamRecord, lanes) === lane) return id;
    }
  });
}

describe('LocalPipe pacing and ParallelizationFactor', () => {
  const started: LocalPipe[] = [];
  const start = async (cfg: PipeConfig, p: PipePorts, streams: StreamsApi) => {
    // A poll interval far beyond any wait here: only a caught-up shard may wait for it.
    const pipe = new LocalPipe(cfg, p, { endpoint: 'http://127.0.0.1:1', streams, pollIntervalMs: 60_000 });
    started.push(pipe);
    await pipe.start();
    return pipe;
  };
  afterEach(async () => {
    for (const pipe of started.splice(0)) await pipe.stop();
  });

  it('reads a shard that returned records again at once, without waiting the poll interval', async () => {
    // Prepare: GetRecords hands out two records per call, as a busy shard does under a page limit.
    const h = ports();
    const records = ['a', 'b', 'c', 'd', 'e', 'f'].map((id, i) => raw(id, i + 1));
    // Act
    await start(config({ batchSize: 10 }), h.ports, openShard(records, 2));
    // Assess: Lambda's stream poller (which Pipes shares) "resumes polling until it receives more records".
    await until(() => h.delivered.length === 6, 'all six records');
    expect(h.delivered).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('reads a shard again when a batch ends, not while every lane is delivering', async () => {
    // Prepare: a shard with a backlog, read one record per GetRecords (a page limit), counting the reads,
    // and a target that holds each batch until released.
    const stream = openShard([raw('a', 1), raw('b', 2), raw('c', 3)], 1);
    let reads = 0;
    const counted: StreamsApi = {
      ...stream,
      getRecords: (iterator, limit) => (reads++, stream.getRecords(iterator, limit)),
    };
    const h = gatedPorts(() => true);
    // Act: the first batch goes; then the promise chain of any further poll is let run out.
    await start(config({ batchSize: 10 }), h.ports, counted);
    await until(() => h.waiting.has('a'), 'the first batch in flight');
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    // Assess: while the only lane delivered, records read could only have waited in it.
    expect(reads).toBe(1);
    // Act: release each batch in turn.
    for (const id of ['a', 'b', 'c']) {
      await until(() => h.waiting.has(id), `batch ${id}`);
      h.waiting.get(id)!();
    }
    // Assess: the shard was read again when each batch ended, and every record went, in order.
    await until(() => h.batches.flat().length === 3, 'every record');
    expect(h.batches.flat()).toEqual(['a', 'b', 'c']);
  });

  it('sends a batch as soon as it holds BatchSize matching records, before the batching window closes', async () => {
    // Prepare: a filtered record between the matches, and a window far beyond the test.
    const h = gatedPorts(() => false);
    const matches: PipePorts['matches'] = (_pattern, record) =>
      !String((record as PipeStreamRecord).dynamodb.Keys.pk!.S).startsWith('skip');
    const records = [raw('a', 1), raw('skip-b', 2), raw('c', 3), raw('d', 4)];
    const cfg = config({ batchSize: 2, maximumBatchingWindowInSeconds: 300, filters: [{ any: ['x'] }] });
    // Act
    await start(cfg, { ...h.ports, matches }, openShard(records));
    // Assess: MaximumBatchingWindowInSeconds bounds how long a partial batch waits; a full one goes now.
    await until(() => h.batches.length === 1, 'the full batch');
    // Only d is left, a partial batch, and it waits for the window.
    expect(h.batches).toEqual([['a', 'c']]);
  });

  it('delivers up to ParallelizationFactor batches of one shard at once, never more', async () => {
    // Prepare: every first invocation waits until another one runs beside it.
    const ids = itemsInLanes([0, 1, 2, 0, 1, 2], 3);
    const h = gatedPorts(() => true);
    const records = ids.map((id, i) => raw(id, i + 1));
    // Act
    await start(config({ batchSize: 1, parallelizationFactor: 3 }), h.ports, openShard(records));
    await until(() => h.inFlight() === 3, 'three batches in flight');
    while (h.batches.length < ids.length) {
      await until(() => h.waiting.size > 0 || h.batches.length === ids.length, 'the next batch');
      for (const [id, release] of h.waiting) {
        h.waiting.delete(id);
        release();
      }
    }
    // Assess: "Batching and concurrency" — ParallelizationFactor batches per shard run concurrently.
    expect(h.maxInFlight()).toBe(3);
  });

  it('keeps one item in order across lanes and checkpoints only past records whose predecessors are done', async () => {
    // Prepare: item X's first record is held; item Y sits in another lane.
    const [x, y] = itemsInLanes([0, 1], 2) as [string, string];
    const records = [raw(x, 1), raw(y, 2), raw(x, 3)];
    records[2] = { ...records[2]!, eventID: 'ev-x-second' };
    let holdX = true;
    const h = gatedPorts((id) => id === x && holdX);
    const pipe = await start(config({ batchSize: 1, parallelizationFactor: 2 }), h.ports, openShard(records));
    // Act
    await until(() => h.batches.length === 1 && h.waiting.has(x), 'Y delivered while X is held');
    // Assess: Y went past the held X, the second X record waits behind the first, and the checkpoint has not
    // moved past X (the first record), so a restart would deliver X again.
    expect(h.batches).toEqual([[y]]);
    expect(await h.checkpoints.get('shard-1')).toBeUndefined();
    holdX = false;
    h.waiting.get(x)!();
    await pipe.drain(5_000);
    expect(h.batches).toEqual([[y], [x], [x]]);
    expect(await h.checkpoints.get('shard-1')).toBe(records[2]!.dynamodb.SequenceNumber);
  });

  it('rejects a ParallelizationFactor outside 1..10', () => {
    // Act / Assess: PipeSourceDynamoDBStreamParameters, ParallelizationFactor: minimum 1, maximum 10.
    expect(
      () => new LocalPipe(config({ parallelizationFactor: 11 }), ports().ports, { endpoint: 'http://x' }),
    ).toThrow('parallelizationFactor must be between 1 and 10, received 11');
  });
});

describe('LocalPipe on a trimmed iterator', () => {
  it('reopens the shard from its oldest record left when GetRecords says the iterator reads past the trim', async () => {
    // Prepare: the first GetRecords on an iterator from before a trim fails as DynamoDB Streams documents
    // (TrimmedDataAccessException); a new iterator at the oldest record left reads on
    const h = ports();
    const stream = fakeStream([
      { shard: { ShardId: 'shard-1' }, records: [raw('a', 1), raw('b', 2)], closed: false },
    ]);
    // The first iterator handed out predates a trim: every read on it fails, as it would in DynamoDB.
    let issued = 0;
    let trimmed = false;
    const streams: StreamsApi = {
      ...stream,
      async getShardIterator(arn, shardId, type, sequenceNumber) {
        const iterator = await stream.getShardIterator(arn, shardId, type, sequenceNumber);
        return issued++ === 0 ? `stale:${iterator}` : iterator;
      },
      async getRecords(iterator, limit) {
        if (iterator.startsWith('stale:')) {
          trimmed = true;
          throw new StreamsApiError(
            'TrimmedDataAccessException',
            'The operation attempted to read past the oldest stream record in a shard.',
            400,
          );
        }
        return stream.getRecords(iterator, limit);
      },
    };
    // Act
    await runToIdle(config(), h.ports, streams);
    // Assess: the pipe caught up and delivered what the shard still holds
    expect(trimmed).toBe(true);
    expect(h.delivered).toEqual(['a', 'b']);
  });

  it('reopens a LATEST pipe at the oldest record left, not at LATEST again, so the records after its start survive a trim', async () => {
    // Prepare: the shard is empty when the pipe takes its LATEST iterator; records arrive, and the first
    // GetRecords on that iterator fails as trimmed (DynamoDB Local does so when another table's stream
    // advanced its engine-wide sequence numbers before this shard's first record)
    const h = ports();
    const records: RawStreamRecord[] = [];
    const stream = fakeStream([{ shard: { ShardId: 'shard-1' }, records, closed: false }]);
    let issued = 0;
    const streams: StreamsApi = {
      ...stream,
      async getShardIterator(arn, shardId, type, sequenceNumber) {
        const iterator = await stream.getShardIterator(arn, shardId, type, sequenceNumber);
        if (issued++ > 0) return iterator;
        records.push(raw('a', 7), raw('b', 8));
        return `stale:${iterator}`;
      },
      async getRecords(iterator, limit) {
        if (iterator.startsWith('stale:')) {
          throw new StreamsApiError(
            'TrimmedDataAccessException',
            'The operation attempted to read past the oldest stream record in a shard.',
            400,
          );
        }
        return stream.getRecords(iterator, limit);
      },
    };
    // Act
    await runToIdle(config({ startingPosition: 'LATEST' }), h.ports, streams);
    // Assess
    expect(h.delivered).toEqual(['a', 'b']);
  });
});
