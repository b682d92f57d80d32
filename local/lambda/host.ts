import { randomUUID } from 'node:crypto';
import { LOCAL_CREDENTIALS, LOCAL_REGION, parseArn } from '../aws-ids.js';
import { AwsServiceError } from '../aws-json.js';
import { Journal } from '../persistence/journal.js';
import { FunctionWorker, type ExecutionOutcome } from './worker-pool.js';
import type {
  DynamoDbCallRecord,
  FunctionConfig,
  FunctionLogEntry,
  InvocationRecord,
  InvokeResult,
  QueueMessageAttribute,
  SendToQueue,
  TransactionItemsReader,
} from './types.js';

/** Options of the local Lambda host; everything outside Lambda is a port. */
export interface LambdaHostOptions {
  readonly functions: readonly FunctionConfig[];
  /** Delivers DLQ messages and on-failure records to SQS. */
  readonly sendToQueue: SendToQueue;
  /** Extra variables for every function, typically AWS_ENDPOINT_URL_<SERVICE> pointing at local services. */
  readonly extraEnv?: Readonly<Record<string, string>>;
  /**
   * Waits before the first and second async retry.
   * @default [60000, 120000] (AWS retries after one, then two minutes)
   */
  readonly retryDelaysMs?: readonly number[];
  /**
   * How long an execution environment may sit idle before it is shut down. Lambda keeps an idle
   * environment for a while in case another invocation comes, then shuts it down ("Shutdown phase" in
   * "Understanding the Lambda execution environment lifecycle"; AWS gives no figure, minutes are what
   * users observe); here each one is a worker isolate, so a burst's extra environments give their
   * memory back instead of staying for the life of the process. @default 300000 (5 minutes)
   */
  readonly idleEnvironmentMs?: number;
  /** Concurrency of a function without reserved concurrency. @default 10 */
  readonly defaultConcurrency?: number;
  /**
   * What an invocation that finds no idle execution environment does. `'aws'`: it starts a new one (a
   * cold start), as Lambda does whenever none is free. `'warm-first'`: it waits for a busy one instead
   * when, by the function's measured Invoke and Init durations, one should be free before a new one
   * could finish its Init, and starts a new one once that wait has lasted as long as an Init. Either
   * way no more environments than the concurrency run, and an invocation keeps its arrival order; on
   * this machine a cold start costs far more CPU (loading the bundle and the SDK) than the few
   * milliseconds a consumer's invocation takes, and each extra environment is an isolate of its own
   * whose code warms up separately. @default `ORDERLOOP_LAMBDA_ENVIRONMENT_REUSE` when set, else 'warm-first'
   */
  readonly environmentReuse?: 'aws' | 'warm-first';
  /**
   * Leaves Powertools Tracer on. There is no X-Ray daemon locally, and every invocation's trace header
   * says Sampled=0, so tracing records and sends nothing here; yet an enabled Tracer wraps every HTTP
   * and fetch call and every handler in X-Ray subsegments. Off, a function whose own environment does
   * not set POWERTOOLS_TRACE_ENABLED gets POWERTOOLS_TRACE_ENABLED=false (Powertools' documented switch;
   * Tracer turns itself off the same way under SAM CLI's local invoke). The X-Ray SDK's async hook stays
   * either way: in Lambda (LAMBDA_TASK_ROOT set) the SDK always runs in automatic mode.
   * @default true when `ORDERLOOP_LAMBDA_TRACING=1`, else false
   */
  readonly tracing?: boolean;
  /** Sees every execution (sync, async, each retry) with its duration, for billing. @default none */
  readonly onExecution?: (functionName: string, durationMs: number) => void;
  /**
   * Sees every answered DynamoDB call (each attempt) the functions make to their AWS_ENDPOINT_URL_DYNAMODB,
   * metered inside the worker, before the invocation's result. @default none (calls are not metered)
   */
  readonly onDynamoDbCall?: (functionName: string, call: DynamoDbCallRecord) => void;
  /**
   * With onDynamoDbCall: reads each TransactWriteItems' items just before and after it, so the call
   * carries `images` and the meter sizes its items as AWS does. @default none (not read)
   */
  readonly readTransactionItems?: TransactionItemsReader;
  /** Receives every log line of every function (tests observe logs here). */
  readonly onLog?: (entry: FunctionLogEntry) => void;
  /** Where prefixed log lines go. @default process.stdout */
  readonly writeLine?: (line: string) => void;
  /** Delivers to destinations that are neither SQS nor Lambda (SNS, EventBridge); unset means they are logged and dropped. */
  readonly sendToDestination?: (arn: string, body: string) => Promise<void>;
  readonly now?: () => number;
  /**
   * Keeps queued async invocations here until they succeed or their failure is delivered (Lambda's
   * internal queue is durable), so a crash loses none; call recover() on start. @default memory only
   */
  readonly asyncQueuePath?: string;
}

interface AsyncEvent {
  readonly requestId: string;
  readonly payload: unknown;
  readonly enqueuedAt: number;
  attempts: number;
}

/** A queued async invocation as the journal keeps it. */
interface QueuedInvocation extends AsyncEvent {
  readonly functionName: string;
}

class FunctionSlot {
  readonly idle: FunctionWorker[] = [];
  readonly busy = new Set<FunctionWorker>();
  running = 0;
  readonly waiters: Array<() => void> = [];
  /** Invocations that hold a concurrency slot and wait for a busy environment, oldest first ('warm-first'). */
  readonly warmWaiters: WarmWaiter[] = [];
  /** Running means of the function's Invoke and Init phases in ms, once measured. */
  invokeMs: number | undefined;
  initMs: number | undefined;
  coldStarts = 0;
  warmReuses = 0;
  constructor(
    readonly config: FunctionConfig,
    readonly limit: number,
  ) {}
}

const ERROR_MESSAGE_LIMIT = 1024;

/**
 * Runs the functions of a cloud assembly on this machine: synchronous and asynchronous invokes, warm
 * workers, reserved concurrency, async retries with DLQ and on-failure destinations as Lambda does them.
 * Sync invokes over a reserved concurrency limit are throttled (TooManyRequestsException, 429) like
 * AWS; without a reservation they wait for a worker, since the local default limit is a machine
 * artefact and not an AWS quota.
 */
export class LambdaHost {
  private readonly slots = new Map<string, FunctionSlot>();
  /** The shutdown timer of each idle environment; cleared when the environment is taken again. */
  private readonly idleTimers = new Map<FunctionWorker, NodeJS.Timeout>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly retryDelaysMs: readonly number[];
  private readonly now: () => number;
  private stopped = false;
  private readonly queue: Journal<QueuedInvocation> | undefined;
  private readonly environmentReuse: 'aws' | 'warm-first';
  private readonly tracing: boolean;

  constructor(private readonly options: LambdaHostOptions) {
    const reuse = options.environmentReuse ?? process.env.ORDERLOOP_LAMBDA_ENVIRONMENT_REUSE ?? 'warm-first';
    if (reuse !== 'aws' && reuse !== 'warm-first')
      throw new Error(`environmentReuse must be 'aws' or 'warm-first', received ${JSON.stringify(reuse)}`);
    this.environmentReuse = reuse;
    this.tracing = options.tracing ?? process.env.ORDERLOOP_LAMBDA_TRACING === '1';
    this.queue = options.asyncQueuePath ? new Journal<QueuedInvocation>(options.asyncQueuePath) : undefined;
    this.retryDelaysMs = options.retryDelaysMs ?? [60_000, 120_000];
    this.now = options.now ?? Date.now;
    for (const config of options.functions) {
      const limit = config.reservedConcurrency ?? options.defaultConcurrency ?? 10;
      this.slots.set(config.name, new FunctionSlot(config, limit));
    }
  }

  /** The configuration of a function by name or ARN (a `:$LATEST` qualifier is accepted); throws ResourceNotFoundException. */
  getFunction(nameOrArn: string): FunctionConfig {
    return this.slot(nameOrArn).config;
  }

  /** Every function's configuration, in name order (ListFunctions). */
  listFunctions(): FunctionConfig[] {
    return [...this.slots.values()].map((s) => s.config).sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * The execution environments (workers) each function holds now, idle and busy: Lambda starts one
   * per concurrent invocation and reuses it while it is warm, so this is the function's recent peak
   * concurrency, and each one is a V8 isolate of its own (memory).
   */
  environments(): Record<string, { idle: number; busy: number }> {
    return Object.fromEntries(
      [...this.slots].map(([name, slot]) => [name, { idle: slot.idle.length, busy: slot.busy.size }]),
    );
  }

  /**
   * How each function got its execution environments since start: cold starts, invocations that
   * waited for a busy environment instead ('warm-first'), and the running means of Init and Invoke the
   * choice rests on.
   */
  environmentStarts(): Record<
    string,
    { coldStarts: number; waitedForWarm: number; meanInitMs?: number; meanInvokeMs?: number }
  > {
    return Object.fromEntries(
      [...this.slots].map(([name, slot]) => [
        name,
        {
          coldStarts: slot.coldStarts,
          waitedForWarm: slot.warmReuses,
          ...(slot.initMs !== undefined ? { meanInitMs: Math.round(slot.initMs) } : {}),
          ...(slot.invokeMs !== undefined ? { meanInvokeMs: Math.round(slot.invokeMs) } : {}),
        },
      ]),
    );
  }

  /** Invokes and waits, like Invoke with InvocationType RequestResponse. */
  async invokeSync(nameOrArn: string, payload: unknown): Promise<InvokeResult> {
    const slot = this.slot(nameOrArn);
    if (slot.running >= slot.limit && slot.config.reservedConcurrency !== undefined) {
      throw new AwsServiceError('TooManyRequestsException', 'Rate Exceeded.', 429);
    }
    const requestId = randomUUID();
    const lines: string[] = [];
    const outcome = await this.run(slot, requestId, payload, lines);
    return toInvokeResult(requestId, outcome, lines);
  }

  /** Queues an event and returns at once, like Invoke with InvocationType Event (202). */
  async invokeAsync(nameOrArn: string, payload: unknown): Promise<{ requestId: string }> {
    const slot = this.slot(nameOrArn);
    const event: AsyncEvent = { requestId: randomUUID(), payload, enqueuedAt: this.now(), attempts: 0 };
    this.queue?.put(event.requestId, { ...event, functionName: slot.config.name });
    this.track(this.processQueued(slot, event));
    return { requestId: event.requestId };
  }

  /**
   * Requeues the async invocations a previous process accepted and did not finish (from the journal),
   * with their request ids, ages and attempt counts; returns how many.
   */
  recover(): number {
    let started = 0;
    for (const [id, queued] of this.queue?.entries() ?? []) {
      const { functionName, ...event } = queued;
      const slot = this.slots.get(functionName);
      if (!slot) {
        this.queue?.done(id);
        continue;
      }
      this.track(this.processQueued(slot, { ...event }));
      started++;
    }
    return started;
  }

  /** processAsync with the journal kept: the entry closes once the event is finished. */
  private async processQueued(slot: FunctionSlot, event: AsyncEvent): Promise<void> {
    const journal = this.queue;
    if (!journal) return void (await this.processAsync(slot, event));
    const onAttempt = () => journal.put(event.requestId, { ...event, functionName: slot.config.name });
    // An event the host stopped on stays in the journal and runs again on the next start.
    if (await this.processAsync(slot, event, onAttempt)) journal.done(event.requestId);
  }

  /** Resolves once every queued async event, retry and destination delivery has finished. */
  async whenIdle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Terminates every worker and drops queued async events. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of [...this.timers, ...this.idleTimers.values()]) clearTimeout(timer);
    this.timers.clear();
    this.idleTimers.clear();
    const workers = [...this.slots.values()].flatMap((s) => [...s.idle, ...s.busy]);
    for (const slot of this.slots.values()) {
      slot.idle.length = 0;
      slot.waiters.splice(0).forEach((wake) => wake());
      slot.warmWaiters.splice(0).forEach((waiter) => waiter.give(undefined));
    }
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private slot(nameOrArn: string): FunctionSlot {
    let name = nameOrArn;
    if (nameOrArn.startsWith('arn:')) {
      const resource = parseArn(nameOrArn).resource; // function:NAME[:QUALIFIER]
      name = resource.split(':')[1] ?? resource;
    }
    const slot = this.slots.get(name);
    if (!slot) {
      throw new AwsServiceError('ResourceNotFoundException', `Function not found: ${nameOrArn}`, 404);
    }
    return slot;
  }

  private track(promise: Promise<unknown>) {
    const tracked = promise.finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  /** Takes an execution slot, waiting in arrival order when the function is at its concurrency. */
  private async acquire(slot: FunctionSlot): Promise<void> {
    if (this.stopped) throw new Error('Lambda host stopped');
    if (slot.running < slot.limit) {
      slot.running++;
      return;
    }
    // release() hands its slot straight to the longest waiter, so a newcomer never overtakes it.
    await new Promise<void>((resolve) => slot.waiters.push(resolve));
    if (this.stopped) throw new Error('Lambda host stopped');
  }

  private release(slot: FunctionSlot) {
    const next = slot.waiters.shift();
    if (next) next();
    else slot.running--;
  }

  private async run(
    slot: FunctionSlot,
    requestId: string,
    event: unknown,
    lines: string[],
  ): Promise<ExecutionOutcome> {
    await this.acquire(slot);
    let worker: FunctionWorker | undefined;
    try {
      worker = slot.idle.pop() ?? (await this.environmentFor(slot));
      clearTimeout(this.idleTimers.get(worker));
      this.idleTimers.delete(worker);
      slot.busy.add(worker);
      const w = worker;
      const onLine = (entryRequestId: string | undefined, line: string) => {
        if (entryRequestId === requestId) lines.push(line);
      };
      this.lineListeners.set(w, onLine);
      const started = performance.now();
      try {
        return await w.execute(requestId, event);
      } finally {
        const ended = performance.now();
        this.options.onExecution?.(slot.config.name, ended - started);
        learnDurations(slot, w, ended);
      }
    } finally {
      if (worker) {
        this.lineListeners.delete(worker);
        slot.busy.delete(worker);
        if (worker.usable && !this.stopped) this.park(slot, worker);
        // The environment is gone: an invocation waiting for it starts one of its own.
        else slot.warmWaiters.shift()?.give(undefined);
      }
      this.release(slot);
    }
  }

  /**
   * An environment for an invocation that found none idle: a new one, or ('warm-first') the next busy
   * one to free, when that should come sooner than a new one's Init would end. While the function's
   * first Init runs nothing is measured yet, so a burst waits for that first environment; a wait that
   * lasts as long as an Init has shown the guess wrong, and starts a new one after all.
   */
  private async environmentFor(slot: FunctionSlot): Promise<FunctionWorker> {
    if (this.shouldWaitForWarm(slot)) {
      const handed = await new Promise<FunctionWorker | undefined>((resolve) => {
        const waiter: WarmWaiter = {
          give: (worker) => {
            clearTimeout(waiter.timer);
            resolve(worker);
          },
        };
        slot.warmWaiters.push(waiter);
        if (slot.initMs !== undefined) this.armFallback(slot, waiter, slot.initMs);
      });
      if (this.stopped) {
        void handed?.terminate();
        throw new Error('Lambda host stopped');
      }
      if (handed) {
        slot.warmReuses++;
        return handed;
      }
    }
    slot.coldStarts++;
    const worker = this.spawn(slot.config);
    // Busy from now on, so an invocation arriving before this one resumes sees it starting.
    slot.busy.add(worker);
    worker.onInit = (initMs) => {
      const first = slot.initMs === undefined;
      slot.initMs = runningMean(slot.initMs, initMs);
      // The waiters of a first Init had no measure to bound their wait; now they have one.
      if (first) for (const waiter of slot.warmWaiters) this.armFallback(slot, waiter, initMs);
    };
    return worker;
  }

  /** Gives up waiting for a busy environment after `ms`: the waiter starts one of its own. */
  private armFallback(slot: FunctionSlot, waiter: WarmWaiter, ms: number): void {
    if (waiter.timer) return;
    waiter.timer = setTimeout(() => {
      const at = slot.warmWaiters.indexOf(waiter);
      if (at < 0) return;
      slot.warmWaiters.splice(at, 1);
      waiter.give(undefined);
    }, ms);
  }

  /** Whether a busy environment should free before a new one's Init would end (see `environmentReuse`). */
  private shouldWaitForWarm(slot: FunctionSlot): boolean {
    if (this.environmentReuse === 'aws' || slot.busy.size === 0) return false;
    const { initMs } = slot;
    // The first Init is still running: nothing is measured, and a second Init would compete for the CPU.
    if (initMs === undefined) return true;
    // Until an invocation has finished, its Invoke phase counts as instant.
    const invokeMs = slot.invokeMs ?? 0;
    const now = performance.now();
    const freeIn = [...slot.busy]
      .map((w) =>
        w.invokeStartedAt !== undefined
          ? Math.max(0, invokeMs - (now - w.invokeStartedAt))
          : w.coldStart
            ? Math.max(0, initMs - (now - w.createdAt)) + invokeMs
            : invokeMs,
      )
      .sort((a, b) => a - b);
    // Invocations already waiting take the environments that free first, round after round.
    const ahead = slot.warmWaiters.length;
    const expected = freeIn[ahead % freeIn.length]! + Math.floor(ahead / freeIn.length) * invokeMs;
    return expected < initMs;
  }

  /** Returns a warm environment to an invocation waiting for one, else to the idle list (the most recent is taken first) until its idle time is up. */
  private park(slot: FunctionSlot, worker: FunctionWorker) {
    const waiter = slot.warmWaiters.shift();
    if (waiter) {
      slot.busy.add(worker);
      return waiter.give(worker);
    }
    slot.idle.push(worker);
    const timer = setTimeout(() => {
      this.idleTimers.delete(worker);
      const at = slot.idle.indexOf(worker);
      if (at < 0) return;
      slot.idle.splice(at, 1);
      void worker.terminate();
    }, this.options.idleEnvironmentMs ?? 300_000);
    timer.unref();
    this.idleTimers.set(worker, timer);
  }

  private readonly lineListeners = new Map<
    FunctionWorker,
    (requestId: string | undefined, line: string) => void
  >();

  private spawn(config: FunctionConfig): FunctionWorker {
    const worker: FunctionWorker = new FunctionWorker(
      config,
      this.environmentOf(config),
      (requestId, line) => {
        (this.options.writeLine ?? ((l: string) => process.stdout.write(`${l}\n`)))(
          `[${config.name}] ${line}`,
        );
        this.options.onLog?.({ functionName: config.name, requestId, line });
        this.lineListeners.get(worker)?.(requestId, line);
      },
      this.options.onDynamoDbCall && ((call) => this.options.onDynamoDbCall?.(config.name, call)),
      this.options.readTransactionItems,
    );
    return worker;
  }

  private environmentOf(config: FunctionConfig): Record<string, string> {
    const logGroup = `/aws/lambda/${config.name}`;
    const ownTracing = config.environment.POWERTOOLS_TRACE_ENABLED;
    return {
      // Node needs PATH and friends to behave; Lambda sets its own, so we keep only these from the host.
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      TZ: ':UTC',
      LANG: 'en_US.UTF-8',
      // Under the function's own variables, so a function that sets them keeps its choice (see `tracing`).
      ...(this.tracing || (ownTracing !== undefined && ownTracing.toLowerCase() !== 'false')
        ? {}
        : { POWERTOOLS_TRACE_ENABLED: 'false' }),
      ...config.environment,
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_FUNCTION_NAME: config.name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(config.memoryMb),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_GROUP_NAME: logGroup,
      AWS_LAMBDA_LOG_STREAM_NAME: `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${randomUUID().replaceAll('-', '')}`,
      _HANDLER: config.handler,
      LAMBDA_TASK_ROOT: config.codeDir,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      ...this.options.extraEnv,
    };
  }

  private async processAsync(
    slot: FunctionSlot,
    event: AsyncEvent,
    onAttempt?: () => void,
  ): Promise<boolean> {
    const config = slot.config;
    const maxRetries = config.asyncConfig?.maximumRetryAttempts ?? 2;
    const maxAgeMs = (config.asyncConfig?.maximumEventAgeInSeconds ?? 21_600) * 1000;
    // "Capturing records of Lambda asynchronous invocations": reserved concurrency 0 sends events to
    // the DLQ or on-failure destination without retries.
    if (config.reservedConcurrency === 0) {
      await this.deliverFailure(
        config,
        event,
        'RetriesExhausted',
        {
          ok: false,
          error: { errorType: 'TooManyRequestsException', errorMessage: 'Rate Exceeded.' },
        },
        429,
      );
      return true;
    }
    for (;;) {
      if (this.stopped) return false;
      if (this.now() - event.enqueuedAt > maxAgeMs) {
        await this.deliverFailure(config, event, 'EventAgeExceeded', undefined, 200);
        return true;
      }
      event.attempts++;
      onAttempt?.();
      const outcome = await this.run(slot, event.requestId, event.payload, []).catch((err: Error) => ({
        ok: false as const,
        error: { errorType: 'ServiceException', errorMessage: err.message },
      }));
      if (outcome.ok) return true;
      if (this.stopped) return false;
      if (event.attempts > maxRetries) {
        await this.deliverFailure(config, event, 'RetriesExhausted', outcome, 200);
        return true;
      }
      const delay = this.retryDelaysMs[Math.min(event.attempts - 1, this.retryDelaysMs.length - 1)] ?? 0;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          resolve();
        }, delay);
        this.timers.add(timer);
      });
    }
  }

  private async deliverFailure(
    config: FunctionConfig,
    event: AsyncEvent,
    condition: InvocationRecord['requestContext']['condition'],
    outcome: ExecutionOutcome | undefined,
    statusCode: number,
  ): Promise<void> {
    const { onFailureArn, deadLetterArn } = config.asyncConfig ?? {};
    const error = outcome && !outcome.ok ? outcome.error : undefined;
    const jobs: Promise<void>[] = [];
    if (deadLetterArn) {
      // "Dead-letter queues": body is the event unchanged; RequestID, ErrorCode (3-digit HTTP code) and
      // ErrorMessage (truncated to 1 KB) travel as message attributes.
      const attributes: Record<string, QueueMessageAttribute> = {
        RequestID: { DataType: 'String', StringValue: event.requestId },
        ErrorCode: { DataType: 'Number', StringValue: String(statusCode) },
        ErrorMessage: {
          DataType: 'String',
          StringValue: (error?.errorMessage ?? condition).slice(0, ERROR_MESSAGE_LIMIT),
        },
      };
      jobs.push(this.deliver(deadLetterArn, JSON.stringify(event.payload ?? null), attributes));
    }
    if (onFailureArn) {
      const record: InvocationRecord = {
        version: '1.0',
        timestamp: new Date(this.now()).toISOString(),
        requestContext: {
          requestId: event.requestId,
          functionArn: `${config.arn}:$LATEST`,
          condition,
          approximateInvokeCount: event.attempts,
        },
        requestPayload: event.payload,
        responseContext: {
          statusCode,
          executedVersion: '$LATEST',
          ...(error ? { functionError: 'Unhandled' } : {}),
        },
        responsePayload: error
          ? { errorType: error.errorType, errorMessage: error.errorMessage, trace: error.trace }
          : null,
      };
      jobs.push(this.deliver(onFailureArn, JSON.stringify(record), {}));
    }
    const results = await Promise.allSettled(jobs);
    for (const r of results) {
      if (r.status === 'rejected')
        this.hostLog(config, `failed to deliver a failed event: ${String(r.reason)}`);
    }
    if (jobs.length === 0)
      this.hostLog(config, `dropped async event ${event.requestId} (${condition}, no DLQ or destination)`);
  }

  private async deliver(
    arn: string,
    body: string,
    attributes: Record<string, QueueMessageAttribute>,
  ): Promise<void> {
    const service = parseArn(arn).service;
    if (service === 'sqs') return this.options.sendToQueue(arn, body, attributes);
    if (service === 'lambda') {
      await this.invokeAsync(arn, JSON.parse(body));
      return;
    }
    if (this.options.sendToDestination) return this.options.sendToDestination(arn, body);
    throw new Error(`no local delivery for destination ${arn}`);
  }

  private hostLog(config: FunctionConfig, message: string) {
    (this.options.writeLine ?? ((l: string) => process.stdout.write(`${l}\n`)))(
      `[${config.name}] [lambda-host] ${message}`,
    );
  }
}

/** An invocation waiting for a busy environment: `give` hands it one, or undefined to start its own. */
interface WarmWaiter {
  readonly give: (worker: FunctionWorker | undefined) => void;
  timer?: NodeJS.Timeout;
}

/** A running mean that follows the recent durations (each new one weighs a fifth). */
const runningMean = (old: number | undefined, sample: number) =>
  old === undefined ? sample : old * 0.8 + sample * 0.2;

/** Folds a finished invocation's Invoke duration into the function's running mean. */
function learnDurations(slot: FunctionSlot, worker: FunctionWorker, ended: number): void {
  if (worker.invokeStartedAt !== undefined)
    slot.invokeMs = runningMean(slot.invokeMs, ended - worker.invokeStartedAt);
}

function toInvokeResult(requestId: string, outcome: ExecutionOutcome, lines: string[]): InvokeResult {
  const logs = lines.join('\n');
  if (outcome.ok) return { requestId, payload: JSON.parse(outcome.json) as unknown, logs };
  return { requestId, payload: outcome.error, functionError: 'Unhandled', logs };
}
