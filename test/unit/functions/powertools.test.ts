import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import type { Context } from 'aws-lambda';
import { modelTokensOf } from '@orderloop/local/meter';
import { ROOT } from '../../../infra/bundling.js';
import { envelope, lambdaContext } from './fakes.js';
import { answerResponse } from './assistant-fakes.js';

// The functions run as in Lambda: the runtime's variables (AWS_EXECUTION_ENV and LAMBDA_TASK_ROOT turn on
// Tracer and the X-Ray SDK's Lambda mode) and the ones infra sets (POWERTOOLS_*, the tables, the API).
// Sampled=0: the SDK records nothing and sends nothing, as for any request X-Ray does not sample.
const LAMBDA_ENV = {
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
  LAMBDA_TASK_ROOT: '/var/task',
  _HANDLER: 'index.handler',
  _X_AMZN_TRACE_ID: 'Root=1-67890abc-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=0',
  AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'example-secret',
  POWERTOOLS_SERVICE_NAME: 'orderloop-test',
  POWERTOOLS_METRICS_NAMESPACE: 'orderloop',
  TABLE_NAME: 'orders',
  APPSYNC_URL: 'https://appsync.invalid/graphql',
  BEDROCK_MODEL_ID: 'anthropic.claude-3-haiku-20240307-v1:0',
};

type Handler = (event: unknown, context: Context) => Promise<unknown>;
type Powertools = typeof import('../../../functions/lib/powertools.js');
let powertools: Powertools;
const handlers: Record<string, Handler> = {};
const FUNCTION_DIRS = readdirSync(join(ROOT, 'functions'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'lib')
  .map((d) => d.name);

beforeAll(async () => {
  for (const [name, value] of Object.entries(LAMBDA_ENV)) vi.stubEnv(name, value);
  powertools = await import('../../../functions/lib/powertools.js');
  for (const dir of FUNCTION_DIRS) {
    const mod = (await import(`../../../functions/${dir}/handler.ts`)) as { handler: Handler };
    handlers[dir] = mod.handler;
  }
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** The JSON lines written to stdout while `run` runs (the Logger and Metrics write there, as in Lambda). */
async function stdoutDuring<T>(
  run: () => Promise<T>,
): Promise<{ lines: Record<string, unknown>[]; result: T }> {
  const lines: Record<string, unknown>[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    for (const text of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(text) as never);
    return true;
  });
  try {
    return { lines, result: await run() };
  } finally {
    vi.mocked(process.stdout.write).mockRestore();
  }
}

/** The metric names of the EMF documents among `lines`. */
function emfMetricNames(lines: Record<string, unknown>[]): string[] {
  return lines.flatMap((line) => {
    const aws = line._aws as
      { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string }[] }[] } | undefined;
    return aws ? aws.CloudWatchMetrics.flatMap((m) => m.Metrics.map((x) => `${m.Namespace}/${x.Name}`)) : [];
  });
}

describe('powertoolsHandler', () => {
  it('puts the invocation’s request id, function and cold start on every line the handler logs', async () => {
    // Prepare
    const handler = powertools.powertoolsHandler(async () => {
      powertools.logger.info('working');
      return 'ok';
    });
    // Act
    const { lines, result } = await stdoutDuring(async () => {
      await handler({}, lambdaContext('req-first', 'fn-a'));
      return handler({}, lambdaContext('req-second', 'fn-a'));
    });
    // Assess
    expect(result).toBe('ok');
    const working = lines.filter((l) => l.message === 'working');
    expect(working.map((l) => [l.function_request_id, l.function_name, l.service])).toEqual([
      ['req-first', 'fn-a', 'orderloop-test'],
      ['req-second', 'fn-a', 'orderloop-test'],
    ]);
    expect(working[0]?.xray_trace_id).toBe('1-67890abc-0123456789abcdef01234567');
  });

  it('drops the keys a handler appended once its invocation ends, so the next event does not carry them', async () => {
    // Prepare
    const handler = powertools.powertoolsHandler(async (event: { correlationId?: string }) => {
      if (event.correlationId) powertools.logger.appendKeys({ correlationId: event.correlationId });
      powertools.logger.info('handled');
      return null;
    });
    // Act
    const { lines } = await stdoutDuring(async () => {
      await handler({ correlationId: 'corr-1' }, lambdaContext('req-1'));
      await handler({}, lambdaContext('req-2'));
    });
    // Assess
    expect(lines.filter((l) => l.message === 'handled').map((l) => l.correlationId ?? null)).toEqual([
      'corr-1',
      null,
    ]);
  });

  it('flushes the metrics a handler added once per invocation, also when the handler throws', async () => {
    // Prepare
    const handler = powertools.powertoolsHandler(async (event: { fail: boolean }) => {
      powertools.metrics.addMetric('attempts', MetricUnit.Count, 1);
      if (event.fail) throw new Error('provider down');
      return 'charged';
    });
    // Act
    const { lines } = await stdoutDuring(async () => {
      await expect(handler({ fail: true }, lambdaContext('req-1'))).rejects.toThrow('provider down');
      await handler({ fail: false }, lambdaContext('req-2'));
    });
    // Assess
    expect(emfMetricNames(lines)).toEqual(['orderloop/attempts', 'orderloop/attempts']);
  });

  it('opens the handler subsegment on the invocation’s trace and restores the Lambda segment after it', async () => {
    // Prepare
    const segments: string[] = [];
    const setSegment = powertools.tracer.setSegment.bind(powertools.tracer);
    vi.spyOn(powertools.tracer, 'setSegment').mockImplementation((segment) => {
      segments.push(segment.name);
      setSegment(segment);
    });
    const handler = powertools.powertoolsHandler(async () => powertools.tracer.getSegment()?.name);
    // Act
    const active = await handler({}, lambdaContext('req-1'));
    // Assess
    expect(active).toBe('## index.handler');
    expect(segments).toEqual(['## index.handler', 'facade']);
  });
});

describe('every Lambda handler', () => {
  /** An invocation of each function that touches no AWS service, with what it should answer. */
  const shipped = eventBridge(envelope('order.statusChanged', orderShipped()));
  const quietEvents: Record<string, { event: unknown; answer?: unknown }> = {
    inventory: { event: shipped },
    payment: { event: shipped },
    sweeper: { event: shipped, answer: null },
    notification: {
      event: eventBridge(
        envelope('product.changed', {
          productId: 'p-1',
          vendorId: 'v-1',
          name: 'Headlamp',
          available: 9,
          previousAvailable: 10,
          reserved: 0,
          lowStockThreshold: 3,
        }),
      ),
    },
    'stream-enricher': { event: [], answer: [] },
    'pre-token-generation': { event: tokenEvent() },
    assistant: {
      event: { question: 'Where is my order?', asker: { kind: 'customer', id: 'sub-1', vendorId: null } },
    },
  };

  it('covers every folder under functions/', () => {
    // Assess
    expect(Object.keys(quietEvents).sort()).toEqual([...FUNCTION_DIRS].sort());
  });

  it.each(Object.keys(quietEvents))(
    '%s runs inside the shared Powertools middleware: context on its logs, metrics flushed, a handler subsegment',
    async (dir) => {
      // Prepare
      const bedrock = mockClient(BedrockRuntimeClient);
      bedrock.on(ConverseCommand).resolves(answerResponse('You have no orders yet.'));
      const segments: string[] = [];
      const setSegment = powertools.tracer.setSegment.bind(powertools.tracer);
      vi.spyOn(powertools.tracer, 'setSegment').mockImplementation((segment) => {
        segments.push(segment.name);
        setSegment(segment);
      });
      const { event, answer } = quietEvents[dir]!;
      // Act
      const { lines, result } = await stdoutDuring(async () => {
        const out = await handlers[dir]!(event, lambdaContext(`req-${dir}`, dir));
        powertools.logger.info('probe');
        return out;
      });
      bedrock.restore();
      // Assess
      if (answer !== undefined) expect(result).toEqual(answer);
      const logs = lines.filter((l) => typeof l.message === 'string');
      expect(logs.length).toBeGreaterThan(0);
      for (const line of logs) expect(line.function_request_id).toBe(`req-${dir}`);
      expect(emfMetricNames(lines).length).toBeGreaterThan(0);
      expect(lines.some((l) => l.message === 'No application metrics to publish.')).toBe(false);
      expect(segments[0]).toBe('## index.handler');
    },
  );

  it('logs the assistant’s token usage on its "assistant answered" line, which the cost meter reads', async () => {
    // Prepare
    const bedrock = mockClient(BedrockRuntimeClient);
    bedrock.on(ConverseCommand).resolves(answerResponse('You have no orders yet.'));
    // Act
    const { lines } = await stdoutDuring(() =>
      handlers.assistant!(quietEvents.assistant!.event, lambdaContext('req-ask', 'assistant')),
    );
    bedrock.restore();
    // Assess
    const answered = lines.find((l) => l.message === 'assistant answered');
    expect(answered).toMatchObject({ function_request_id: 'req-ask', source: 'model' });
    expect(modelTokensOf(JSON.stringify(answered))).toEqual({ inputTokens: 730, outputTokens: 41 });
  });
});

/** An EventBridge event as a rule hands it to a consumer. */
function eventBridge(detail: unknown) {
  return {
    version: '0',
    id: 'eb-1',
    'detail-type': 'orderloop.domainEvent',
    source: 'orderloop',
    account: '000000000000',
    time: '2025-01-01T00:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail,
  };
}

/** An order.statusChanged event's data for an order that shipped, which no consumer here acts on. */
function orderShipped() {
  const lines = [
    { vendorId: 'v-1', productId: 'p-1', name: 'Headlamp', quantity: 1, unitPrice: 10, lineTotal: 10 },
  ];
  return {
    orderId: 'o-1',
    customerId: 'c-1',
    vendorIds: ['v-1'],
    status: 'SHIPPED',
    previousStatus: 'FULFILLING',
    total: 10,
    currency: 'USD',
    lines,
    payment: null,
    reason: null,
    actor: 'SYSTEM',
    version: 5,
    at: '2025-01-01T00:00:00.000Z',
    vendorOrders: [],
  };
}

/** A V2_0 pre token generation event of a customer. */
function tokenEvent() {
  return {
    version: '2',
    triggerSource: 'TokenGeneration_Authentication',
    region: 'us-east-1',
    userPoolId: 'us-east-1_example',
    userName: 'someone',
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'client' },
    request: {
      userAttributes: { sub: 'sub-1' },
      groupConfiguration: { groupsToOverride: ['customer'], iamRolesToOverride: [] },
      scopes: [],
    },
    response: { claimsAndScopeOverrideDetails: {} },
  };
}
