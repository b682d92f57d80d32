import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION, functionArn, localArn, queueArn } from '../../../aws-ids.js';
import { sharedDynamoDb, tableName, type SharedDynamoDb } from '../../support/dynamodb.js';
import { matchesPattern, type EventPattern } from '../../../events/pattern/index.js';
import {
  FileCheckpointStore,
  InMemoryCheckpointStore,
  LocalPipe,
  StreamsClient,
  type DeadLetterMessage,
  type LambdaInvokeResult,
  type PipeConfig,
  type PipePorts,
  type PipeStreamRecord,
} from '../../../events/pipes/index.js';

const TABLE = tableName('pipes-orders');
const TARGET = functionArn('pipe-target');
const DLQ = queueArn('pipe-dlq');

let engine: SharedDynamoDb;
let ddb: DynamoDBClient;
let streamArn: string;
let shardId: string;
const running: LocalPipe[] = [];

/** A pipe config with the CloudFormation defaults, so each test states only what it is about. */
function pipeConfig(overrides: Partial<PipeConfig> = {}): PipeConfig {
  return {
    name: 'orders-pipe',
    arn: localArn('pipes', 'pipe/orders-pipe'),
    streamArn,
    startingPosition: 'LATEST',
    batchSize: 1,
    maximumBatchingWindowInSeconds: 0,
    filters: [],
    maximumRetryAttempts: -1,
    maximumRecordAgeInSeconds: -1,
    target: { type: 'lambda', functionArn: TARGET },
    ...overrides,
  };
}

/** Plain-function ports that record what the pipe sends; `lambda` decides each invoke's answer. */
function fakePorts(lambda: (payload: PipeStreamRecord[]) => LambdaInvokeResult = () => ({ payload: null })) {
  const invocations: PipeStreamRecord[][] = [];
  const dlq: DeadLetterMessage[] = [];
  const ports: PipePorts = {
    matches: (pattern, record) => matchesPattern(pattern as EventPattern, record),
    async invokeLambdaSync(_arn, payload) {
      invocations.push(payload as PipeStreamRecord[]);
      return lambda(payload as PipeStreamRecord[]);
    },
    async putEvents(_bus, entries) {
      return { FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `e${i}` })) };
    },
    async sendToQueue(arn, body) {
      if (arn === DLQ) dlq.push(JSON.parse(body) as DeadLetterMessage);
    },
    checkpoints: new InMemoryCheckpointStore(),
  };
  return { ports, invocations, dlq };
}

async function startPipe(config: PipeConfig, ports: PipePorts): Promise<LocalPipe> {
  const pipe = new LocalPipe(config, ports, {
    endpoint: engine.endpoint,
    pollIntervalMs: 50,
    retryDelayMs: () => 10,
  });
  running.push(pipe);
  await pipe.start();
  return pipe;
}

async function putOrders(...ids: string[]): Promise<void> {
  for (const id of ids) {
    await ddb.send(
      new PutItemCommand({ TableName: TABLE, Item: { pk: { S: id }, kind: { S: id.split('-')[0]! } } }),
    );
  }
}

const ids = (records: readonly PipeStreamRecord[]) => records.map((r) => r.dynamodb.Keys.pk!.S);

beforeAll(async () => {
  engine = sharedDynamoDb();
  ddb = new DynamoDBClient({
    endpoint: engine.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  await ddb.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
  streamArn = (await ddb.send(new DescribeTableCommand({ TableName: TABLE }))).Table!.LatestStreamArn!;
  const shards = await new StreamsClient({ endpoint: engine.endpoint }).listShards(streamArn);
  shardId = shards[0]!.ShardId;
});

afterEach(async () => {
  for (const pipe of running.splice(0)) await pipe.stop();
});

afterAll(async () => {
  ddb?.destroy();
});

describe('LocalPipe with a DynamoDB stream source', () => {
  it('hands a Lambda target the bare array of stream records in the Pipes record shape', async () => {
    // Prepare
    const { ports, invocations } = fakePorts();
    const pipe = await startPipe(pipeConfig(), ports);
    // Act
    await putOrders('order-bare');
    await pipe.drain();
    // Assess: "Amazon DynamoDB stream as a source for EventBridge Pipes" (example event) — an array, not { Records }.
    expect(invocations).toHaveLength(1);
    const payload = invocations[0]!;
    expect(Array.isArray(payload)).toBe(true);
    expect(payload[0]).toMatchObject({
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      awsRegion: LOCAL_REGION,
      eventSourceARN: streamArn,
      dynamodb: {
        Keys: { pk: { S: 'order-bare' } },
        NewImage: { pk: { S: 'order-bare' }, kind: { S: 'order' } },
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
    expect(typeof payload[0]!.eventID).toBe('string');
    expect(typeof payload[0]!.dynamodb.SequenceNumber).toBe('string');
    expect(typeof payload[0]!.dynamodb.ApproximateCreationDateTime).toBe('number');
  });

  it('delivers every record of a LATEST pipe started on an empty shard after other streams moved the engine on', async () => {
    // Prepare: a table whose shard is empty when the pipe starts. DynamoDB Local numbers stream records
    // and shards with one counter per engine, and answers GetRecords on an iterator below a shard's first
    // record with TrimmedDataAccessException; an iterator taken on an empty shard points at the shard's
    // start, so a shard created or a record written elsewhere before this shard's first record makes that
    // first read fail as trimmed, though nothing was.
    const fresh = tableName('pipes-fresh');
    await ddb.send(
      new CreateTableCommand({
        TableName: fresh,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
    const freshStream = (await ddb.send(new DescribeTableCommand({ TableName: fresh }))).Table!
      .LatestStreamArn!;
    const { ports, invocations } = fakePorts();
    const pipe = await startPipe(pipeConfig({ streamArn: freshStream }), ports);
    await putOrders('order-elsewhere');
    // Act
    for (const id of ['order-fresh-1', 'order-fresh-2'])
      await ddb.send(new PutItemCommand({ TableName: fresh, Item: { pk: { S: id } } }));
    await pipe.drain();
    // Assess
    expect(invocations.flatMap(ids)).toEqual(['order-fresh-1', 'order-fresh-2']);
  });

  it('delivers at most batchSize records per invocation, in stream order', async () => {
    // Prepare
    const { ports, invocations } = fakePorts();
    const pipe = await startPipe(pipeConfig({ batchSize: 3, maximumBatchingWindowInSeconds: 2 }), ports);
    const written = ['order-b1', 'order-b2', 'order-b3', 'order-b4', 'order-b5', 'order-b6', 'order-b7'];
    // Act
    await putOrders(...written);
    await pipe.drain();
    // Assess: "EventBridge Pipes batching and concurrency" — a batch holds at most BatchSize records.
    expect(invocations.map((batch) => batch.length)).toEqual([3, 3, 1]);
    expect(invocations.flatMap(ids)).toEqual(written);
  });

  it('delivers a partial batch once the batching window closes', async () => {
    // Prepare
    const { ports, invocations } = fakePorts();
    const deliveredAt: number[] = [];
    const pipe = await startPipe(pipeConfig({ batchSize: 10, maximumBatchingWindowInSeconds: 1 }), {
      ...ports,
      async invokeLambdaSync(arn, payload) {
        deliveredAt.push(Date.now());
        return ports.invokeLambdaSync(arn, payload);
      },
    });
    // Act
    const writtenAt = Date.now();
    await putOrders('order-w1', 'order-w2');
    await pipe.drain();
    // Assess: MaximumBatchingWindowInSeconds — the pipe waits for more records up to the window, then sends what it has.
    expect(invocations.map(ids)).toEqual([['order-w1', 'order-w2']]);
    expect(deliveredAt[0]! - writtenAt).toBeGreaterThanOrEqual(900);
  });

  it('drops records no filter matches and still moves the checkpoint past them', async () => {
    // Prepare
    const { ports, invocations } = fakePorts();
    const filtered: string[] = [];
    const config = pipeConfig({
      batchSize: 10,
      filters: [{ dynamodb: { NewImage: { kind: { S: ['order'] } } } }],
    });
    const pipe = new LocalPipe(config, ports, {
      endpoint: engine.endpoint,
      pollIntervalMs: 50,
      hooks: { onFiltered: (r) => filtered.push(r.dynamodb.Keys.pk!.S as string) },
    });
    running.push(pipe);
    await pipe.start();
    // Act
    await putOrders('order-f1', 'note-f2', 'order-f3', 'note-f4');
    await pipe.drain();
    // Assess: "Event filtering in Amazon EventBridge Pipes" — non-matching records are not sent on.
    expect(invocations.flatMap(ids)).toEqual(['order-f1', 'order-f3']);
    expect(filtered).toEqual(['note-f2', 'note-f4']);
    const records = await readShard();
    const lastWritten = records.find((r) => r.dynamodb.Keys.pk!.S === 'note-f4')!;
    expect(await ports.checkpoints.get(shardId)).toBe(lastWritten.dynamodb.SequenceNumber);
  });

  it('isolates exactly the poison record with AUTOMATIC_BISECT and delivers the others', async () => {
    // Prepare
    const { ports, invocations, dlq } = fakePorts((batch) =>
      ids(batch).includes('order-poison')
        ? { functionError: 'Unhandled', payload: { errorMessage: 'boom' } }
        : { payload: null },
    );
    const delivered: string[] = [];
    const config = pipeConfig({
      batchSize: 4,
      maximumBatchingWindowInSeconds: 2,
      maximumRetryAttempts: 1,
      onPartialBatchItemFailure: 'AUTOMATIC_BISECT',
      deadLetterArn: DLQ,
    });
    const pipe = new LocalPipe(config, ports, {
      endpoint: engine.endpoint,
      pollIntervalMs: 50,
      retryDelayMs: () => 10,
      hooks: { onDelivered: (records) => delivered.push(...(ids(records) as string[])) },
    });
    running.push(pipe);
    await pipe.start();
    // Act
    await putOrders('order-a', 'order-b', 'order-poison', 'order-d');
    await pipe.drain();
    // Assess: OnPartialBatchItemFailure AUTOMATIC_BISECT — halve and retry until one failed record is left.
    expect(ids(invocations[0]!)).toEqual(['order-a', 'order-b', 'order-poison', 'order-d']);
    expect(delivered).toEqual(['order-a', 'order-b', 'order-d']);
    expect(dlq).toHaveLength(1);
    const poison = (await readShard()).find((r) => r.dynamodb.Keys.pk!.S === 'order-poison')!;
    expect(dlq[0]!.DDBStreamBatchInfo).toMatchObject({
      batchSize: 1,
      startSequenceNumber: poison.dynamodb.SequenceNumber,
      endSequenceNumber: poison.dynamodb.SequenceNumber,
      shardId,
      streamArn,
    });
  });

  it('sends the poison record to the DLQ after MaximumRetryAttempts and lets the records behind it flow', async () => {
    // Prepare
    const { ports, invocations, dlq } = fakePorts((batch) =>
      ids(batch).includes('order-bad')
        ? { functionError: 'Unhandled', payload: { errorMessage: 'boom' } }
        : { payload: null },
    );
    const pipe = await startPipe(pipeConfig({ maximumRetryAttempts: 2, deadLetterArn: DLQ }), ports);
    // Act
    await putOrders('order-r1', 'order-bad', 'order-r3');
    await pipe.drain();
    // Assess: "Pipes error handling" — stream sources retry up to MaximumRetryAttempts, then the DLQ gets the batch info.
    expect(invocations.map((b) => ids(b)[0])).toEqual([
      'order-r1',
      'order-bad',
      'order-bad',
      'order-bad',
      'order-r3',
    ]);
    expect(dlq).toHaveLength(1);
    expect(dlq[0]).toMatchObject({
      context: { partnerResourceArn: pipeConfig().arn, condition: 'RetryAttemptsExhausted' },
      version: '1.0',
      DDBStreamBatchInfo: { batchSize: 1, shardId, streamArn },
    });
    const bad = (await readShard()).find((r) => r.dynamodb.Keys.pk!.S === 'order-bad')!;
    expect(dlq[0]!.DDBStreamBatchInfo.startSequenceNumber).toBe(bad.dynamodb.SequenceNumber);
  });

  it('retries from the first record a Lambda target reports in batchItemFailures', async () => {
    // Prepare
    let calls = 0;
    const { ports, invocations } = fakePorts((batch) => {
      calls++;
      const second = batch.find((r) => r.dynamodb.Keys.pk!.S === 'order-p2');
      return calls === 1 && second
        ? { payload: { batchItemFailures: [{ itemIdentifier: second.eventID }] } }
        : { payload: null };
    });
    const pipe = await startPipe(pipeConfig({ batchSize: 3, maximumBatchingWindowInSeconds: 2 }), ports);
    // Act
    await putOrders('order-p1', 'order-p2', 'order-p3');
    await pipe.drain();
    // Assess: "Partial batch failure" — itemIdentifier is the eventID; only the failed record and those after it are retried.
    expect(invocations.map(ids)).toEqual([
      ['order-p1', 'order-p2', 'order-p3'],
      ['order-p2', 'order-p3'],
    ]);
  });

  it('resumes after the last fully processed record when restarted with a file checkpoint store', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'pipes-checkpoint-'));
    try {
      const first = fakePorts();
      const firstPipe = await startPipe(pipeConfig(), {
        ...first.ports,
        checkpoints: new FileCheckpointStore(join(dir, 'cp.json')),
      });
      await putOrders('order-c1', 'order-c2');
      await firstPipe.drain();
      await firstPipe.stop();
      await putOrders('order-c3', 'order-c4');
      // Act
      const second = fakePorts();
      const secondPipe = await startPipe(pipeConfig(), {
        ...second.ports,
        checkpoints: new FileCheckpointStore(join(dir, 'cp.json')),
      });
      await secondPipe.drain();
      // Assess: every record is delivered exactly once across the restart.
      expect(first.invocations.flatMap(ids)).toEqual(['order-c1', 'order-c2']);
      expect(second.invocations.flatMap(ids)).toEqual(['order-c3', 'order-c4']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('puts one event per record on an event bus target with the Pipes default source and detail-type', async () => {
    // Prepare
    const { ports } = fakePorts();
    const sent: Parameters<PipePorts['putEvents']>[1] = [];
    const busArn = localArn('events', 'event-bus/orders');
    const pipe = await startPipe(
      pipeConfig({
        batchSize: 2,
        maximumBatchingWindowInSeconds: 2,
        target: { type: 'eventbridge', busArn },
      }),
      {
        ...ports,
        async putEvents(bus, entries) {
          sent.push(...entries);
          return ports.putEvents(bus, entries);
        },
      },
    );
    // Act
    await putOrders('order-e1', 'order-e2');
    await pipe.drain();
    // Assess: the event bus target of a DynamoDB pipe sends source "Pipe <name>" and detail-type "Event from aws:dynamodb".
    expect(sent.map((e) => [e.Source, e.DetailType])).toEqual([
      ['Pipe orders-pipe', 'Event from aws:dynamodb'],
      ['Pipe orders-pipe', 'Event from aws:dynamodb'],
    ]);
    expect(sent.map((e) => (JSON.parse(e.Detail) as PipeStreamRecord).dynamodb.Keys.pk!.S)).toEqual([
      'order-e1',
      'order-e2',
    ]);
  });
});

/** Every record in the stream, read straight from DynamoDB Local, to learn sequence numbers. */
async function readShard(): Promise<PipeStreamRecord[]> {
  const client = new StreamsClient({ endpoint: engine.endpoint });
  let iterator = await client.getShardIterator(streamArn, shardId, 'TRIM_HORIZON');
  const all: PipeStreamRecord[] = [];
  while (iterator) {
    const { records, nextShardIterator } = await client.getRecords(iterator, 1000);
    all.push(...(records as unknown as PipeStreamRecord[]));
    if (records.length === 0) break;
    iterator = nextShardIterator;
  }
  return all;
}
