import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';

// The one Powertools setup every handler uses (as in Powertools' examples/app `commons/powertools`):
// module singletons, created once per execution environment at init, never per invocation. The service
// name and the metrics namespace come from POWERTOOLS_SERVICE_NAME and POWERTOOLS_METRICS_NAMESPACE, which
// infra/constructs/lambda-defaults.ts sets for every function.

/** The function's logger: JSON lines on stdout, with the invocation's context once the handler runs. */
export const logger = new Logger();

/** The function's metrics (EMF on stdout); its own warnings go through the logger, as JSON. */
export const metrics = new Metrics({ logger });

/** The function's tracer; pass SDK clients through `tracer.captureAWSv3Client`. */
export const tracer = new Tracer();

/** A handler as the Lambda runtime calls it. */
export type LambdaHandler<TEvent, TResult> = (event: TEvent, context: Context) => Promise<TResult>;

/**
 * Wraps a handler in Powertools' Middy middleware, in the order of Powertools' examples/app:
 * - `logMetrics` flushes the stored metrics once after the handler, whether it returned or threw;
 * - `injectLambdaContext` puts the request id, function name, cold start and trace id on every log line,
 *   and `resetKeys` drops the keys the handler appended (an event's correlation id) when it ends;
 * - `captureLambdaHandler` opens the `## <handler>` subsegment and annotates ColdStart and Service. It
 *   does not copy the response into the trace: responses carry orders and answers, and X-Ray drops
 *   trace documents over 64 KB.
 * Errors propagate unchanged, so Lambda's async retries and the dead-letter queues still apply.
 */
export function powertoolsHandler<TEvent, TResult>(handler: LambdaHandler<TEvent, TResult>) {
  return middy(handler)
    .use(logMetrics(metrics))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(captureLambdaHandler(tracer, { captureResponse: false }));
}
