/**
 * The events half of the local runtime, composed from the cloud assembly: Lambda host, SQS, SNS, EventBridge
 * and Pipes, wired to each other through their ports the way AWS wires the deployed resources.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_CREDENTIALS, LOCAL_REGION, parseArn } from '../aws-ids.js';
import { AwsServiceError, type AwsJsonService } from '../aws-json.js';
import type { Assembly } from '../assembly/index.js';
import type { HttpHandler } from '../gateway.js';
import { createLambdaInvokeHandler, LambdaHost, type LambdaHostOptions } from '../lambda/index.js';
import type { FunctionLogEntry } from '../lambda/types.js';
import { SnsService } from '../sns/index.js';
import { createSqsQueryHandler, SqsService, type MessageAttributeValue } from '../sqs/index.js';
import { eventsConfigFromAssembly, type EventsConfig, type LocalPipeConfig } from './config-from-assembly.js';
import {
  EventBridgeService,
  TargetDeliveryError,
  type EventBridgeEvent,
  type RetryTiming,
  type TargetPorts,
} from './eventbridge/index.js';
import { matchesPattern, type EventPattern } from './pattern/index.js';
import {
  withTargetTemplate,
  FileCheckpointStore,
  InMemoryCheckpointStore,
  LocalPipe,
  type PipeHooks,
  type PipePorts,
  type StreamsClientOptions,
} from './pipes/index.js';

/** Waits and intervals, short in tests and AWS-like by default. */
export interface LocalEventsTiming {
  /** Lambda async retry delays. @default [60000, 120000] as Lambda */
  readonly lambdaRetryDelaysMs?: readonly number[];
  /** EventBridge target retry back-off. @default millisecond-scale back-off */
  readonly eventBridge?: RetryTiming;
  /** @default 200 */
  readonly pipePollIntervalMs?: number;
  /** Pipe retry back-off before attempt n. @default 100 ms doubling, capped at 5 s */
  readonly pipeRetryDelayMs?: (attempt: number) => number;
}

/** The pricing dimensions a later billing estimate needs, counted since start. */
export interface UsageCounters {
  /** Events accepted by a bus (PutEvents entries, pipe and scheduled events included). */
  eventBridgeEvents: number;
  /** Pipe requests: records past the filters, in 64 KB chunks. */
  pipeRequests: number;
  /** Invocations handed to the Lambda host (async retries inside the host are not seen). */
  lambdaInvocations: number;
  /** Wall-clock duration of synchronous invocations. */
  lambdaDurationMs: number;
  /** SQS API requests over HTTP plus in-process sends. */
  sqsRequests: number;
  /** GetRecords calls of the pipes' stream pollers: what polling costs DynamoDB Local (not billed to a pipe). */
  streamReads: number;
  /** Batches the pipes delivered, and the records in them: a lane that falls behind fills its batches. */
  pipeBatches: number;
  pipeRecords: number;
}

/** One increment of a usage counter. */
export interface UsageActivity {
  readonly dimension: keyof UsageCounters;
  readonly amount: number;
}

/** Options of {@link startLocalEvents}. */
export interface LocalEventsOptions {
  /** The loaded assembly; call createTables first so pipes see DynamoDB Local's stream ARNs. */
  readonly assembly: Assembly;
  readonly dynamodbEndpoint: string;
  /** The URL of the HTTP gateway that serves SQS, EventBridge, SNS and Lambda Invoke. */
  readonly gatewayUrl: string;
  /** Persists SQS queues and pipe checkpoints here; unset keeps everything in memory. */
  readonly dataDir?: string;
  /** Extra variables for every function; they win over the endpoint variables. */
  readonly lambdaEnv?: Readonly<Record<string, string>>;
  /** @default a line on stdout */
  readonly logger?: (line: string) => void;
  /** Receives each function's own output; set, it no longer reaches `logger`. @default it goes to `logger` */
  readonly onFunctionLog?: (entry: FunctionLogEntry) => void;
  readonly timing?: LocalEventsTiming;
  /** Sees every usage increment, for live billing estimates. */
  readonly onActivity?: (activity: UsageActivity) => void;
  /** Billing hooks of the Lambda host (every execution, every log line). @default none */
  readonly lambdaHooks?: Pick<
    LambdaHostOptions,
    'onExecution' | 'onLog' | 'onDynamoDbCall' | 'readTransactionItems'
  >;
  /** Where and how the pipes, in this process, read DynamoDB streams. @default `dynamodbEndpoint` */
  readonly pipeStreams?: Pick<StreamsClientOptions, 'endpoint' | 'onAnswer'>;
}

/** The running events half. */
export interface LocalEvents {
  /** AWS JSON services for the gateway's router: SQS and EventBridge. */
  readonly services: readonly AwsJsonService[];
  /** Other protocols: SQS and SNS (query) and Lambda (REST). */
  readonly httpHandlers: readonly HttpHandler[];
  readonly config: EventsConfig;
  readonly lambdaHost: LambdaHost;
  readonly sqs: SqsService;
  readonly sns: SnsService;
  readonly eventBridge: EventBridgeService;
  readonly pipes: readonly LocalPipe[];
  /** Live counters per pricing dimension. */
  readonly usage: Readonly<UsageCounters>;
  /** Fires a scheduled rule now (by rule name or construct path); returns the event its targets get. */
  triggerRule(name: string): EventBridgeEvent;
  /**
   * Restarts what a previous process on the same data dir accepted and did not finish: bus deliveries
   * and queued async Lambda invocations. Call once the services the functions call are reachable.
   */
  recover(): { readonly busDeliveries: number; readonly asyncInvocations: number };
  /** Resolves when pipes are drained, Lambda async queues are idle and EventBridge deliveries are done. */
  idle(): Promise<void>;
  /** Stops schedules, pipes and functions, and flushes SQS to disk. */
  stop(): Promise<void>;
}

const PIPE_CHUNK_BYTES = 64 * 1024;
const MAX_IDLE_ROUNDS = 50;

/** Starts every function, queue, topic, bus, rule, schedule and pipe of the assembly. */
export async function startLocalEvents(options: LocalEventsOptions): Promise<LocalEvents> {
  const { assembly, dynamodbEndpoint, gatewayUrl, dataDir, timing = {} } = options;
  const log = options.logger ?? ((line: string) => process.stdout.write(`${line}\n`));
  // Queue URLs in function environments must point at the gateway: the SQS SDK sends to the URL's host.
  assembly.setEndpoints({ ...assembly.endpoints, awsEndpoint: gatewayUrl, dynamodbEndpoint });
  const config = eventsConfigFromAssembly(assembly);
  for (const item of config.ignored)
    if (!item.reason.startsWith('served by') && !item.reason.startsWith('created on'))
      log(`[events] not run locally: ${item.stack}/${item.logicalId} (${item.type}): ${item.reason}`);

  const usage: UsageCounters = {
    eventBridgeEvents: 0,
    pipeRequests: 0,
    lambdaInvocations: 0,
    lambdaDurationMs: 0,
    sqsRequests: 0,
    streamReads: 0,
    pipeBatches: 0,
    pipeRecords: 0,
  };
  let ticks = 0;
  const count = (dimension: keyof UsageCounters, amount = 1) => {
    usage[dimension] += amount;
    ticks++;
    options.onActivity?.({ dimension, amount });
  };

  const sqs = new SqsService({
    queues: config.queues,
    ...(dataDir ? { dataDir: join(dataDir, 'sqs') } : {}),
  });
  const sns = new SnsService(config.topics);
  const sendToQueue = async (
    arn: string,
    body: string,
    attributes?: Record<string, MessageAttributeValue>,
  ) => {
    count('sqsRequests');
    await sqs.sendByArn(arn, body, attributes ?? {});
  };

  // EventBridge and the Lambda host need each other (targets, destinations), so the bus is bound late.
  const putOnBus = (busArn: string, entries: Record<string, unknown>[]) =>
    bus.putEvents(entries.map((e) => ({ ...e, EventBusName: busArn })));

  for (const fn of config.functions) {
    if (fn.inlineCode === undefined) continue;
    // CloudFormation saves Node.js ZipFile code as index.js (AWS::Lambda::Function Code, ZipFile).
    mkdirSync(fn.codeDir, { recursive: true });
    writeFileSync(join(fn.codeDir, 'index.js'), fn.inlineCode);
  }
  const lambdaHost = new LambdaHost({
    functions: config.functions,
    sendToQueue: (arn, body, attributes) => sendToQueue(arn, body, attributes),
    sendToDestination: async (arn, body) => {
      const service = parseArn(arn).service;
      if (service === 'sns') {
        sns.publish(arn, body);
        return;
      }
      if (service === 'events') {
        // "Adding a destination": EventBridge destinations receive source lambda and this detail type.
        const result = putOnBus(arn, [
          { Source: 'lambda', DetailType: 'Lambda Function Invocation Result - Failure', Detail: body },
        ]);
        if (result.FailedEntryCount > 0) throw new Error(JSON.stringify(result.Entries));
        return;
      }
      throw new Error(`no local delivery for destination ${arn}`);
    },
    extraEnv: {
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      // "Service-specific endpoints" of the AWS SDKs: clients in handlers reach local services unchanged.
      AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
      AWS_ENDPOINT_URL_SQS: gatewayUrl,
      AWS_ENDPOINT_URL_EVENTBRIDGE: gatewayUrl,
      AWS_ENDPOINT_URL_SNS: gatewayUrl,
      AWS_ENDPOINT_URL_LAMBDA: gatewayUrl,
      ...options.lambdaEnv,
    },
    // The host prefixes its own messages with [lambda-host]; with a function log sink only those remain.
    writeLine: options.onFunctionLog ? (line) => line.includes('] [lambda-host] ') && log(line) : log,
    // Function lines go to the log sink and to the billing hook, whichever are set.
    onLog: (entry) => (options.onFunctionLog?.(entry), options.lambdaHooks?.onLog?.(entry)),
    ...(options.lambdaHooks?.onExecution ? { onExecution: options.lambdaHooks.onExecution } : {}),
    ...(options.lambdaHooks?.onDynamoDbCall ? { onDynamoDbCall: options.lambdaHooks.onDynamoDbCall } : {}),
    ...(options.lambdaHooks?.readTransactionItems
      ? { readTransactionItems: options.lambdaHooks.readTransactionItems }
      : {}),
    ...(timing.lambdaRetryDelaysMs ? { retryDelaysMs: timing.lambdaRetryDelaysMs } : {}),
    ...(dataDir ? { asyncQueuePath: join(dataDir, 'lambda', 'async-queue.jsonl') } : {}),
  });
  const invokeSync = async (arn: string, payload: unknown) => {
    count('lambdaInvocations');
    const started = Date.now();
    try {
      return await lambdaHost.invokeSync(arn, payload);
    } finally {
      count('lambdaDurationMs', Date.now() - started);
    }
  };
  const invokeAsync = (arn: string, payload: unknown) => {
    count('lambdaInvocations');
    return lambdaHost.invokeAsync(arn, payload);
  };
  // The Invoke endpoint takes a LambdaHost; a proxy lets its invocations reach the counters too.
  const countedHost = new Proxy(lambdaHost, {
    get(target, key) {
      if (key === 'invokeSync') return invokeSync;
      if (key === 'invokeAsync') return invokeAsync;
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });

  const targetPorts: TargetPorts = {
    async invokeLambdaAsync(functionArn, payload) {
      try {
        await invokeAsync(functionArn, parseJson(payload));
      } catch (error) {
        if (error instanceof AwsServiceError && error.code === 'ResourceNotFoundException')
          throw new TargetDeliveryError('RESOURCE_NOT_FOUND', error.message, false);
        throw error;
      }
    },
    sendToQueue: (arn, body, attributes) =>
      sendToQueue(arn, body, attributes ? { ...attributes } : undefined),
    async putEvents(busArn, text) {
      const event = JSON.parse(text) as EventBridgeEvent;
      const result = putOnBus(busArn, [
        {
          Source: event.source,
          DetailType: event['detail-type'],
          Detail: JSON.stringify(event.detail),
          Resources: [...event.resources],
        },
      ]);
      if (result.FailedEntryCount > 0) throw new Error(JSON.stringify(result.Entries));
    },
  };
  const bus = new EventBridgeService({
    buses: config.buses,
    rules: config.rules,
    ports: targetPorts,
    ...(timing.eventBridge ? { timing: timing.eventBridge } : {}),
    ...(dataDir ? { journalPath: join(dataDir, 'events', 'bus-deliveries.jsonl') } : {}),
  });
  bus.onEvent((activity) => {
    if (activity.type === 'accepted') count('eventBridgeEvents');
    else ticks++;
  });

  const pipes = config.pipes.map(
    (pipeConfig) =>
      new LocalPipe(pipeConfig, pipePorts(pipeConfig), {
        endpoint: options.pipeStreams?.endpoint ?? dynamodbEndpoint,
        // Counted without a tick: polls go on while nothing happens, and idle() waits for a round without ticks.
        onAnswer: (operation, answer) => {
          if (operation === 'GetRecords') usage.streamReads++;
          options.pipeStreams?.onAnswer?.(operation, answer);
        },
        ...(timing.pipePollIntervalMs !== undefined ? { pollIntervalMs: timing.pipePollIntervalMs } : {}),
        ...(timing.pipeRetryDelayMs ? { retryDelayMs: timing.pipeRetryDelayMs } : {}),
        hooks: pipeHooks(pipeConfig),
      }),
  );

  function pipePorts(pipe: LocalPipeConfig): PipePorts {
    return {
      matches: (pattern, record) => matchesPattern(pattern as EventPattern, record),
      ...withTargetTemplate(pipe, {
        invokeLambdaSync: (arn, payload) => invokeSync(arn, payload),
        putEvents: async (busArn, entries) =>
          putOnBus(
            busArn,
            entries.map((e) => ({ ...e })),
          ),
        sendToQueue: (arn, body) => sendToQueue(arn, body),
      }),
      checkpoints: dataDir
        ? new FileCheckpointStore(join(dataDir, 'pipes', `${pipe.name}.checkpoints.json`))
        : new InMemoryCheckpointStore(),
    };
  }

  function pipeHooks(pipe: LocalPipeConfig): PipeHooks {
    return {
      onDelivered(records) {
        log(`[pipe ${pipe.name}] ${records.length} stream record(s) delivered`);
        usage.pipeBatches++;
        usage.pipeRecords += records.length;
        const bytes = records.reduce((sum, r) => sum + JSON.stringify(r).length, 0);
        count('pipeRequests', Math.max(1, Math.ceil(bytes / PIPE_CHUNK_BYTES)));
      },
      onFailed(records, error, attempt) {
        ticks++;
        log(`[pipe ${pipe.name}] ${records.length} record(s) failed (attempt ${attempt}): ${error}`);
      },
      onFiltered() {
        ticks++;
      },
      onDeadLettered(records, condition) {
        ticks++;
        log(`[pipe ${pipe.name}] gave up on ${records.length} record(s): ${condition}`);
      },
      onPollError(error) {
        log(`[pipe ${pipe.name}] poll failed: ${String(error)}`);
      },
    };
  }

  const countedSqs: AwsJsonService = {
    targetPrefix: sqs.targetPrefix,
    signingName: sqs.signingName,
    refusal: (refused) => sqs.refusal(refused),
    handle(operation, input, request) {
      count('sqsRequests');
      return sqs.handle(operation, input, request);
    },
  };

  for (const pipe of pipes) await pipe.start();
  bus.startSchedules();

  const ruleName = (name: string) =>
    config.rules.some((r) => r.name === name) ? name : (assembly.findByPath(name)?.physicalName ?? name);

  return {
    services: [countedSqs, bus],
    httpHandlers: [createSqsQueryHandler(countedSqs), sns.handle, createLambdaInvokeHandler(countedHost)],
    config,
    lambdaHost,
    sqs,
    sns,
    eventBridge: bus,
    pipes,
    usage,
    triggerRule: (name) => bus.triggerRule(ruleName(name)),
    recover() {
      const recovered = { busDeliveries: bus.recover(), asyncInvocations: lambdaHost.recover() };
      if (recovered.busDeliveries + recovered.asyncInvocations > 0)
        log(
          `[events] recovered ${recovered.busDeliveries} bus deliveries and ${recovered.asyncInvocations} async invocations`,
        );
      ticks++;
      return recovered;
    },
    async idle() {
      // Work begets work (a Lambda writes a row, the pipe puts an event, a rule invokes a Lambda), so
      // settle every stage until one full round changes nothing.
      for (let round = 0; round < MAX_IDLE_ROUNDS; round++) {
        const before = ticks;
        await Promise.all(pipes.map((p) => p.drain()));
        await bus.idle();
        await lambdaHost.whenIdle();
        if (ticks === before) return;
      }
      throw new Error(`local events still busy after ${MAX_IDLE_ROUNDS} rounds`);
    },
    async stop() {
      bus.stop();
      for (const pipe of pipes) await pipe.stop();
      await lambdaHost.stop();
      await sqs.stop();
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
