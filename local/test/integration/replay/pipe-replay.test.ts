import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as pipes from 'aws-cdk-lib/aws-pipes';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION, queueArn } from '../../../aws-ids.js';
import { loadAssembly } from '../../../assembly/index.js';
import { sharedDynamoDb, tableName, type SharedDynamoDb } from '../../support/dynamodb.js';
import { createTables } from '../../../dynamodb/tables.js';
import { startLocalEvents, type LocalEvents } from '../../../events/index.js';
import { createGateway, type HttpHandler } from '../../../gateway.js';
import { httpReplayPorts, replayDeadLetters, type ReplayEndpoints } from '../../../replay/index.js';

const ORDERS = tableName('rp-orders');
const MARKS = tableName('rp-marks');
const PIPE_DLQ = 'rp-pipe-dlq';

// The enrichment fails on a poison record until the fix is in (a `fixed` mark), as a bug fix would.
const ENRICH = `const { DynamoDBClient, GetItemCommand } = require('@aws-sdk/client-dynamodb');
const ddb = new DynamoDBClient({});
exports.handler = async (records) => {
  const fixed = await ddb.send(new GetItemCommand({ TableName: process.env.MARKS, Key: { pk: { S: 'fixed' } }, ConsistentRead: true }));
  return records.map((r) => {
    if (r.dynamodb.NewImage.poison && !fixed.Item) throw new Error('cannot enrich ' + r.dynamodb.NewImage.pk.S);
    return { orderId: r.dynamodb.NewImage.pk.S };
  });
};`;
const CONSUMER = `const { DynamoDBClient, PutItemCommand } = require('@aws-sdk/client-dynamodb');
const ddb = new DynamoDBClient({});
exports.handler = async (event) => {
  await ddb.send(new PutItemCommand({ TableName: process.env.MARKS,
    Item: { pk: { S: 'delivered#' + event.detail.orderId }, eventId: { S: event.id } } }));
};`;

function synth(outdir: string): void {
  const app = new App({ outdir });
  const stack = new Stack(app, 'PipeReplay');
  const orders = new dynamodb.TableV2(stack, 'Orders', {
    tableName: ORDERS,
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    dynamoStream: dynamodb.StreamViewType.NEW_IMAGE,
  });
  new dynamodb.TableV2(stack, 'Marks', {
    tableName: MARKS,
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
  });
  const fn = (id: string, code: string) =>
    new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(code),
      timeout: Duration.seconds(10),
      environment: { MARKS },
    });
  const bus = new events.EventBus(stack, 'Bus', { eventBusName: 'rp-bus' });
  const dlq = new sqs.Queue(stack, 'PipeDlq', { queueName: PIPE_DLQ });
  const role = new iam.Role(stack, 'PipeRole', {
    assumedBy: new iam.ServicePrincipal('pipes.amazonaws.com'),
  });
  new pipes.CfnPipe(stack, 'OrdersPipe', {
    name: 'rp-orders-pipe',
    roleArn: role.roleArn,
    source: orders.tableStreamArn!,
    sourceParameters: {
      dynamoDbStreamParameters: {
        startingPosition: 'TRIM_HORIZON',
        batchSize: 1,
        maximumRetryAttempts: 1,
        deadLetterConfig: { arn: dlq.queueArn },
      },
    },
    enrichment: fn('Enrich', ENRICH).functionArn,
    target: bus.eventBusArn,
    targetParameters: { eventBridgeEventBusParameters: { detailType: 'OrderPlaced', source: 'rp.orders' } },
  });
  new events.Rule(stack, 'Placed', {
    eventBus: bus,
    eventPattern: { source: ['rp.orders'] },
    targets: [new targets.LambdaFunction(fn('Consumer', CONSUMER))],
  });
  app.synth();
}

let root: string;
let engine: SharedDynamoDb;
let ddb: DynamoDBClient;
let server: Server;
let runtime: LocalEvents;
let endpoints: ReplayEndpoints;
let handle: HttpHandler = async () => false;

beforeAll(async () => {
  const cache = join(process.cwd(), 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  root = mkdtempSync(join(cache, 'orderloop-pipe-replay-'));
  synth(join(root, 'cdk.out'));
  const assembly = loadAssembly(join(root, 'cdk.out'));
  engine = sharedDynamoDb();
  ddb = new DynamoDBClient({
    endpoint: engine.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  await createTables(assembly, ddb);
  server = createServer((req, res) => {
    void handle(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const gatewayUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  runtime = await startLocalEvents({
    assembly,
    dynamodbEndpoint: engine.endpoint,
    gatewayUrl,
    logger: () => undefined,
    timing: { pipePollIntervalMs: 50, pipeRetryDelayMs: () => 10, eventBridge: { backoff: () => 5 } },
  });
  handle = createGateway({ services: runtime.services, handlers: runtime.httpHandlers });
  // What `npm start` writes to .orderloop/endpoints.json for the replay CLI.
  endpoints = {
    sqs: gatewayUrl,
    lambda: gatewayUrl,
    events: gatewayUrl,
    dynamodb: engine.endpoint,
    pipes: Object.fromEntries(runtime.config.pipes.map((p) => [p.arn, p])),
  };
});

afterAll(async () => {
  await runtime?.stop();
  await new Promise((resolve) => server?.close(resolve));
  ddb?.destroy();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('replay of a pipe dead letter', () => {
  it('re-reads the poison record from the stream and sends it through the enrichment and the target again', async () => {
    // Prepare: a poison record exhausts the pipe's retries and lands in its DLQ
    await ddb.send(
      new PutItemCommand({ TableName: ORDERS, Item: { pk: { S: 'o-poison' }, poison: { BOOL: true } } }),
    );
    await runtime.idle();
    const [letter] = runtime.sqs.listMessages(queueArn(PIPE_DLQ));
    const pipeArn = runtime.config.pipes[0]!.arn;
    const auditFile = join(root, 'replay-audit.jsonl');
    const ports = httpReplayPorts(endpoints, auditFile);
    // Act
    const dry = await replayDeadLetters(PIPE_DLQ, ports, { dryRun: true });
    await ddb.send(new PutItemCommand({ TableName: MARKS, Item: { pk: { S: 'fixed' } } }));
    const real = await replayDeadLetters(PIPE_DLQ, ports);
    await runtime.idle();
    // Assess: the DLQ message is AWS's shape for a stream source ("DDBStreamBatchInfo": where, not what)
    expect(JSON.parse(letter!.body)).toEqual({
      context: { partnerResourceArn: pipeArn, condition: 'RetryAttemptsExhausted' },
      version: '1.0',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      DDBStreamBatchInfo: {
        shardId: expect.any(String),
        startSequenceNumber: expect.any(String),
        endSequenceNumber: expect.any(String),
        approximateArrivalOfFirstRecord: expect.stringMatching(/Z$/),
        approximateArrivalOfLastRecord: expect.stringMatching(/Z$/),
        batchSize: 1,
        streamArn: expect.stringContaining(`table/${ORDERS}/stream/`),
      },
    });
    expect(dry.items).toEqual([expect.objectContaining({ action: 'would-replay', target: pipeArn })]);
    expect(real.items).toEqual([expect.objectContaining({ action: 'replayed', target: pipeArn })]);
    const delivered = await ddb.send(
      new GetItemCommand({
        TableName: MARKS,
        Key: { pk: { S: 'delivered#o-poison' } },
        ConsistentRead: true,
      }),
    );
    expect(delivered.Item).toBeDefined();
    expect(runtime.sqs.listMessages(queueArn(PIPE_DLQ))).toEqual([]);
    const audit = readFileSync(auditFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(audit).toEqual([
      expect.objectContaining({ queue: PIPE_DLQ, target: pipeArn, action: 'replayed' }),
    ]);
  });

  it('fails and keeps the dead letter when the record still fails the enrichment', async () => {
    // Prepare: the fix is taken back and another poison record is dead-lettered
    await ddb.send(new DeleteItemCommand({ TableName: MARKS, Key: { pk: { S: 'fixed' } } }));
    await ddb.send(
      new PutItemCommand({ TableName: ORDERS, Item: { pk: { S: 'o-worse' }, poison: { BOOL: true } } }),
    );
    await runtime.idle();
    const before = runtime.sqs.listMessages(queueArn(PIPE_DLQ));
    const ports = httpReplayPorts(endpoints, join(root, 'replay-audit-2.jsonl'));
    // Act
    const report = await replayDeadLetters(PIPE_DLQ, ports);
    // Assess: the enrichment's error is reported and the dead letter stays for the next attempt
    expect(before).toHaveLength(1);
    expect(report.items).toEqual([
      expect.objectContaining({ action: 'failed', detail: expect.stringContaining('cannot enrich o-worse') }),
    ]);
    expect(runtime.sqs.listMessages(queueArn(PIPE_DLQ)).map((m) => m.body)).toEqual(
      before.map((m) => m.body),
    );
  });
});
