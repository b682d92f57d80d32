import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as pipes from 'aws-cdk-lib/aws-pipes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../aws-ids.js';
import { loadAssembly } from '../../../assembly/index.js';
import { sharedDynamoDb, tableName, type SharedDynamoDb } from '../../support/dynamodb.js';
import { createTables } from '../../../dynamodb/tables.js';

const ORDERS = tableName('crash-orders');
const MARKS = tableName('crash-marks');

// The consumer marks that it started, waits until the test opens the gate, then marks success: the
// window between the bus accepting the event and the consumer succeeding is held open for the kill.
const CONSUMER = `const { DynamoDBClient, GetItemCommand, PutItemCommand } = require('@aws-sdk/client-dynamodb');
const ddb = new DynamoDBClient({});
const mark = (pk, eventId) => ddb.send(new PutItemCommand({ TableName: process.env.MARKS,
  Item: { pk: { S: pk }, eventId: { S: eventId } } }));
exports.handler = async (event) => {
  const orderId = event.detail.dynamodb.NewImage.pk.S;
  await mark('started#' + orderId, event.id);
  for (;;) {
    const gate = await ddb.send(new GetItemCommand({ TableName: process.env.MARKS, Key: { pk: { S: 'gate' } }, ConsistentRead: true }));
    if (gate.Item) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await mark('done#' + orderId, event.id);
};`;

/** Table stream → pipe → bus → rule → async consumer Lambda, the chain whose events must survive a crash. */
function synth(outdir: string): void {
  const app = new App({ outdir });
  const stack = new Stack(app, 'CrashRecovery');
  const orders = new dynamodb.TableV2(stack, 'Orders', {
    tableName: ORDERS,
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    dynamoStream: dynamodb.StreamViewType.NEW_IMAGE,
  });
  new dynamodb.TableV2(stack, 'Marks', {
    tableName: MARKS,
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
  });
  const bus = new events.EventBus(stack, 'Bus', { eventBusName: 'crash-bus' });
  const consumer = new lambda.Function(stack, 'Consumer', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(CONSUMER),
    timeout: Duration.minutes(5),
    environment: { MARKS },
  });
  const role = new iam.Role(stack, 'PipeRole', {
    assumedBy: new iam.ServicePrincipal('pipes.amazonaws.com'),
  });
  new pipes.CfnPipe(stack, 'OrdersPipe', {
    roleArn: role.roleArn,
    source: orders.tableStreamArn!,
    sourceParameters: { dynamoDbStreamParameters: { startingPosition: 'TRIM_HORIZON', batchSize: 1 } },
    target: bus.eventBusArn,
    targetParameters: {
      eventBridgeEventBusParameters: { detailType: 'OrderPlaced', source: 'crash.orders' },
    },
  });
  new events.Rule(stack, 'Placed', {
    eventBus: bus,
    eventPattern: { source: ['crash.orders'] },
    targets: [new targets.LambdaFunction(consumer)],
  });
  app.synth();
}

let root: string;
let engine: SharedDynamoDb;
let ddb: DynamoDBClient;
const children: ChildProcess[] = [];

/** Starts the events process on the shared data dir and resolves once it prints READY. */
function startEventsProcess(): Promise<{ child: ChildProcess; output: string[] }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join('local', 'test', 'integration', 'events', 'support', 'events-process.ts')],
    {
      env: {
        ...process.env,
        CDK_OUT: join(root, 'cdk.out'),
        DYNAMODB_ENDPOINT: engine.endpoint,
        DATA_DIR: join(root, 'data'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  const output: string[] = [];
  return new Promise((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output.push(chunk);
      if (output.join('').includes('READY ')) resolve({ child, output });
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
    child.once('exit', (code) => reject(new Error(`events process exited (${code}): ${output.join('')}`)));
  });
}

const markOf = async (pk: string) =>
  (await ddb.send(new GetItemCommand({ TableName: MARKS, Key: { pk: { S: pk } }, ConsistentRead: true })))
    .Item;

/** Polls until the mark exists; the test's own timeout bounds the wait. */
async function waitForMark(pk: string): Promise<string> {
  for (;;) {
    const item = await markOf(pk);
    if (item?.eventId?.S) return item.eventId.S;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  // cdk.out inside the repository, so the inline handler resolves the SDK from node_modules.
  const cache = join(process.cwd(), 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  root = mkdtempSync(join(cache, 'orderloop-crash-'));
  synth(join(root, 'cdk.out'));
  engine = sharedDynamoDb();
  ddb = new DynamoDBClient({
    endpoint: engine.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  await createTables(loadAssembly(join(root, 'cdk.out')), ddb);
});

afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  ddb?.destroy();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('crash recovery of the event chain', () => {
  it('delivers an event the bus accepted when the process is SIGKILLed before the consumer succeeded', async () => {
    // Prepare: the chain runs until the consumer holds the event
    const first = await startEventsProcess();
    await ddb.send(new PutItemCommand({ TableName: ORDERS, Item: { pk: { S: 'o-1' } } }));
    const acceptedEventId = await waitForMark('started#o-1');
    // Act: kill the process in the window, open the gate, restart on the same data dir
    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    await exited;
    await ddb.send(new PutItemCommand({ TableName: MARKS, Item: { pk: { S: 'gate' } } }));
    await startEventsProcess();
    const deliveredEventId = await waitForMark('done#o-1');
    // Assess: the very event the bus accepted (same EventId) reached the consumer's success
    expect(deliveredEventId).toBe(acceptedEventId);
  }, 60_000);
});
