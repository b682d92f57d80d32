/**
 * The API's worker threads: HTTP GraphQL requests are answered off the main thread, so the API uses
 * more than one core. The main thread keeps the sockets (every route of the stack shares one port), the
 * real-time endpoint, the cost meter and everything of the events half; a worker gets a request as
 * plain data (url, headers, body, peer address), authorizes, parses, validates and executes it on its
 * own engine, whose APPSYNC_JS realms are its own, and answers the status, body and what the main
 * thread does after sending it (bill, invalidate, publish to the subscriptions it serves).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { DynamoDbCallRecorder } from '../../meter/dynamodb-middleware.js';
import type { DataSourceDeps } from '../datasources/index.js';
import type { Faults, GraphqlAnswer, GraphqlHttpRequest } from '../server/index.js';
import type { ApiWorkerData, ApiWorkerDynamoDbCall, FromApiWorker, ToApiWorker } from './protocol.js';

const ENTRY_URL = new URL('./start.mjs', import.meta.url);
const WORKER_URL = new URL(`./worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/**
 * Worker threads for an API when nothing says otherwise: one per core but one, which stays the main
 * thread's (sockets, real-time, the events half), at most 4; none on one core, where a thread hop would
 * only add work.
 */
export function defaultApiWorkers(cores = availableParallelism()): number {
  return Math.max(0, Math.min(cores - 1, 4));
}

/** ORDERLOOP_API_WORKERS as a worker count; undefined when unset, an error when it is no count. */
export function apiWorkersFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.ORDERLOOP_API_WORKERS;
  if (raw === undefined || raw === '') return undefined;
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 0)
    throw new Error(
      `ORDERLOOP_API_WORKERS must be a whole number of worker threads (0 or more), received ${raw}`,
    );
  return count;
}

/** What the pool needs besides the workers' own start data. */
export interface ApiWorkerPoolOptions {
  readonly count: number;
  readonly data: Omit<ApiWorkerData, 'armedFaults' | 'meterDynamoDb'>;
  readonly invokeLambda: DataSourceDeps['invokeLambda'];
  readonly putEvents: DataSourceDeps['putEvents'];
  readonly faults: Faults;
  /** Receives every DynamoDB call of the workers' data sources, for the cost meter. @default not metered */
  readonly onDynamoDbCall?: DynamoDbCallRecorder;
}

interface Pending {
  readonly resolve: (answer: GraphqlAnswer) => void;
  readonly reject: (error: Error) => void;
}

/** One worker thread and the requests it has not answered yet. */
interface Slot {
  worker: Worker;
  readonly pending: Map<number, Pending>;
  ready: Promise<void>;
  /** Whether a worker of this slot ever finished its start (one that never did is not started again). */
  started: boolean;
}

/** The API's worker threads; `answer` hands a request to the least busy one. */
export class ApiWorkerPool {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private stopped = false;
  private running = 0;
  private readonly unsubscribe: () => void;

  constructor(private readonly options: ApiWorkerPoolOptions) {
    if (!Number.isInteger(options.count) || options.count < 1)
      throw new Error(`API worker threads must be a whole number of at least 1, received ${options.count}`);
    for (let i = 0; i < options.count; i++) this.slots.push(this.start());
    this.unsubscribe = options.faults.onChange((armed) => {
      for (const slot of this.slots) slot.worker.postMessage({ type: 'faults', armed } satisfies ToApiWorker);
    });
  }

  /** How many worker threads serve the API. */
  get size(): number {
    return this.slots.length;
  }

  /** Each worker's event-loop utilization since it started (its busy share of the wall time), for benchmarks. */
  utilization(): { idle: number; active: number }[] {
    return this.slots.map((slot) => {
      const { idle, active } = slot.worker.performance.eventLoopUtilization();
      return { idle, active };
    });
  }

  /** How many worker threads are running now (0 once stop() resolved). */
  live(): number {
    return this.running;
  }

  /** Resolves once every worker has built its engine; rejects with the first start failure. */
  async ready(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.ready));
  }

  /** Answers one request on the worker with the fewest requests in flight. */
  answer(request: GraphqlHttpRequest): Promise<GraphqlAnswer> {
    if (this.stopped) return Promise.reject(new Error("the API's worker threads have stopped"));
    let slot = this.slots[0]!;
    for (const s of this.slots) if (s.pending.size < slot.pending.size) slot = s;
    const id = this.nextId++;
    return new Promise<GraphqlAnswer>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ type: 'request', id, request } satisfies ToApiWorker);
    });
  }

  /** Terminates every worker; requests still in flight fail. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribe();
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
    for (const slot of this.slots) this.failAll(slot, new Error("the API's worker threads have stopped"));
  }

  private start(): Slot {
    const slot = { pending: new Map(), started: false } as unknown as Slot;
    this.spawn(slot);
    return slot;
  }

  /** Starts a worker for `slot` (again, after a worker died). */
  private spawn(slot: Slot): void {
    const data: ApiWorkerData = {
      ...this.options.data,
      meterDynamoDb: Boolean(this.options.onDynamoDbCall),
      armedFaults: this.options.faults.armed(),
    };
    // ORDERLOOP_API_CPU_PROF=<dir> writes a V8 CPU profile per worker there, to profile the API.
    const profile = process.env.ORDERLOOP_API_CPU_PROF;
    // No host loader flags (tsx, vitest): start.mjs registers tsx for the package's sources itself.
    const worker = new Worker(ENTRY_URL, {
      workerData: { ...data, entry: WORKER_URL.href },
      execArgv: profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [],
    });
    slot.worker = worker;
    this.running += 1;
    slot.ready = new Promise<void>((resolve, reject) => {
      const early = (error: Error) =>
        reject(new Error(`an API worker thread failed to start: ${error.message}`));
      const exited = (code: number) => early(new Error(`it exited with code ${code}`));
      worker.once('error', early);
      worker.once('exit', exited);
      worker.once('message', () => {
        slot.started = true;
        worker.off('error', early);
        worker.off('exit', exited);
        resolve();
      });
    });
    slot.ready.catch(() => undefined); // observed by ready(); a late failure fails the requests below
    worker.on('message', (message: FromApiWorker) => this.onMessage(slot, message));
    worker.on('error', (error) => this.failAll(slot, error));
    worker.on('exit', (code) => {
      this.running -= 1;
      this.failAll(slot, new Error(`an API worker thread exited with code ${code}`));
      // A worker that died (out of memory, a bug) is replaced, so the API keeps its threads.
      if (!this.stopped && slot.started) this.spawn(slot);
    });
  }

  private failAll(slot: Slot, error: Error): void {
    for (const pending of slot.pending.values()) pending.reject(error);
    slot.pending.clear();
  }

  private onMessage(slot: Slot, message: FromApiWorker): void {
    switch (message.type) {
      case 'ready':
        break;
      case 'answer':
      case 'failed': {
        if (message.dynamodb) this.record(message.dynamodb);
        const pending = slot.pending.get(message.id);
        slot.pending.delete(message.id);
        if (message.type === 'answer') pending?.resolve(message.answer);
        else pending?.reject(new Error(message.message));
        break;
      }
      case 'dynamodb':
        this.record(message.dynamodb);
        break;
      case 'call':
        void this.serveCall(slot, message);
        break;
    }
  }

  private record(calls: readonly ApiWorkerDynamoDbCall[]): void {
    const record = this.options.onDynamoDbCall;
    if (record) for (const c of calls) record(c.operation, c.input, c.status, c.output, c.images);
  }

  private async serveCall(slot: Slot, message: Extract<FromApiWorker, { type: 'call' }>): Promise<void> {
    let reply: ToApiWorker;
    try {
      let value: unknown;
      switch (message.method) {
        case 'invokeLambda':
          value = await this.options.invokeLambda(...message.args);
          break;
        case 'putEvents':
          value = await this.options.putEvents(
            message.args[0],
            message.args[1] as Parameters<DataSourceDeps['putEvents']>[1],
          );
          break;
        case 'takeFault':
          value = this.options.faults.take(...message.args) ?? null;
          break;
      }
      reply = { type: 'reply', id: message.id, ok: true, value };
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      reply = { type: 'reply', id: message.id, ok: false, error: { name: e.name, message: e.message } };
    }
    if (!this.stopped) slot.worker.postMessage(reply);
  }
}
