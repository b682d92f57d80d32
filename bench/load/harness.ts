/**
 * Shared parts of the load benchmarks: a local stack in its own process, signed-in demo users, a
 * closed-loop load runner and percentiles. Figures from one run are only compared with each other
 * (ratios against a raw baseline measured in the same run), since the machine is shared and noisy.
 */
import { readFileSync } from 'node:fs';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LocalStackEndpoints } from '@orderloop/local/endpoints';
import { signIn as cognitoSignIn, type Session } from '../../test/e2e/support/client.js';
import type { StackRequest } from './stack-process.js';

export type { Session } from '../../test/e2e/support/client.js';

/** One request the API sent to DynamoDB Local while capturing was on. */
export interface CapturedCall {
  readonly command: string;
  readonly input: unknown;
}

/** A local stack running in a child process, as `npm start` would run it. */
export interface BenchStack {
  readonly endpoints: LocalStackEndpoints;
  readonly readyMs: number;
  /** A DynamoDB client on the stack's DynamoDB endpoint (its gateway, metered, as users reach it). */
  readonly dynamodb: DynamoDBClient;
  /** A DynamoDB client straight on DynamoDB Local, past the stack's process: the raw baselines'. */
  readonly dynamodbDirect: DynamoDBClient;
  /** CPU time so far of DynamoDB Local's java process (all threads, µs), from /proc; null elsewhere. */
  dynamodbCpuMicros(): number | null;
  /** Resident set sizes in bytes: the stack's node process and DynamoDB Local's java process. */
  rss(): Promise<{ node: number; dynamodb: number | null }>;
  /** The stack process's CPU time so far (all threads, µs) and its main thread's event-loop use. */
  usage(): Promise<{
    cpuMicros: number;
    elu: { idle: number; active: number; utilization: number };
    /** The API worker threads' event-loop time, summed over them, and how many there are. */
    workersElu: { idle: number; active: number };
    workers: number;
  }>;
  /** Records every DynamoDB request the stack sends from now on. */
  startCapture(): Promise<void>;
  /** Stops recording and returns what was sent since startCapture. */
  stopCapture(): Promise<CapturedCall[]>;
  /** Resolves when the events half (pipes, rules, Lambda queues) has nothing left to do. */
  idle(): Promise<void>;
  /** Stops the stack and its process. */
  stop(): Promise<void>;
}

/** Starts the seeded local stack in a child process on a free port; resolves once it is ready. */
export async function startBenchStack(): Promise<BenchStack> {
  const script = fileURLToPath(new URL('./stack-process.ts', import.meta.url));
  const child: ChildProcess = fork(script, [], {
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.BENCH_STACK_NODE_OPTIONS?.split(' ').filter(Boolean) ?? []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<number, (reply: Record<string, unknown>) => void>();
  let nextId = 1;
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`the stack process exited with code ${code} before it was ready`)),
    );
    child.on('message', (raw) => {
      const message = raw as { id: number } & Record<string, unknown>;
      if (message.id === 0) resolve(message);
      else waiting.get(message.id)?.(message);
      waiting.delete(message.id);
    });
  });
  // Omit per member, so each request type keeps its own fields.
  const ask = (
    request: StackRequest extends infer R ? (R extends StackRequest ? Omit<R, 'id'> : never) : never,
  ) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, (reply) =>
        reply['error'] ? reject(new Error(String(reply['error']))) : resolve(reply),
      );
      child.send({ ...request, id });
    });
  const hello = await ready;
  const endpoints = hello['endpoints'] as LocalStackEndpoints;
  const dynamodb = new DynamoDBClient({
    region: endpoints.region,
    endpoint: endpoints.dynamodb,
    credentials: endpoints.iam,
  });
  const dynamodbDirect = new DynamoDBClient({
    region: endpoints.region,
    endpoint: String(hello['dynamodbEndpoint']),
    credentials: endpoints.iam,
  });
  let stopped: Promise<void> | undefined;
  return {
    endpoints,
    readyMs: Number(hello['readyMs']),
    dynamodbCpuMicros: () =>
      cpuMicrosOf(hello['dynamodbPid'] === null ? undefined : Number(hello['dynamodbPid'])),
    dynamodb,
    dynamodbDirect,
    async rss() {
      const r = await ask({ type: 'rss' });
      return { node: Number(r['node']), dynamodb: r['dynamodb'] === null ? null : Number(r['dynamodb']) };
    },
    async usage() {
      const r = await ask({ type: 'rss' });
      return {
        cpuMicros: Number(r['cpuMicros']),
        elu: r['elu'] as { idle: number; active: number; utilization: number },
        workersElu: r['workersElu'] as { idle: number; active: number },
        workers: Number(r['workers']),
      };
    },
    async startCapture() {
      await ask({ type: 'capture', on: true });
    },
    async stopCapture() {
      return (await ask({ type: 'capture', on: false }))['captured'] as CapturedCall[];
    },
    async idle() {
      await ask({ type: 'idle' });
    },
    stop() {
      stopped ??= (async () => {
        dynamodb.destroy();
        dynamodbDirect.destroy();
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        if (child.exitCode === null) await ask({ type: 'stop' }).catch(() => undefined);
        await exited;
      })();
      return stopped;
    },
  };
}

/** CPU time (user + system, all threads) of a process in µs, from /proc/<pid>/stat (Linux); null elsewhere. */
export function cpuMicrosOf(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Linux reports them in clock ticks, USER_HZ, which is 100 on every architecture Node runs on.
    return ((Number(fields[11]) + Number(fields[12])) / 100) * 1_000_000;
  } catch {
    return null;
  }
}

/** Signs a demo user of the endpoints file in through the Cognito API (USER_PASSWORD_AUTH). */
export async function signIn(endpoints: LocalStackEndpoints, username: string): Promise<Session> {
  const user = endpoints.users.find((u) => u.username === username);
  if (!user) throw new Error(`the endpoints list no demo user ${username}`);
  return cognitoSignIn(endpoints, user.username, user.password);
}

/** The value below which `p` percent of the sorted samples fall (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** What a closed-loop load run measured. */
export interface LoadResult {
  readonly ok: number;
  readonly failed: number;
  /** The first failure's message, to say why a run failed. */
  readonly firstFailure?: string;
  readonly seconds: number;
  /** Successful requests per second. */
  readonly rate: number;
  readonly p50: number;
  readonly p99: number;
  /** Latencies in ms of the successful requests, sorted. */
  readonly latencies: readonly number[];
}

/**
 * Keeps `concurrency` calls in flight for `durationMs` (closed loop: each worker starts its next call as
 * soon as the last one answered). `call(i)` gets a per-run sequence number and throws on failure.
 */
export async function runLoad(
  call: (i: number) => Promise<void>,
  options: { readonly concurrency: number; readonly durationMs: number },
): Promise<LoadResult> {
  const latencies: number[] = [];
  let failed = 0;
  let firstFailure: string | undefined;
  let sequence = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      const i = sequence++;
      const t0 = performance.now();
      try {
        await call(i);
        latencies.push(performance.now() - t0);
      } catch (error) {
        failed += 1;
        firstFailure ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    ok: latencies.length,
    failed,
    ...(firstFailure ? { firstFailure } : {}),
    seconds,
    rate: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    latencies,
  };
}

/** Merges the results of several rounds of one measurement. */
export function mergeResults(results: readonly LoadResult[]): LoadResult {
  const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const seconds = results.reduce((sum, r) => sum + r.seconds, 0);
  const failed = results.reduce((sum, r) => sum + r.failed, 0);
  const firstFailure = results.find((r) => r.firstFailure)?.firstFailure;
  return {
    ok: latencies.length,
    failed,
    ...(firstFailure ? { firstFailure } : {}),
    seconds,
    rate: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    latencies,
  };
}

/** Megabytes, rounded, for printing. */
export const mb = (bytes: number | null | undefined): string =>
  bytes === null || bytes === undefined ? 'n/a' : `${Math.round(bytes / 1024 / 1024)} MB`;
