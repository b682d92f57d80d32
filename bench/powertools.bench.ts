import { bench, describe } from 'vitest';
import type { Context } from 'aws-lambda';

// The per-invocation cost of the shared Powertools middleware (functions/lib/powertools.ts), which every
// Lambda pays on every event, locally and in AWS: one invocation that logs one line and adds one metric,
// flushed by hand (the raw baseline) against the same work inside powertoolsHandler. Run as in Lambda:
// tracing on, a trace header with Sampled=0 (the local runtime's), so Tracer's subsegment work is counted.
Object.assign(process.env, {
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
  LAMBDA_TASK_ROOT: '/var/task',
  _HANDLER: 'index.handler',
  _X_AMZN_TRACE_ID: 'Root=1-67890abc-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=0',
  AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
  POWERTOOLS_SERVICE_NAME: 'bench',
  POWERTOOLS_METRICS_NAMESPACE: 'orderloop',
});
const { logger, metrics, powertoolsHandler } = await import('../functions/lib/powertools.js');
const { MetricUnit } = await import('@aws-lambda-powertools/metrics');

// The lines go nowhere: the bench measures the functions, not the terminal.
process.stdout.write = (() => true) as typeof process.stdout.write;

const context = {
  awsRequestId: 'req-1',
  functionName: 'bench',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:bench',
  memoryLimitInMB: '512',
  logGroupName: '/aws/lambda/bench',
  logStreamName: 'stream',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} satisfies Context;

const work = async () => {
  logger.info('handled', { orderId: 'o-1' });
  metrics.addMetric('handled', MetricUnit.Count, 1);
  return null;
};
const byHand = async () => {
  const result = await work();
  metrics.publishStoredMetrics();
  return result;
};
const wrapped = powertoolsHandler(work);

describe('one Lambda invocation: logs a line, adds a metric', () => {
  bench('raw baseline: the work and publishStoredMetrics by hand', async () => {
    await byHand();
  });
  bench('powertoolsHandler: logMetrics, injectLambdaContext, captureLambdaHandler', async () => {
    await wrapped({}, context);
  });
});
