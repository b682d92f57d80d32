import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
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
import { loadAssembly, type Assembly } from '../../../assembly/index.js';
import { sharedDynamoDb, tableName, type SharedDynamoDb } from '../../support/dynamodb.js';
import { createTables } from '../../../dynamodb/tables.js';
import { startLocalEvents, type LocalEvents } from '../../../events/index.js';
import { createGateway, type HttpHandler } from '../../../gateway.js';

const STACK = 'EventsRuntime';
const TABLE = tableName('rt-orders');

// Handlers use only the standard SDK and environment variables, as they would in AWS.
const ENRICH = `exports.handler = async (records) => records.map((r) => ({
  orderId: r.dynamodb.NewImage.pk.S, total: Number(r.dynamodb.NewImage.total.N), enriched: true }));`;
const FORWARD = (via: string) => `const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');
const sqs = new SQSClient({});
exports.handler = async (event) => {
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.OUT_URL, MessageBody: JSON.stringify({ via: '${via}', event }) }));
};`;
const FAIL = `exports.handler = async (event) => { console.log('attempt for', event.detail.id); throw new Error('always fails'); };`;

/** The stack under test: table stream → pipe (filter, enrichment) → bus → rules → Lambdas → SQS. */
function synth(outdir: string): void {
  const app = new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true } });
  const stack = new Stack(app, STACK);
  const fn = (id: string, code: string, props: Partial<lambda.FunctionProps> = {}) =>
    new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(code),
      timeout: Duration.seconds(10),
      ...props,
    });
  const table = new dynamodb.TableV2(stack, 'Orders', {
    tableName: TABLE,
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    dynamoStream: dynamodb.StreamViewType.NEW_IMAGE,
  });
  const bus = new events.EventBus(stack, 'Bus', { eventBusName: 'rt-bus' });
  const out = new sqs.Queue(stack, 'Out', { queueName: 'rt-out' });
  const env = { OUT_URL: out.queueUrl };
  const enrich = fn('Enrich', ENRICH);
  const consumer = fn('Consumer', FORWARD('consumer'), {
    environment: env,
    deadLetterQueue: new sqs.Queue(stack, 'ConsumerDlq'),
    retryAttempts: 2,
  });
  const failing = fn('Failing', FAIL, {
    deadLetterQueue: new sqs.Queue(stack, 'FailingDlq', { queueName: 'rt-failing-dlq' }),
    retryAttempts: 1,
  });
  const ticker = fn('Ticker', FORWARD('ticker'), { environment: env });
  const role = new iam.Role(stack, 'PipeRole', {
    assumedBy: new iam.ServicePrincipal('pipes.amazonaws.com'),
  });
  new pipes.CfnPipe(stack, 'OrdersPipe', {
    roleArn: role.roleArn,
    source: table.tableStreamArn!,
    sourceParameters: {
      dynamoDbStreamParameters: { startingPosition: 'LATEST', batchSize: 1 },
      filterCriteria: {
        filters: [
          {
            pattern: JSON.stringify({
              eventName: ['INSERT'],
              dynamodb: { NewImage: { kind: { S: ['order'] } } },
            }),
          },
        ],
      },
    },
    enrichment: enrich.functionArn,
    target: bus.eventBusArn,
    targetParameters: {
      eventBridgeEventBusParameters: { detailType: 'OrderPlaced', source: 'orderloop.orders' },
    },
  });
  new events.Rule(stack, 'Placed', {
    eventBus: bus,
    eventPattern: { source: ['orderloop.orders'], detailType: ['OrderPlaced'] },
    targets: [
      new targets.LambdaFunction(consumer, {
        deadLetterQueue: new sqs.Queue(stack, 'TargetDlq'),
        retryAttempts: 2,
      }),
    ],
  });
  new events.Rule(stack, 'Poison', {
    eventBus: bus,
    eventPattern: { source: ['orderloop.poison'] },
    targets: [new targets.LambdaFunction(failing)],
  });
  new events.Rule(stack, 'Tick', {
    schedule: events.Schedule.rate(Duration.days(1)),
    targets: [new targets.LambdaFunction(ticker)],
  });
  app.synth();
}

interface OutMessage {
  via: string;
  event: { source: string; 'detail-type': string; resources: string[]; detail: Record<string, unknown> };
}

let root: string;
let assembly: Assembly;
let engine: SharedDynamoDb;
let ddb: DynamoDBClient;
let server: Server;
let gatewayUrl: string;
let handle: HttpHandler = async () => false;
let runtime: LocalEvents;
const logs: string[] = [];

async function start(): Promise<LocalEvents> {
  const started = await startLocalEvents({
    assembly,
    dynamodbEndpoint: engine.endpoint,
    gatewayUrl,
    dataDir: join(root, 'data'),
    logger: (line) => logs.push(line),
    timing: {
      lambdaRetryDelaysMs: [20, 20],
      pipePollIntervalMs: 50,
      pipeRetryDelayMs: () => 10,
      eventBridge: { backoff: () => 5 },
    },
  });
  handle = createGateway({ services: started.services, handlers: started.httpHandlers });
  return started;
}

const client = <T>(Client: new (config: object) => T): T =>
  new Client({ endpoint: gatewayUrl, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });

/** Receives and deletes everything in the out queue, through the SDK against the gateway. */
async function drainOut(): Promise<OutMessage[]> {
  const sqsClient = client(SQSClient);
  const { QueueUrl } = await sqsClient.send(new GetQueueUrlCommand({ QueueName: 'rt-out' }));
  const received: OutMessage[] = [];
  for (;;) {
    const { Messages = [] } = await sqsClient.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (Messages.length === 0) return received;
    for (const m of Messages) {
      received.push(JSON.parse(m.Body!) as OutMessage);
      await sqsClient.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
    }
  }
}

async function putOrder(pk: string, kind = 'order', total = 10): Promise<void> {
  await ddb.send(
    new PutItemCommand({
      TableName: TABLE,
      Item: { pk: { S: pk }, kind: { S: kind }, total: { N: String(total) } },
    }),
  );
}

beforeAll(async () => {
  // cdk.out lives inside the repository, as in real use, so handlers resolve the SDK from node_modules.
  const cache = join(process.cwd(), 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  root = mkdtempSync(join(cache, 'orderloop-events-runtime-'));
  synth(join(root, 'cdk.out'));
  assembly = loadAssembly(join(root, 'cdk.out'));
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
  gatewayUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  runtime = await start();
});

afterAll(async () => {
  await runtime?.stop();
  await new Promise((resolve) => server?.close(resolve));
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('startLocalEvents', () => {
  it('carries a table insert through the filtered, enriched pipe and the rule to the consumer, whose SQS message arrives', async () => {
    // Prepare
    await drainOut();
    // Act
    await putOrder('c-1', 'customer');
    await putOrder('o-1', 'order', 42);
    await runtime.idle();
    const received = await drainOut();
    // Assess
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      via: 'consumer',
      event: {
        source: 'orderloop.orders',
        'detail-type': 'OrderPlaced',
        detail: { orderId: 'o-1', total: 42, enriched: true },
      },
    });
    expect(runtime.usage.eventBridgeEvents).toBeGreaterThanOrEqual(1);
    expect(runtime.usage.pipeRequests).toBeGreaterThanOrEqual(1);
  });

  it('fails when a consumer always throws: the event ends in its DLQ after the retries', async () => {
    // Prepare
    const id = `p-${Date.now()}`;
    // Act
    const put = await client(EventBridgeClient).send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'rt-bus',
            Source: 'orderloop.poison',
            DetailType: 'Poison',
            Detail: JSON.stringify({ id }),
          },
        ],
      }),
    );
    await runtime.idle();
    // Assess
    expect(put.FailedEntryCount).toBe(0);
    // "Error handling and automatic retries in asynchronous invocation": MaximumRetryAttempts 1 means
    // two attempts; "Dead-letter queues": the body is the event, the error travels as attributes.
    expect(logs.filter((l) => l.includes(`attempt for ${id}`))).toHaveLength(2);
    const dead = runtime.sqs.listMessages(queueArn('rt-failing-dlq'));
    const mine = dead.filter((m) => (JSON.parse(m.body) as OutMessage['event']).detail.id === id);
    expect(mine).toHaveLength(1);
    expect(mine[0]?.messageAttributes?.ErrorMessage?.StringValue).toBe('always fails');
  });

  it('invokes the target of a scheduled rule when the rule is triggered', async () => {
    // Prepare
    await drainOut();
    const rule = assembly.findByPath(`${STACK}/Tick`)!;
    // Act
    const event = runtime.triggerRule(`${STACK}/Tick`);
    await runtime.idle();
    const received = await drainOut();
    // Assess
    // "Creating a rule that runs on a schedule": source aws.events, detail-type Scheduled Event, the rule ARN in resources.
    expect(received).toEqual([
      {
        via: 'ticker',
        event: expect.objectContaining({
          'detail-type': 'Scheduled Event',
          source: 'aws.events',
          resources: [rule.arn],
        }),
      },
    ]);
    expect(event.resources).toEqual([rule.arn]);
  });

  it('resumes after a stop and a restart on the same data dir, without loss or duplicates', async () => {
    // Prepare
    await drainOut();
    await putOrder('r-1');
    await runtime.idle();
    await runtime.stop();
    await putOrder('r-2');
    await putOrder('r-3');
    // Act
    runtime = await start();
    await runtime.idle();
    const received = await drainOut();
    // Assess
    const ids = received.map((m) => m.event.detail.orderId).sort();
    expect(ids).toEqual(['r-1', 'r-2', 'r-3']);
  });
});
