import type { Context } from 'aws-lambda';
import type { AppSyncPort } from '../../../functions/lib/events.js';

/** A recording AppSync client: every call is kept, answers come from `answer`. */
export function fakeAppSync(answer: (query: string, variables: unknown) => unknown = () => ({})) {
  const calls: { query: string; variables: Record<string, unknown>; correlationId?: string }[] = [];
  const port: AppSyncPort = {
    async request(document, variables, options) {
      calls.push({
        query: document.toString(),
        variables: variables as Record<string, unknown>,
        correlationId: options?.correlationId,
      });
      return answer(document.toString(), variables) as never;
    },
  };
  return { port, calls };
}

/** A silent logger. */
export const quietLogger = { info: () => undefined, warn: () => undefined, debug: () => undefined };

/** Builds an envelope as the stream enricher puts it on the bus. */
export function envelope(type: string, data: Record<string, unknown>, id = 'evt-1') {
  return { type, version: 1 as const, id, time: '2025-01-01T00:00:00.000Z', correlationId: 'corr-1', data };
}

/** The context object the Lambda runtime passes a handler (Node.js "Lambda context object"). */
export function lambdaContext(requestId: string, functionName = 'orderloop-test'): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/12/01/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
