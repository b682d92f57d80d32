import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CfnResource, Duration, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as pipes from 'aws-cdk-lib/aws-pipes';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventBusArn, functionArn, queueArn, topicArn } from '../../../aws-ids.js';
import { loadAssembly, type Assembly, type LoadedResource } from '../../../assembly/index.js';
import {
  eventsConfigFromAssembly,
  INLINE_CODE_FOLDER,
  type EventsConfig,
} from '../../../events/config-from-assembly.js';

const INLINE = 'exports.handler = async (event) => event;';
const ASSET = 'export const handler = async () => "asset";\n';
const PIPE_FILTER = { eventName: ['INSERT'] };

let root: string;
let assembly: Assembly;
let config: EventsConfig;

const at = (path: string): LoadedResource => {
  const found = assembly.findByPath(path);
  if (!found) throw new Error(`no resource at ${path}`);
  return found;
};

/**
 * One stack with every type the mapper reads, and some it must list as not run locally. Without CDK's
 * built-in CloudFormation validation, as in sample-app.ts: the mapper never reads its report.
 */
function synth(outdir: string, assetDir: string) {
  const app = new App({
    outdir,
    context: { 'aws:cdk:enable-path-metadata': true },
    builtinCloudFormationValidation: false,
  });
  const stack = new Stack(app, 'EventsUnit');
  const dlq = new sqs.Queue(stack, 'Dlq', { queueName: 'unit-dlq' });
  const work = new sqs.Queue(stack, 'Work', {
    visibilityTimeout: Duration.seconds(45),
    deadLetterQueue: { queue: dlq, maxReceiveCount: 4 },
  });
  const topic = new sns.Topic(stack, 'Failures', { topicName: 'unit-failures' });
  const consumer = new lambda.Function(stack, 'Consumer', {
    functionName: 'unit-consumer',
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(INLINE),
    timeout: Duration.seconds(10),
    memorySize: 256,
    reservedConcurrentExecutions: 2,
    environment: { QUEUE_URL: work.queueUrl, MODE: 'strict' },
    deadLetterQueue: dlq,
    retryAttempts: 1,
    maxEventAge: Duration.minutes(2),
    onFailure: new destinations.SnsDestination(topic),
  });
  new lambda.Function(stack, 'FromAsset', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(assetDir),
  });
  new lambda.Function(stack, 'Python', {
    runtime: lambda.Runtime.PYTHON_3_12,
    handler: 'index.handler',
    code: lambda.Code.fromInline('def handler(event, context): return event'),
  });
  const bus = new events.EventBus(stack, 'Bus', { eventBusName: 'unit-bus' });
  new events.Rule(stack, 'Placed', {
    eventBus: bus,
    eventPattern: { source: ['orderloop.orders'], detailType: ['OrderPlaced'] },
    targets: [
      new targets.LambdaFunction(consumer, {
        deadLetterQueue: dlq,
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
      }),
      new targets.SqsQueue(work, {
        message: events.RuleTargetInput.fromObject({ id: events.EventField.fromPath('$.detail.id') }),
      }),
    ],
  });
  new events.Rule(stack, 'Nightly', {
    schedule: events.Schedule.rate(Duration.minutes(5)),
    enabled: false,
    targets: [new targets.LambdaFunction(consumer)],
  });
  const table = new dynamodb.TableV2(stack, 'Orders', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    dynamoStream: dynamodb.StreamViewType.NEW_IMAGE,
  });
  const role = new iam.Role(stack, 'PipeRole', {
    assumedBy: new iam.ServicePrincipal('pipes.amazonaws.com'),
  });
  new pipes.CfnPipe(stack, 'StreamPipe', {
    name: 'unit-pipe',
    roleArn: role.roleArn,
    source: table.tableStreamArn!,
    sourceParameters: {
      dynamoDbStreamParameters: {
        startingPosition: 'TRIM_HORIZON',
        batchSize: 5,
        maximumBatchingWindowInSeconds: 2,
        parallelizationFactor: 4,
        maximumRetryAttempts: 3,
        maximumRecordAgeInSeconds: 600,
        onPartialBatchItemFailure: 'AUTOMATIC_BISECT',
        deadLetterConfig: { arn: dlq.queueArn },
      },
      filterCriteria: { filters: [{ pattern: JSON.stringify(PIPE_FILTER) }] },
    },
    enrichment: consumer.functionArn,
    enrichmentParameters: { inputTemplate: '{"id": <$.dynamodb.Keys.pk.S>}' },
    target: bus.eventBusArn,
    targetParameters: {
      eventBridgeEventBusParameters: { detailType: 'OrderPlaced', source: 'orderloop.orders' },
      inputTemplate: '{"order": <$.id>}',
    },
  });
  new pipes.CfnPipe(stack, 'QueuePipe', {
    roleArn: role.roleArn,
    source: work.queueArn,
    target: dlq.queueArn,
  });
  new CfnResource(stack, 'Stream', { type: 'AWS::Kinesis::Stream', properties: { ShardCount: 1 } });
  app.synth();
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'orderloop-events-config-'));
  const assetDir = join(root, 'handler');
  mkdirSync(assetDir);
  writeFileSync(join(assetDir, 'index.mjs'), ASSET);
  synth(join(root, 'cdk.out'), assetDir);
  assembly = loadAssembly(join(root, 'cdk.out'));
  config = eventsConfigFromAssembly(assembly);
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('eventsConfigFromAssembly', () => {
  it('maps a function with its environment, limits, DLQ and EventInvokeConfig', () => {
    // Act
    const fn = config.functions.find((f) => f.name === 'unit-consumer');
    // Assess
    expect(fn).toEqual({
      name: 'unit-consumer',
      arn: functionArn('unit-consumer'),
      handler: 'index.handler',
      codeDir: join(assembly.directory, INLINE_CODE_FOLDER, 'unit-consumer'),
      inlineCode: INLINE,
      environment: { QUEUE_URL: at('EventsUnit/Work').ref, MODE: 'strict' },
      timeoutSeconds: 10,
      memoryMb: 256,
      reservedConcurrency: 2,
      runtime: 'nodejs22.x',
      roleArn: expect.stringMatching(
        /^arn:aws:iam::000000000000:role\/EventsUnit-ConsumerServiceRole/,
      ) as string,
      asyncConfig: {
        maximumRetryAttempts: 1,
        maximumEventAgeInSeconds: 120,
        onFailureArn: topicArn('unit-failures'),
        deadLetterArn: queueArn('unit-dlq'),
      },
    });
  });

  it('points an asset function at its folder in cdk.out, with the CloudFormation defaults', () => {
    // Prepare
    const name = at('EventsUnit/FromAsset').physicalName;
    // Act
    const fn = config.functions.find((f) => f.name === name)!;
    // Assess
    expect(readFileSync(join(fn.codeDir, 'index.mjs'), 'utf8')).toBe(ASSET);
    // AWS::Lambda::Function: Timeout defaults to 3 seconds and MemorySize to 128 MB.
    expect([fn.timeoutSeconds, fn.memoryMb, fn.asyncConfig, fn.inlineCode]).toEqual([
      3,
      128,
      undefined,
      undefined,
    ]);
  });

  it('maps queues with their redrive policy, and topics', () => {
    // Act
    const work = config.queues.find((q) => q.name === at('EventsUnit/Work').physicalName);
    // Assess
    expect(work).toMatchObject({
      visibilityTimeoutSeconds: 45,
      redrivePolicy: { deadLetterTargetArn: queueArn('unit-dlq'), maxReceiveCount: 4 },
    });
    expect(config.topics).toEqual([{ name: 'unit-failures', arn: topicArn('unit-failures') }]);
  });

  it('adds the default bus next to the custom buses', () => {
    // Assess
    // "Event buses in Amazon EventBridge": every account has a default event bus.
    expect(config.buses).toEqual([
      { name: 'unit-bus', arn: eventBusArn('unit-bus') },
      { name: 'default', arn: eventBusArn('default') },
    ]);
  });

  it('maps a pattern rule with its bus and each target input, retry policy and DLQ', () => {
    // Prepare
    const placed = at('EventsUnit/Placed');
    // Act
    const rule = config.rules.find((r) => r.name === placed.physicalName)!;
    // Assess
    expect(rule.busName).toBe('unit-bus');
    expect(rule.arn).toBe(placed.arn);
    expect(rule.state).toBe('ENABLED');
    expect(rule.eventPattern).toEqual({ source: ['orderloop.orders'], 'detail-type': ['OrderPlaced'] });
    const [toLambda, toQueue] = rule.targets;
    expect(toLambda).toMatchObject({
      arn: functionArn('unit-consumer'),
      retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
      deadLetterArn: queueArn('unit-dlq'),
    });
    expect(toQueue?.arn).toBe(at('EventsUnit/Work').arn);
    expect(toQueue?.inputTransformer?.inputPathsMap).toEqual({ 'detail-id': '$.detail.id' });
    expect(JSON.parse(toQueue!.inputTransformer!.inputTemplate.replace('<detail-id>', '"x"'))).toEqual({
      id: 'x',
    });
  });

  it('maps a scheduled rule on the default bus and keeps it disabled', () => {
    // Act
    const rule = config.rules.find((r) => r.name === at('EventsUnit/Nightly').physicalName)!;
    // Assess
    expect(rule).toMatchObject({
      busName: 'default',
      scheduleExpression: 'rate(5 minutes)',
      state: 'DISABLED',
    });
  });

  it('maps a stream pipe with its parameters, parsed filters, enrichment and bus target', () => {
    // Act
    const pipe = config.pipes.find((p) => p.name === 'unit-pipe');
    // Assess
    expect(pipe).toEqual({
      name: 'unit-pipe',
      arn: at('EventsUnit/StreamPipe').arn,
      streamArn: at('EventsUnit/Orders').attributes.StreamArn,
      startingPosition: 'TRIM_HORIZON',
      batchSize: 5,
      maximumBatchingWindowInSeconds: 2,
      parallelizationFactor: 4,
      filters: [PIPE_FILTER],
      maximumRetryAttempts: 3,
      maximumRecordAgeInSeconds: 600,
      onPartialBatchItemFailure: 'AUTOMATIC_BISECT',
      deadLetterArn: queueArn('unit-dlq'),
      enrichment: {
        functionArn: functionArn('unit-consumer'),
        inputTemplate: '{"id": <$.dynamodb.Keys.pk.S>}',
      },
      target: {
        type: 'eventbridge',
        busArn: eventBusArn('unit-bus'),
        detailType: 'OrderPlaced',
        source: 'orderloop.orders',
      },
      targetInputTemplate: '{"order": <$.id>}',
    });
  });

  it('reads the stream ARN that createTables patched in, at mapping time', () => {
    // Prepare
    const table = at('EventsUnit/Orders');
    const real = `${table.arn}/stream/2026-01-01T00:00:00.000`;
    const again = loadAssembly(assembly.directory);
    again.setAttribute(table.stack, table.logicalId, 'StreamArn', real);
    // Act
    const pipe = eventsConfigFromAssembly(again).pipes.find((p) => p.name === 'unit-pipe');
    // Assess
    expect(pipe?.streamArn).toBe(real);
  });

  it('lists what it does not run with a reason, and drops nothing silently', () => {
    // Prepare
    const mappedNames = new Set([
      ...config.functions.map((f) => f.name),
      ...config.queues.map((q) => q.name),
      ...config.topics.map((t) => t.name),
      ...config.buses.map((b) => b.name),
      ...config.rules.map((r) => r.name),
      ...config.pipes.map((p) => p.name),
    ]);
    const ignoredIds = new Set(config.ignored.map((i) => i.logicalId));
    // Act
    const unaccounted = assembly
      .resources()
      .filter((r) => r.type !== 'AWS::Lambda::EventInvokeConfig')
      .filter((r) => !mappedNames.has(r.physicalName) && !ignoredIds.has(r.logicalId));
    // Assess
    expect(unaccounted.map((r) => r.logicalId)).toEqual([]);
    const reasonOf = (path: string) => config.ignored.find((i) => i.logicalId === at(path).logicalId)?.reason;
    expect(reasonOf('EventsUnit/Python')).toMatch(/only Node\.js/);
    expect(reasonOf('EventsUnit/QueuePipe')).toMatch(/only DynamoDB stream sources/);
    expect(reasonOf('EventsUnit/Stream')).toMatch(/AWS::Kinesis::Stream is not supported/);
    expect(reasonOf('EventsUnit/PipeRole')).toMatch(/not enforced locally/);
    expect(config.pipes.map((p) => p.name)).toEqual(['unit-pipe']);
  });
});
