import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { functionArn, localArn, queueArn } from '../../../aws-ids.js';
import {
  FileCheckpointStore,
  InMemoryCheckpointStore,
  LocalPipe,
  applyInputTemplate,
  deliverBatch,
  type DeadLetterMessage,
  type DeliveryContext,
  type LambdaInvokeResult,
  type PipeConfig,
  type PipePorts,
  type PipeStreamRecord,
  type PutEventsEntry,
} from '../../../events/pipes/index.js';

const STREAM = localArn('dynamodb', 'table/orders/stream/2026-01-01T00:00:00.000');
const DLQ = queueArn('pipe-dlq');
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

/** A stream record as Pipes hands it on; `ageSeconds` sets how long ago DynamoDB wrote it. */
function record(id: string, seq: number, ageSeconds = 0): PipeStreamRecord {
  return {
    eventID: `ev-${id}`,
    eventName: 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      ApproximateCreationDateTime: (NOW - ageSeconds * 1000) / 1000,
      Keys: { pk: { S: id } },
      NewImage: { pk: { S: id } },
      SequenceNumber: String(seq).padStart(21, '0'),
      SizeBytes: 10,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN: STREAM,
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

/** A delivery context over fake ports; it records invokes, PutEvents entries, queue messages and commits. */
function harness(
  cfg: PipeConfig,
  answers: {
    lambda?: (arn: string, payload: unknown) => LambdaInvokeResult;
    putEvents?: (entries: PutEventsEntry[]) => {
      FailedEntryCount: number;
      Entries: { EventId?: string; ErrorCode?: string }[];
    };
  } = {},
) {
  const invokes: { arn: string; payload: unknown }[] = [];
  const entries: PutEventsEntry[][] = [];
  const queue: { arn: string; body: string }[] = [];
  const commits: string[] = [];
  const ports: PipePorts = {
    matches: () => true,
    async invokeLambdaSync(arn, payload) {
      invokes.push({ arn, payload });
      return answers.lambda?.(arn, payload) ?? { payload: null };
    },
    async putEvents(_bus, batch) {
      entries.push(batch);
      return (
        answers.putEvents?.(batch) ?? { FailedEntryCount: 0, Entries: batch.map(() => ({ EventId: 'id' })) }
      );
    },
    async sendToQueue(arn, body) {
      queue.push({ arn, body });
    },
    checkpoints: new InMemoryCheckpointStore(),
  };
  const ctx: DeliveryContext = {
    config: cfg,
    ports,
    hooks: {},
    shardId: 'shardId-1',
    now: () => NOW,
    sleep: async () => undefined,
    retryDelayMs: () => 0,
    isStopping: () => false,
    commit: async (r) => void commits.push(r.dynamodb.SequenceNumber),
  };
  return { ctx, invokes, entries, queue, commits };
}

const keys = (payload: unknown) => (payload as PipeStreamRecord[]).map((r) => r.dynamodb.Keys.pk!.S);

describe('deliverBatch', () => {
  it('dead-letters records older than MaximumRecordAgeInSeconds without invoking the target', async () => {
    // Prepare
    const h = harness(config({ maximumRecordAgeInSeconds: 60, deadLetterArn: DLQ }));
    const batch = [record('old', 1, 120), record('fresh', 2, 5)];
    // Act
    const done = await deliverBatch(batch, h.ctx);
    // Assess: MaximumRecordAgeInSeconds — "Discard records older than the specified age"; the DLQ gets them.
    expect(done).toBe(true);
    expect(h.invokes.map((i) => keys(i.payload))).toEqual([['fresh']]);
    const message = JSON.parse(h.queue[0]!.body) as DeadLetterMessage;
    expect(message.context.condition).toBe('RecordAgeExceeded');
    expect(message.DDBStreamBatchInfo.startSequenceNumber).toBe(batch[0]!.dynamodb.SequenceNumber);
    expect(h.commits).toEqual([batch[0]!.dynamodb.SequenceNumber, batch[1]!.dynamodb.SequenceNumber]);
  });

  it('retries a failing batch MaximumRetryAttempts times, then sends its position, not its records, to the DLQ', async () => {
    // Prepare
    const h = harness(config({ maximumRetryAttempts: 3, deadLetterArn: DLQ }), {
      lambda: () => ({ functionError: 'Unhandled', payload: { errorMessage: 'boom' } }),
    });
    const batch = [record('a', 1), record('b', 2)];
    // Act
    await deliverBatch(batch, h.ctx);
    // Assess: "Pipes error handling and troubleshooting" — retries up to the retry policy's maximum, then the DLQ.
    expect(h.invokes).toHaveLength(4);
    expect(h.queue).toHaveLength(1);
    const message = JSON.parse(h.queue[0]!.body) as DeadLetterMessage;
    expect(message).toEqual({
      context: { partnerResourceArn: config().arn, condition: 'RetryAttemptsExhausted' },
      version: '1.0',
      timestamp: new Date(NOW).toISOString(),
      DDBStreamBatchInfo: {
        shardId: 'shardId-1',
        startSequenceNumber: batch[0]!.dynamodb.SequenceNumber,
        endSequenceNumber: batch[1]!.dynamodb.SequenceNumber,
        approximateArrivalOfFirstRecord: '2026-01-01T12:00:00Z',
        approximateArrivalOfLastRecord: '2026-01-01T12:00:00Z',
        batchSize: 2,
        streamArn: STREAM,
      },
    });
    expect(h.queue[0]!.body).not.toContain('NewImage');
    expect(h.commits).toEqual([batch[1]!.dynamodb.SequenceNumber]);
  });

  it('halves a failing batch with AUTOMATIC_BISECT until only the poison record fails', async () => {
    // Prepare
    const h = harness(
      config({ maximumRetryAttempts: 0, onPartialBatchItemFailure: 'AUTOMATIC_BISECT', deadLetterArn: DLQ }),
      {
        lambda: (_arn, payload) =>
          keys(payload).includes('poison')
            ? { functionError: 'Unhandled', payload: null }
            : { payload: null },
      },
    );
    const batch = [record('a', 1), record('b', 2), record('poison', 3), record('d', 4)];
    // Act
    await deliverBatch(batch, h.ctx);
    // Assess: OnPartialBatchItemFailure — "halves each batch and retry each half until ... one failed message left".
    expect(h.invokes.map((i) => keys(i.payload))).toEqual([
      ['a', 'b', 'poison', 'd'],
      ['a', 'b'],
      ['poison', 'd'],
      ['poison'],
      ['d'],
    ]);
    const message = JSON.parse(h.queue[0]!.body) as DeadLetterMessage;
    expect(message.DDBStreamBatchInfo).toMatchObject({
      batchSize: 1,
      startSequenceNumber: batch[2]!.dynamodb.SequenceNumber,
    });
    expect(h.commits).toEqual([2, 3, 4].map((i) => batch[i - 1]!.dynamodb.SequenceNumber));
  });

  it('moves past exhausted records without a DLQ when none is configured', async () => {
    // Prepare
    const h = harness(config({ maximumRetryAttempts: 0 }), {
      lambda: () => ({ functionError: 'Unhandled', payload: null }),
    });
    // Act
    const done = await deliverBatch([record('a', 1)], h.ctx);
    // Assess
    expect(done).toBe(true);
    expect(h.invokes).toHaveLength(1);
    expect(h.queue).toEqual([]);
    expect(h.commits).toHaveLength(1);
  });

  it('fails the whole batch when batchItemFailures names an unknown itemIdentifier', async () => {
    // Prepare
    let calls = 0;
    const h = harness(config({ maximumRetryAttempts: 5 }), {
      lambda: () =>
        ++calls === 1 ? { payload: { batchItemFailures: [{ itemIdentifier: 'nope' }] } } : { payload: null },
    });
    // Act
    await deliverBatch([record('a', 1), record('b', 2)], h.ctx);
    // Assess: "Partial batch failure" — itemIdentifier must be an eventID of the batch.
    expect(h.invokes.map((i) => keys(i.payload))).toEqual([
      ['a', 'b'],
      ['a', 'b'],
    ]);
  });

  it('passes the enrichment output array to the target instead of the records', async () => {
    // Prepare
    const enrich = functionArn('enrich');
    const h = harness(config({ enrichment: { functionArn: enrich } }), {
      lambda: (arn, payload) =>
        arn === enrich ? { payload: keys(payload).map((k) => ({ orderId: k })) } : { payload: null },
    });
    // Act
    await deliverBatch([record('a', 1), record('b', 2)], h.ctx);
    // Assess: "Batching and concurrency" — the enrichment receives the batch array and its answer goes to the target.
    expect(h.invokes[0]!.arn).toBe(enrich);
    expect(h.invokes[1]!.payload).toEqual([{ orderId: 'a' }, { orderId: 'b' }]);
  });

  it('fails the batch when the enrichment raises a function error', async () => {
    // Prepare
    const enrich = functionArn('enrich');
    const h = harness(config({ enrichment: { functionArn: enrich }, maximumRetryAttempts: 1 }), {
      lambda: (arn) => (arn === enrich ? { functionError: 'Unhandled', payload: null } : { payload: null }),
    });
    // Act
    await deliverBatch([record('a', 1)], h.ctx);
    // Assess: partial batch failure is not supported for enrichment, so the target is never reached.
    expect(h.invokes.map((i) => i.arn)).toEqual([enrich, enrich]);
  });

  it('applies the enrichment input template to each record', async () => {
    // Prepare
    const enrich = functionArn('enrich');
    const h = harness(
      config({
        enrichment: {
          functionArn: enrich,
          inputTemplate: '{"id": <$.dynamodb.Keys.pk.S>, "note": "pipe <aws.pipes.pipe-name>"}',
        },
      }),
    );
    // Act
    await deliverBatch([record('a', 1), record('b', 2)], h.ctx);
    // Assess: "Input transformation" — transformers apply to each record of a batch separately.
    expect(h.invokes[0]!.payload).toEqual([
      { id: 'a', note: 'pipe orders-pipe' },
      { id: 'b', note: 'pipe orders-pipe' },
    ]);
  });

  it('retries an event bus target from the first entry PutEvents reports as failed', async () => {
    // Prepare
    let calls = 0;
    const h = harness(
      config({
        target: {
          type: 'eventbridge',
          busArn: localArn('events', 'event-bus/b'),
          source: 'orders',
          detailType: 'OrderChanged',
        },
      }),
      {
        putEvents: (batch) =>
          ++calls === 1
            ? {
                FailedEntryCount: 1,
                Entries: batch.map((_, i) => (i === 1 ? { ErrorCode: 'InternalFailure' } : { EventId: 'x' })),
              }
            : { FailedEntryCount: 0, Entries: batch.map(() => ({ EventId: 'y' })) },
      },
    );
    const batch = [record('a', 1), record('b', 2), record('c', 3)];
    // Act
    await deliverBatch(batch, h.ctx);
    // Assess: FailedEntryCount > 0 fails those entries; the ones before them are done.
    expect(
      h.entries.map((b) => b.map((e) => (JSON.parse(e.Detail) as PipeStreamRecord).dynamodb.Keys.pk!.S)),
    ).toEqual([
      ['a', 'b', 'c'],
      ['b', 'c'],
    ]);
    expect(h.entries[0]![0]).toMatchObject({ Source: 'orders', DetailType: 'OrderChanged' });
    expect(h.commits).toEqual([batch[0]!.dynamodb.SequenceNumber, batch[2]!.dynamodb.SequenceNumber]);
  });

  it('does not invoke an event bus target with more than 10 events: the batch fails, and bisects', async () => {
    // Prepare: an enrichment that answers 6 events per record, so two records make 12
    const bus = localArn('events', 'event-bus/b');
    const enrichment = { functionArn: functionArn('enricher') };
    const h = harness(
      config({
        target: { type: 'eventbridge', busArn: bus },
        enrichment,
        maximumRetryAttempts: 0,
        onPartialBatchItemFailure: 'AUTOMATIC_BISECT',
        deadLetterArn: DLQ,
      }),
      {
        lambda: (_arn, payload) => ({
          payload: keys(payload).flatMap((k) => Array.from({ length: 6 }, (_, i) => ({ k, i }))),
        }),
      },
    );
    // Act
    await deliverBatch([record('a', 1), record('b', 2)], h.ctx);
    // Assess: "if the array is larger than the batch size the target supports, the pipe won't invoke the
    // target" (an event bus takes 10): the pair fails without a PutEvents, each half (6 events) goes through
    expect(h.invokes.map((i) => keys(i.payload))).toEqual([['a', 'b'], ['a'], ['b']]);
    expect(h.entries.map((b) => b.length)).toEqual([6, 6]);
    expect(h.queue).toEqual([]);
  });

  it('sends each record as one message to an SQS target', async () => {
    // Prepare
    const target = queueArn('orders');
    const h = harness(config({ target: { type: 'sqs', queueArn: target } }));
    // Act
    await deliverBatch([record('a', 1), record('b', 2)], h.ctx);
    // Assess
    expect(h.queue.map((m) => [m.arn, (JSON.parse(m.body) as PipeStreamRecord).eventID])).toEqual([
      [target, 'ev-a'],
      [target, 'ev-b'],
    ]);
  });

  it('stops retrying without moving the checkpoint when the pipe is stopping', async () => {
    // Prepare
    const h = harness(config(), { lambda: () => ({ functionError: 'Unhandled', payload: null }) });
    let stopping = false;
    const ctx: DeliveryContext = {
      ...h.ctx,
      isStopping: () => stopping,
      sleep: async () => void (stopping = true),
    };
    // Act
    const done = await deliverBatch([record('a', 1)], ctx);
    // Assess: an unprocessed record is delivered again after a restart (at least once).
    expect(done).toBe(false);
    expect(h.commits).toEqual([]);
  });
});

describe('applyInputTemplate', () => {
  it('splices a value as text inside a string and as JSON outside one', () => {
    // Prepare
    const vars = { pipeArn: 'arn:p', pipeName: 'p', ingestionTime: '2026-01-01T00:00:00.000Z' };
    // Act
    const out = applyInputTemplate(
      '{"keys": <$.k>, "label": "key <$.k.id>", "pipe": <aws.pipes.pipe-arn>}',
      { k: { id: 7 } },
      vars,
    );
    // Assess: "Amazon EventBridge Pipes input transformation"
    expect(out).toEqual({ keys: { id: 7 }, label: 'key 7', pipe: 'arn:p' });
  });
});

describe('FileCheckpointStore', () => {
  it('keeps checkpoints across instances in one JSON file', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'pipes-cp-'));
    const path = join(dir, 'nested', 'orders-pipe.json');
    try {
      // Act
      await new FileCheckpointStore(path).put('shard-1', '000000000000000000007');
      const reopened = new FileCheckpointStore(path);
      // Assess
      expect(await reopened.get('shard-1')).toBe('000000000000000000007');
      expect(await reopened.get('shard-2')).toBeUndefined();
      expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ 'shard-1': '000000000000000000007' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('LocalPipe', () => {
  it('rejects a batchSize outside 1..10000', () => {
    // Prepare
    const ports = harness(config()).ctx.ports;
    // Act
    const create = () => new LocalPipe(config({ batchSize: 0 }), ports, { endpoint: 'http://127.0.0.1:1' });
    // Assess: PipeSourceDynamoDBStreamParameters BatchSize — minimum 1, maximum 10000.
    expect(create).toThrow('batchSize must be between 1 and 10000, received 0');
  });

  it('rejects a batchSize above 10 for an event bus target, the most PutEvents takes', () => {
    // Prepare
    const ports = harness(config()).ctx.ports;
    const bus = { type: 'eventbridge' as const, busArn: localArn('events', 'event-bus/orders') };
    // Act
    const create = (batchSize: number) =>
      new LocalPipe(config({ batchSize, target: bus }), ports, { endpoint: 'http://127.0.0.1:1' });
    // Assess: "Batching and concurrency" — an EventBridge event bus target takes batches of at most 10.
    expect(() => create(11)).toThrow('batchSize must be at most 10 for an event bus target, received 11');
    expect(() => create(10)).not.toThrow();
  });

  it('rejects a batching window above 300 seconds', () => {
    // Prepare
    const ports = harness(config()).ctx.ports;
    // Act
    const create = () =>
      new LocalPipe(config({ maximumBatchingWindowInSeconds: 301 }), ports, {
        endpoint: 'http://127.0.0.1:1',
      });
    // Assess: PipeSourceDynamoDBStreamParameters MaximumBatchingWindowInSeconds — maximum 300.
    expect(create).toThrow('received 301');
  });
});
