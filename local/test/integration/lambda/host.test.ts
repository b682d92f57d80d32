import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { functionArn, queueArn } from '../../../aws-ids.js';
import { LambdaHost, type LambdaHostOptions } from '../../../lambda/host.js';
import type { FunctionConfig, FunctionLogEntry, QueueMessageAttribute } from '../../../lambda/types.js';

/** Writes a handler asset the way cdk.out holds one: a directory with index.mjs or index.js. */
function asset(file: string, source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'orderloop-fn-'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, file), source);
  return dir;
}

/** Waits until the condition holds; the test's own timeout bounds the wait. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 10));
}

/** The error a call fails with, or undefined when it succeeds. */
const failure = (call: Promise<unknown>) =>
  call.then(
    () => undefined,
    (error: unknown) => error,
  );

function fn(name: string, codeDir: string, overrides: Partial<FunctionConfig> = {}): FunctionConfig {
  return {
    name,
    arn: functionArn(name),
    handler: 'index.handler',
    codeDir,
    environment: {},
    timeoutSeconds: 3,
    memoryMb: 128,
    ...overrides,
  };
}

interface Sent {
  queueArn: string;
  body: string;
  attributes: Record<string, QueueMessageAttribute>;
}

describe('LambdaHost', () => {
  let host: LambdaHost | undefined;
  const sent: Sent[] = [];
  const logs: FunctionLogEntry[] = [];
  const printed: string[] = [];

  function start(functions: FunctionConfig[], extra: Partial<LambdaHostOptions> = {}) {
    sent.length = 0;
    logs.length = 0;
    printed.length = 0;
    host = new LambdaHost({
      functions,
      sendToQueue: async (queueArn, body, attributes) => {
        sent.push({ queueArn, body, attributes });
      },
      retryDelaysMs: [10, 20],
      onLog: (e) => logs.push(e),
      writeLine: (l) => printed.push(l),
      ...extra,
    });
    return host;
  }

  afterEach(async () => {
    await host?.stop();
    host = undefined;
  });

  it('runs an ESM async handler from its bundled asset and returns its result', async () => {
    // Prepare
    const dir = asset('index.mjs', 'export const handler = async (event) => ({ doubled: event.n * 2 });');
    const lambda = start([fn('esm', dir)]);
    // Act
    const result = await lambda.invokeSync('esm', { n: 21 });
    // Assess
    expect(result.functionError).toBeUndefined();
    expect(result.payload).toEqual({ doubled: 42 });
  });

  it('runs a CommonJS callback handler addressed by its ARN', async () => {
    // Prepare
    const dir = asset(
      'index.js',
      'exports.handler = (event, context, cb) => { cb(null, { name: context.functionName }); };',
    );
    const lambda = start([fn('cjs', dir)]);
    // Act
    const result = await lambda.invokeSync(functionArn('cjs'), {});
    // Assess
    expect(result.payload).toEqual({ name: 'cjs' });
  });

  it('gives the handler the function environment, the standard Lambda variables and the extra endpoints', async () => {
    // Prepare
    const dir = asset(
      'index.mjs',
      `export const handler = async () => ({
        table: process.env.TABLE_NAME, region: process.env.AWS_REGION, fn: process.env.AWS_LAMBDA_FUNCTION_NAME,
        memory: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, version: process.env.AWS_LAMBDA_FUNCTION_VERSION,
        handler: process.env._HANDLER, root: process.env.LAMBDA_TASK_ROOT, key: process.env.AWS_ACCESS_KEY_ID,
        group: process.env.AWS_LAMBDA_LOG_GROUP_NAME, sqs: process.env.AWS_ENDPOINT_URL_SQS,
        leaked: process.env.ORDERLOOP_HOST_ONLY ?? null });`,
    );
    process.env.ORDERLOOP_HOST_ONLY = 'must not leak';
    const lambda = start([fn('envfn', dir, { environment: { TABLE_NAME: 'orders' }, memoryMb: 256 })], {
      extraEnv: { AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:4566' },
    });
    // Act
    const result = await lambda.invokeSync('envfn', {});
    delete process.env.ORDERLOOP_HOST_ONLY;
    // Assess ("Defined runtime environment variables" in the Lambda developer guide)
    expect(result.payload).toEqual({
      table: 'orders',
      region: 'us-east-1',
      fn: 'envfn',
      memory: '256',
      version: '$LATEST',
      handler: 'index.handler',
      root: dir,
      key: 'AKIAORDERLOOPLOCAL00',
      group: '/aws/lambda/envfn',
      sqs: 'http://127.0.0.1:4566',
      leaked: null,
    });
  });

  it('passes a context with the request id, remaining time and invoked ARN', async () => {
    // Prepare
    const dir = asset(
      'index.mjs',
      `export const handler = async (_e, ctx) => ({ id: ctx.awsRequestId, arn: ctx.invokedFunctionArn,
        remaining: ctx.getRemainingTimeInMillis(), mem: ctx.memoryLimitInMB, group: ctx.logGroupName,
        waits: ctx.callbackWaitsForEmptyEventLoop });`,
    );
    const lambda = start([fn('ctx', dir)]);
    // Act
    const result = await lambda.invokeSync('ctx', {});
    // Assess
    const payload = result.payload as Record<string, unknown>;
    expect(payload.id).toBe(result.requestId);
    expect(payload.arn).toBe(functionArn('ctx'));
    expect(payload.remaining).toBeGreaterThan(2000);
    expect(payload.remaining).toBeLessThanOrEqual(3000);
    expect(payload).toMatchObject({ mem: '128', group: '/aws/lambda/ctx', waits: true });
  });

  it('starts the timeout after a cold start: Init longer than the timeout neither times out the invocation nor shortens it', async () => {
    // Prepare: init takes longer than the whole function timeout (Init has its own 10 s).
    const dir = asset(
      'index.mjs',
      `await new Promise((r) => setTimeout(r, 1500));
export const handler = async (_e, ctx) => ctx.getRemainingTimeInMillis();`,
    );
    const lambda = start([fn('slow-init', dir, { timeoutSeconds: 1 })]);
    // Act
    const result = await lambda.invokeSync('slow-init', {});
    // Assess
    expect(result.functionError).toBeUndefined();
    expect(result.payload).toBeGreaterThan(0);
    expect(result.payload).toBeLessThanOrEqual(1000);
    expect(result.logs).toMatch(/\tInit Duration: (\d+)\.\d\d ms/);
  });

  it('prefixes console output with the function name and returns the lines of the request', async () => {
    // Prepare
    const dir = asset(
      'index.mjs',
      `export const handler = async () => { console.log('charging', 42); return 'ok'; };`,
    );
    const lambda = start([fn('payment-processor', dir)]);
    // Act
    const result = await lambda.invokeSync('payment-processor', {});
    // Assess
    expect(printed.some((l) => l.startsWith('[payment-processor] ') && l.endsWith('INFO\tcharging 42'))).toBe(
      true,
    );
    expect(logs).toContainEqual(
      expect.objectContaining({ functionName: 'payment-processor', requestId: result.requestId }),
    );
    expect(result.logs).toContain(`${result.requestId}\tINFO\tcharging 42`);
  });

  it('reports a thrown error as an Unhandled function error with errorType, errorMessage and trace', async () => {
    // Prepare
    const dir = asset(
      'index.mjs',
      `export const handler = async () => { throw new TypeError('card declined'); };`,
    );
    const lambda = start([fn('thrower', dir)]);
    // Act
    const result = await lambda.invokeSync('thrower', {});
    // Assess ("Node.js Lambda function errors": errorType, errorMessage, trace)
    expect(result.functionError).toBe('Unhandled');
    expect(result.payload).toMatchObject({ errorType: 'TypeError', errorMessage: 'card declined' });
    expect(Array.isArray((result.payload as { trace: unknown }).trace)).toBe(true);
  });

  it('fails when the handler outlives its timeout, and recycles the worker', async () => {
    // Prepare
    const dir = asset(
      'index.mjs',
      `let calls = 0; export const handler = async (e) => { calls++; if (e.hang) await new Promise(() => setInterval(() => {}, 1000)); return calls; };`,
    );
    const lambda = start([fn('slow', dir, { timeoutSeconds: 1 })]);
    // Act
    const timedOut = await lambda.invokeSync('slow', { hang: true });
    const after = await lambda.invokeSync('slow', {});
    // Assess
    expect(timedOut.functionError).toBe('Unhandled');
    expect(timedOut.payload).toEqual({
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${timedOut.requestId} Error: Task timed out after 1.00 seconds`,
    });
    expect(after.payload).toBe(1); // a fresh worker: module state started over
  });

  it("starts a function without the host process's node flags, as the Lambda runtime does", async () => {
    // Prepare: the test runner itself runs with loader flags (vitest's --require and --conditions).
    const dir = asset('index.mjs', 'export const handler = async () => process.execArgv;');
    const lambda = start([fn('flags', dir)]);
    // Act
    const result = await lambda.invokeSync('flags', {});
    // Assess
    expect(result.payload).toEqual([]);
  });

  it('keeps a warm worker between invokes', async () => {
    // Prepare
    const dir = asset('index.mjs', 'let calls = 0; export const handler = async () => ++calls;');
    const lambda = start([fn('warm', dir)]);
    // Act
    await lambda.invokeSync('warm', {});
    const second = await lambda.invokeSync('warm', {});
    // Assess
    expect(second.payload).toBe(2);
  });

  it('starts one execution environment per concurrent invocation and reuses them once warm', async () => {
    // Prepare: each invocation waits until three run at once, so none can reuse another's worker.
    const dir = asset(
      'index.mjs',
      `export const handler = async (e) => { Atomics.add(e.running, 0, 1); while (Atomics.load(e.running, 0) < 3) await new Promise((r) => setTimeout(r, 5)); return 'ok'; };`,
    );
    const lambda = start([fn('env', dir)]);
    const running = new Int32Array(new SharedArrayBuffer(4));
    // Act
    await Promise.all([1, 2, 3].map(() => lambda.invokeSync('env', { running })));
    const afterBurst = lambda.environments().env;
    Atomics.store(running, 0, 3);
    await lambda.invokeSync('env', { running });
    await lambda.invokeSync('env', { running });
    // Assess
    expect(afterBurst).toEqual({ idle: 3, busy: 0 });
    expect(lambda.environments().env).toEqual({ idle: 3, busy: 0 });
  });

  /** A function whose Init takes far longer than its invocations, as a bundle with the SDK does. */
  const slowInit = () =>
    asset(
      'index.mjs',
      `const until = Date.now() + 300; while (Date.now() < until);
       export const handler = async (e) => { if (e.running) { Atomics.add(e.running, 0, 1);
         while (Atomics.load(e.running, 0) < 2) await new Promise((r) => setTimeout(r, 5)); } return 'ok'; };`,
    );

  it('hands a burst to the busy environment when it frees before a new one could finish its Init', async () => {
    // Prepare: one warm environment, so its Init and Invoke durations are known.
    const lambda = start([fn('reuse', slowInit())]);
    await lambda.invokeSync('reuse', {});
    // Act
    const results = await Promise.all([1, 2, 3, 4].map(() => lambda.invokeSync('reuse', {})));
    // Assess
    expect(results.map((r) => r.payload)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(lambda.environments().reuse).toEqual({ idle: 1, busy: 0 });
    expect(lambda.environmentStarts().reuse).toMatchObject({ coldStarts: 1, waitedForWarm: 3 });
  });

  it("lets a burst that arrives during a function's first Init wait for that environment instead of starting more", async () => {
    // Prepare
    const lambda = start([fn('first-burst', slowInit())]);
    // Act
    const results = await Promise.all([1, 2, 3, 4].map(() => lambda.invokeSync('first-burst', {})));
    // Assess
    expect(results.map((r) => r.payload)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(lambda.environmentStarts()['first-burst']).toMatchObject({ coldStarts: 1, waitedForWarm: 3 });
  });

  it("starts a new environment for every invocation that finds none idle under environmentReuse 'aws'", async () => {
    // Prepare
    const lambda = start([fn('aws-like', slowInit())], { environmentReuse: 'aws' });
    await lambda.invokeSync('aws-like', {});
    // Act
    await Promise.all([1, 2, 3, 4].map(() => lambda.invokeSync('aws-like', {})));
    // Assess: the first of the burst takes the warm one, the other three start cold, as Lambda does.
    expect(lambda.environmentStarts()['aws-like']).toMatchObject({ coldStarts: 4, waitedForWarm: 0 });
    expect(lambda.environments()['aws-like']).toEqual({ idle: 4, busy: 0 });
  });

  it('starts a new environment after all once a wait for a busy one lasts as long as an Init', async () => {
    // Prepare: warm, then two invocations that each return only once both run at the same time.
    const lambda = start([fn('blocked', slowInit())]);
    const running = new Int32Array(new SharedArrayBuffer(4));
    Atomics.store(running, 0, 2);
    await lambda.invokeSync('blocked', { running });
    Atomics.store(running, 0, 0);
    // Act
    const results = await Promise.all([1, 2].map(() => lambda.invokeSync('blocked', { running })));
    // Assess: the second waited for the first, which could not free, so it started its own.
    expect(results.map((r) => r.payload)).toEqual(['ok', 'ok']);
    expect(lambda.environmentStarts().blocked).toMatchObject({ coldStarts: 2, waitedForWarm: 0 });
  });

  it('shuts an execution environment down once it has been idle too long, so the next invocation starts cold', async () => {
    // Prepare
    const dir = asset('index.mjs', 'let calls = 0; export const handler = async () => ++calls;');
    const lambda = start([fn('idle', dir)], { idleEnvironmentMs: 50 });
    await lambda.invokeSync('idle', {});
    // Act
    while (lambda.environments().idle!.idle > 0) await new Promise((r) => setTimeout(r, 10));
    const next = await lambda.invokeSync('idle', {});
    // Assess: a new environment ran its init again.
    expect(next.payload).toBe(1);
    expect(next.logs).toMatch(/\tInit Duration: /);
  });

  it('fails when the result cannot be serialised to JSON', async () => {
    // Prepare
    const dir = asset(
      'index.mjs',
      'export const handler = async () => { const o = {}; o.self = o; return o; };',
    );
    const lambda = start([fn('circular', dir)]);
    // Act
    const result = await lambda.invokeSync('circular', {});
    // Assess
    expect(result.functionError).toBe('Unhandled');
    expect(result.payload).toMatchObject({
      errorType: 'Runtime.JSONStringifyError',
      errorMessage: 'Unable to stringify response body',
    });
  });

  it('rejects an invoke of an unknown function with ResourceNotFoundException', async () => {
    // Prepare
    const lambda = start([]);
    // Act
    const invoking = lambda.invokeSync('nope', {});
    // Assess
    await expect(invoking).rejects.toMatchObject({ name: 'ResourceNotFoundException', statusCode: 404 });
  });

  it('retries a failing async event twice, then sends it to the DLQ with RequestID, ErrorCode and ErrorMessage', async () => {
    // Prepare
    const dir = asset(
      'index.mjs',
      `export const handler = async (e) => { console.log('attempt'); throw new Error('boom ' + e.orderId); };`,
    );
    const dlq = queueArn('payments-dlq');
    const lambda = start([fn('async-fail', dir, { asyncConfig: { deadLetterArn: dlq } })]);
    // Act
    const { requestId } = await lambda.invokeAsync('async-fail', { orderId: 'o-1' });
    await lambda.whenIdle();
    // Assess ("Dead-letter queues" in "Capturing records of Lambda asynchronous invocations")
    expect(logs.filter((l) => l.line.endsWith('INFO\tattempt'))).toHaveLength(3);
    expect(sent).toEqual([
      {
        queueArn: dlq,
        body: JSON.stringify({ orderId: 'o-1' }),
        attributes: {
          RequestID: { DataType: 'String', StringValue: requestId },
          ErrorCode: { DataType: 'Number', StringValue: '200' },
          ErrorMessage: { DataType: 'String', StringValue: 'boom o-1' },
        },
      },
    ]);
  });

  it('sends an invocation record to the on-failure destination once retries are exhausted', async () => {
    // Prepare
    const dir = asset('index.js', `exports.handler = async () => { throw new Error('nope'); };`);
    const destination = queueArn('on-failure');
    const lambda = start([
      fn('dest', dir, { asyncConfig: { maximumRetryAttempts: 1, onFailureArn: destination } }),
    ]);
    // Act
    const { requestId } = await lambda.invokeAsync('dest', { orderId: 'o-2' });
    await lambda.whenIdle();
    // Assess ("Invocation record" example in "Capturing records of Lambda asynchronous invocations")
    expect(sent).toHaveLength(1);
    expect(sent[0]?.queueArn).toBe(destination);
    const record = JSON.parse(sent[0]!.body) as Record<string, unknown>;
    expect(record).toMatchObject({
      version: '1.0',
      requestContext: {
        requestId,
        functionArn: `${functionArn('dest')}:$LATEST`,
        condition: 'RetriesExhausted',
        approximateInvokeCount: 2,
      },
      requestPayload: { orderId: 'o-2' },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'Error', errorMessage: 'nope' },
    });
    expect(new Date(record.timestamp as string).toISOString()).toBe(record.timestamp);
  });

  it('drops an async event older than maximumEventAgeInSeconds to its destination as EventAgeExceeded', async () => {
    // Prepare
    const dir = asset('index.mjs', `export const handler = async () => { throw new Error('down'); };`);
    let clock = 1_000_000;
    const destination = queueArn('aged');
    const lambda = start(
      [fn('aged', dir, { asyncConfig: { maximumEventAgeInSeconds: 60, onFailureArn: destination } })],
      {
        now: () => clock,
        retryDelaysMs: [5],
      },
    );
    // Act
    await lambda.invokeAsync('aged', {});
    clock += 61_000;
    await lambda.whenIdle();
    // Assess
    const record = JSON.parse(sent[0]!.body) as { requestContext: { condition: string } };
    expect(record.requestContext.condition).toBe('EventAgeExceeded');
  });

  it('throttles a sync invoke over the reserved concurrency with TooManyRequestsException', async () => {
    // Prepare: the handler marks that it runs, then holds its one slot until the test opens the gate.
    const gate = mkdtempSync(join(tmpdir(), 'orderloop-gate-'));
    const dir = asset(
      'index.mjs',
      `import { existsSync, writeFileSync } from 'node:fs';
      export const handler = async () => {
        writeFileSync(${JSON.stringify(join(gate, 'running'))}, '');
        while (!existsSync(${JSON.stringify(join(gate, 'open'))})) await new Promise((r) => setTimeout(r, 10));
        return 1;
      };`,
    );
    const lambda = start([fn('reserved', dir, { reservedConcurrency: 1, timeoutSeconds: 30 })]);
    const first = lambda.invokeSync('reserved', {});
    await until(() => existsSync(join(gate, 'running')));
    // Act
    const second = await failure(lambda.invokeSync('reserved', {}));
    writeFileSync(join(gate, 'open'), '');
    // Assess ("Lambda function scaling": throttled requests get 429 TooManyRequestsException)
    expect(second).toMatchObject({ name: 'TooManyRequestsException', statusCode: 429 });
    expect((await first).payload).toBe(1);
  });

  it('runs queued async events one at a time under a reserved concurrency of one', async () => {
    // Prepare
    const dir = asset(
      'index.mjs',
      `let active = 0; export const handler = async () => { active++; console.log('active=' + active);
        await new Promise((r) => setTimeout(r, 50)); active--; };`,
    );
    const lambda = start([fn('serial', dir, { reservedConcurrency: 1 })]);
    // Act
    await Promise.all([1, 2, 3].map((n) => lambda.invokeAsync('serial', { n })));
    await lambda.whenIdle();
    // Assess
    const actives = logs.filter((l) => l.line.includes('active=')).map((l) => l.line.split('\t').pop());
    expect(actives).toEqual(['active=1', 'active=1', 'active=1']);
  });

  it('runs invocations that wait for a busy function in the order they arrived', async () => {
    // Prepare: one execution at a time, and five invocations queued behind a running one.
    const dir = asset('index.mjs', `export const handler = async (e) => { console.log('n=' + e.n); };`);
    const lambda = start([fn('fifo', dir)], { defaultConcurrency: 1 });
    // Act
    await Promise.all([1, 2, 3, 4, 5, 6].map((n) => lambda.invokeSync('fifo', { n })));
    // Assess: a released slot goes to the longest waiter, so no later arrival overtakes it.
    const order = logs.filter((l) => l.line.includes('n=')).map((l) => l.line.split('\t').pop());
    expect(order).toEqual(['n=1', 'n=2', 'n=3', 'n=4', 'n=5', 'n=6']);
  });
});
