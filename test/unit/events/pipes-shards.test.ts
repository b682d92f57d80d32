import { describe, expect, it } from 'vitest';
import { functionArn, localArn } from '../../../local/aws-ids.js';
import {
  InMemoryCheckpointStore,
  LocalPipe,
  SHARD_END,
  type PipeConfig,
  type PipePorts,
  type PipeStreamRecord,
  type RawStreamRecord,
  type StreamShard,
  type StreamsApi,
} from '../../../local/events/pipes/index.js';

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
      const records = s.records.slice(from, from + limit);
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
