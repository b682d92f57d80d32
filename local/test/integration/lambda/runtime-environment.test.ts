import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionArn } from '../../../aws-ids.js';
import { LambdaHost } from '../../../lambda/index.js';
import type { FunctionConfig, FunctionLogEntry } from '../../../lambda/types.js';

const require = createRequire(import.meta.url);
const tracerUrl = pathToFileURL(require.resolve('@aws-lambda-powertools/tracer')).href;

function asset(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'orderloop-runtime-env-'));
  writeFileSync(join(dir, 'index.mjs'), source);
  return dir;
}

const fn = (name: string, codeDir: string, environment: Record<string, string> = {}): FunctionConfig => ({
  name,
  arn: functionArn(name),
  handler: 'index.handler',
  codeDir,
  environment: { POWERTOOLS_SERVICE_NAME: name, ...environment },
  timeoutSeconds: 10,
  memoryMb: 128,
});

// Lambda "Defined runtime environment variables" and the X-Ray "Tracing header" format.
const TRACE_HEADER = /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=[01]$/;

describe('what the local Lambda runtime gives each invocation', () => {
  let host: LambdaHost;
  const logs: FunctionLogEntry[] = [];

  beforeAll(() => {
    host = new LambdaHost({
      functions: [
        fn(
          'env-reader',
          asset(`export const handler = async () => ({
            traceId: process.env._X_AMZN_TRACE_ID,
            initializationType: process.env.AWS_LAMBDA_INITIALIZATION_TYPE,
          });`),
        ),
        fn(
          'traced',
          asset(`import { Tracer } from '${tracerUrl}';
            const tracer = new Tracer();
            export const handler = async (event) => {
              const segment = tracer.getSegment();
              tracer.putAnnotation('orderId', event.orderId);
              if (event.fail) throw new Error('declined');
              return { traced: tracer.isTracingEnabled(), segment: segment?.name ?? null };
            };`),
        ),
      ],
      sendToQueue: async () => undefined,
      onLog: (entry) => logs.push(entry),
      writeLine: () => undefined,
      tracing: true,
    });
  });

  afterAll(() => host.stop());

  it('sets _X_AMZN_TRACE_ID to a new X-Ray trace header on every invocation', async () => {
    // Act
    const first = await host.invokeSync('env-reader', {});
    const second = await host.invokeSync('env-reader', {});
    // Assess
    const ids = [first, second].map((r) => (r.payload as { traceId: string }).traceId);
    expect(ids[0]).toMatch(TRACE_HEADER);
    expect(ids[1]).toMatch(TRACE_HEADER);
    expect(ids[0]).not.toBe(ids[1]);
    expect((first.payload as { initializationType: string }).initializationType).toBe('on-demand');
  });

  it('lets Powertools Tracer find its trace data, so it logs no X-Ray errors', async () => {
    // Act
    const result = await host.invokeSync('traced', { orderId: 'o-1' });
    // Assess
    expect(result.functionError).toBeUndefined();
    expect(result.payload).toMatchObject({ traced: true });
    const lines = logs.filter((l) => l.functionName === 'traced').map((l) => l.line);
    expect(lines.join('\n')).not.toContain('Missing AWS Lambda trace data');
    expect(lines.filter((l) => /\tERROR\t/.test(l))).toEqual([]);
  });

  it("writes the runtime's START, END and REPORT lines, and a failure as one Invoke Error line", async () => {
    // Act
    const ok = await host.invokeSync('traced', { orderId: 'o-2' });
    const failed = await host.invokeSync('traced', { orderId: 'o-3', fail: true });
    // Assess
    const of = (requestId: string) => logs.filter((l) => l.requestId === requestId).map((l) => l.line);
    expect(of(ok.requestId)[0]).toBe(`START RequestId: ${ok.requestId} Version: $LATEST`);
    expect(of(ok.requestId).at(-2)).toBe(`END RequestId: ${ok.requestId}`);
    expect(of(ok.requestId).at(-1)).toMatch(
      new RegExp(
        `^REPORT RequestId: ${ok.requestId}\\tDuration: \\d+\\.\\d\\d ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB$`,
      ),
    );
    const invokeError = of(failed.requestId).find((l) => l.includes('\tERROR\tInvoke Error '))!;
    expect(JSON.parse(invokeError.split('\tInvoke Error \t')[1]!)).toMatchObject({
      errorType: 'Error',
      errorMessage: 'declined',
    });
    expect(failed.functionError).toBe('Unhandled');
  });
});

describe('tracing in the local Lambda runtime, which has no X-Ray daemon', () => {
  let host: LambdaHost;
  const logs: FunctionLogEntry[] = [];
  // What Tracer sees.
  const tracerProbe = `import { Tracer } from '${tracerUrl}';
    const tracer = new Tracer();
    export const handler = async () => ({ traced: tracer.isTracingEnabled(), env: process.env.POWERTOOLS_TRACE_ENABLED });`;

  beforeAll(() => {
    host = new LambdaHost({
      functions: [
        fn('untraced', asset(tracerProbe)),
        fn('opted-in', asset(tracerProbe), { POWERTOOLS_TRACE_ENABLED: 'true' }),
      ],
      sendToQueue: async () => undefined,
      onLog: (entry) => logs.push(entry),
      writeLine: () => undefined,
    });
  });

  afterAll(() => host.stop());

  it('turns Powertools Tracer off by default, and logs nothing about it', async () => {
    // Act
    const result = await host.invokeSync('untraced', {});
    // Assess
    expect(result.payload).toEqual({ traced: false, env: 'false' });
    const lines = logs.filter((l) => l.functionName === 'untraced').map((l) => l.line);
    expect(lines.filter((l) => /\t(ERROR|WARN)\t|X-Ray|trace data/.test(l))).toEqual([]);
  });

  it('keeps tracing on for a function whose own environment turns it on', async () => {
    // Act
    const result = await host.invokeSync('opted-in', {});
    // Assess
    expect(result.payload).toEqual({ traced: true, env: 'true' });
  });
});
