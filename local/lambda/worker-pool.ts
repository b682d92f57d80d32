import { Worker } from 'node:worker_threads';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { DynamoDbCallRecord, FunctionConfig, TransactionItemsReader } from './types.js';

/**
 * Why worker threads and not child processes: a Worker takes its own `env` object (so process.env
 * inside the handler is exactly the function's environment, isolated from the host and other
 * functions), starts in tens of milliseconds, can be terminated at once on a timeout, and caps heap
 * size through resourceLimits (a stand-in for MemorySize). Handlers that call process.exit end only
 * their worker. What a worker cannot isolate (native addons with global state, process.chdir) is
 * not used by Node Lambda bundles.
 */
const WORKER_URL = new URL('./runtime-worker.mjs', import.meta.url);
/** "The Init phase is limited to 10 seconds." */
const INIT_LIMIT_MS = 10_000;

/** How one execution ended, before it is shaped into an Invoke response. */
export type ExecutionOutcome =
  | { readonly ok: true; readonly json: string }
  | { readonly ok: false; readonly error: { errorType: string; errorMessage: string; trace?: string[] } };

type LogSink = (requestId: string | undefined, line: string) => void;

/** One warm execution environment of a function. */
export class FunctionWorker {
  private readonly worker: Worker;
  private current?: { requestId: string; resolve: (o: ExecutionOutcome) => void; timer: NodeJS.Timeout };
  private dead = false;
  /** When this environment was created (performance.now()). */
  readonly createdAt = performance.now();
  /** Called once, when the first invocation starts, with how long this environment's Init phase took. */
  onInit: ((initMs: number) => void) | undefined;
  /** True until this environment's first invocation started: it is still in its Init phase. */
  coldStart = true;
  /** When the invocation under way entered its Invoke phase (performance.now()); unset during Init and between invocations. */
  invokeStartedAt: number | undefined;

  constructor(
    private readonly config: FunctionConfig,
    env: Record<string, string>,
    private readonly log: LogSink,
    /** Receives the function's DynamoDB calls, metered in the worker; unset means they are not metered. */
    private readonly onDynamoDbCall?: (call: DynamoDbCallRecord) => void,
    /** Reads a transaction's items for the meter (LambdaHostOptions.readTransactionItems). */
    private readonly readTransactionItems?: TransactionItemsReader,
  ) {
    this.worker = new Worker(WORKER_URL, {
      env,
      // The Lambda runtime starts node without the host's loader flags (tsx, vitest): inheriting them would
      // route every import of the bundle through the host's loader hooks, more than doubling a cold start.
      // ORDERLOOP_LAMBDA_CPU_PROF=<dir> writes a V8 CPU profile per worker there, to profile the functions.
      execArgv: process.env.ORDERLOOP_LAMBDA_CPU_PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.ORDERLOOP_LAMBDA_CPU_PROF}`]
        : [],
      stdout: true,
      stderr: true,
      workerData: {
        codeDir: config.codeDir,
        handler: config.handler,
        functionName: config.name,
        functionArn: config.arn,
        memoryMb: config.memoryMb,
        logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
        logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
        // The endpoint whose calls the worker meters (./dynamodb-meter.mjs): the SDK's own DynamoDB endpoint.
        meterDynamoDb: onDynamoDbCall ? env.AWS_ENDPOINT_URL_DYNAMODB : undefined,
        // Whether the worker asks the host to read its transactions' items, to size them.
        sizeTransactions: Boolean(onDynamoDbCall && readTransactionItems),
      },
      resourceLimits: { maxOldGenerationSizeMb: Math.max(64, config.memoryMb) },
    });
    this.pipe(this.worker.stdout);
    this.pipe(this.worker.stderr);
    this.worker.on('message', (msg: WorkerMessage) => this.onMessage(msg));
    this.worker.on('error', (err) =>
      this.fail(err.name === 'Error' ? 'Runtime.ExitError' : err.name, err.message),
    );
    this.worker.on('exit', (code) =>
      this.fail('Runtime.ExitError', `Runtime exited with error: exit status ${code}`),
    );
  }

  /** False once the worker exited or was terminated; the pool then drops it. */
  get usable(): boolean {
    return !this.dead;
  }

  /**
   * Runs one event; on timeout the worker is terminated, as Lambda recycles a timed-out sandbox. The
   * function's timeout runs from the start of the Invoke phase (the worker's 'started'); before it, a
   * cold start has Init's 10 s plus the timeout, as Lambda retries a slow Init within the first
   * invocation's timeout ("Init phase" in "Understanding the Lambda execution environment lifecycle").
   */
  execute(requestId: string, event: unknown): Promise<ExecutionOutcome> {
    const timeoutMs = this.config.timeoutSeconds * 1000;
    this.invokeStartedAt = undefined;
    return new Promise((resolve) => {
      this.current = { requestId, resolve, timer: this.timeoutTimer(requestId, INIT_LIMIT_MS + timeoutMs) };
      this.worker.postMessage({ type: 'invoke', requestId, event, timeoutMs });
    });
  }

  private timeoutTimer(requestId: string, ms: number): NodeJS.Timeout {
    return setTimeout(() => {
      this.settle({
        ok: false,
        error: {
          errorType: 'Sandbox.Timedout',
          errorMessage: `RequestId: ${requestId} Error: Task timed out after ${this.config.timeoutSeconds.toFixed(2)} seconds`,
        },
      });
      void this.terminate();
    }, ms);
  }

  /** Stops the worker; an execution in flight ends as a runtime exit. */
  async terminate(): Promise<void> {
    this.dead = true;
    await this.worker.terminate();
  }

  private pipe(stream: Readable | null | undefined) {
    if (!stream) return;
    createInterface({ input: stream }).on('line', (line) => this.log(this.current?.requestId, line));
  }

  private onMessage(msg: WorkerMessage) {
    if (msg.type === 'log') this.log(msg.requestId, msg.text);
    else if (msg.type === 'dynamodb') this.onDynamoDbCall?.(msg.call);
    else if (msg.type === 'dynamodb-image') void this.answerImage(msg.id, msg.input);
    else if (msg.type === 'started' && msg.requestId === this.current?.requestId) {
      this.invokeStartedAt = performance.now();
      this.coldStart = false;
      if (msg.initMs !== undefined) this.onInit?.(msg.initMs);
      clearTimeout(this.current.timer);
      this.current.timer = this.timeoutTimer(msg.requestId, this.config.timeoutSeconds * 1000);
    } else if (msg.type === 'result' || msg.type === 'error') {
      for (const line of msg.lines) this.log(msg.requestId, line);
      if (msg.requestId !== this.current?.requestId) return;
      this.settle(msg.type === 'result' ? { ok: true, json: msg.json } : { ok: false, error: msg.error });
    }
  }

  /** Reads a transaction's items for the worker's meter; a failed read is answered as unread. */
  private async answerImage(id: number, input: Readonly<Record<string, unknown>>) {
    const image = await this.readTransactionItems?.(input).catch(() => undefined);
    if (!this.dead) this.worker.postMessage({ type: 'dynamodb-image', id, image });
  }

  private fail(errorType: string, message: string) {
    this.dead = true;
    const requestId = this.current?.requestId;
    if (requestId)
      this.settle({
        ok: false,
        error: { errorType, errorMessage: `RequestId: ${requestId} Error: ${message}` },
      });
  }

  private settle(outcome: ExecutionOutcome) {
    const current = this.current;
    if (!current) return;
    this.current = undefined;
    clearTimeout(current.timer);
    current.resolve(outcome);
  }
}

type WorkerMessage =
  | { type: 'log'; requestId?: string; text: string }
  | { type: 'dynamodb'; requestId?: string; call: DynamoDbCallRecord }
  | { type: 'dynamodb-image'; id: number; input: Readonly<Record<string, unknown>> }
  /** `initMs`: the Init phase's duration, on an environment's first invocation. */
  | { type: 'started'; requestId: string; initMs?: number }
  /** `lines`: the runtime's END and REPORT lines, written before the invocation settles. */
  | { type: 'result'; requestId: string; json: string; lines: string[] }
  | {
      type: 'error';
      requestId: string;
      error: { errorType: string; errorMessage: string; trace?: string[] };
      lines: string[];
    };
