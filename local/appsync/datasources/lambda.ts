import { isRecord, mappingError, type DataSourceDeps, type DataSourceOutcome } from './types.js';

/** The error a Lambda handler returns in its payload when it throws. */
function unhandled(payload: unknown, functionError: string): DataSourceOutcome {
  const message =
    isRecord(payload) && typeof payload.errorMessage === 'string' ? payload.errorMessage : functionError;
  // A function that throws reaches the resolver as errorType Lambda:Unhandled with the thrown message.
  return { error: { type: 'Lambda:Unhandled', message } };
}

function invokeFailure(err: unknown): DataSourceOutcome {
  const name = err instanceof Error && err.name !== 'Error' ? err.name : 'ServiceException';
  return { error: { type: `Lambda:${name}`, message: err instanceof Error ? err.message : String(err) } };
}

/**
 * Runs a Lambda request object ("JavaScript resolver function reference for Lambda"):
 * `Invoke` sends `payload` as the event and the function's answer becomes ctx.result.
 * `BatchInvoke` is sent as a batch of one (the function receives `[payload]` and its answer's first
 * element is the result) instead of collecting sibling fields into one call, so batching saves nothing
 * locally but the function sees the same event shape. `invocationType: 'Event'` does not wait for the
 * function and yields a null result.
 */
export async function executeLambda(
  functionArn: string,
  request: unknown,
  invokeLambda: DataSourceDeps['invokeLambda'],
): Promise<DataSourceOutcome> {
  if (!isRecord(request)) return mappingError('The request object of a Lambda data source must be an object');
  const { operation, invocationType } = request;
  if (operation !== 'Invoke' && operation !== 'BatchInvoke') {
    return mappingError(
      `Unsupported operation '${String(operation)}'. Supported operations: Invoke, BatchInvoke`,
    );
  }
  if (invocationType !== undefined && invocationType !== 'RequestResponse' && invocationType !== 'Event') {
    return mappingError(
      `invocationType must be RequestResponse or Event, received ${String(invocationType)}`,
    );
  }
  const payload = request.payload ?? null;
  const event = operation === 'BatchInvoke' ? [payload] : payload;
  if (invocationType === 'Event') {
    // Fire and forget, but never leave a rejected promise unobserved.
    invokeLambda(functionArn, event).catch(() => undefined);
    return { result: null };
  }
  try {
    const out = await invokeLambda(functionArn, event);
    if (out.functionError) return unhandled(out.payload, out.functionError);
    if (operation === 'BatchInvoke') {
      if (!Array.isArray(out.payload)) {
        return { error: { type: 'Lambda:Unhandled', message: 'A BatchInvoke function must return a list' } };
      }
      return { result: out.payload[0] ?? null };
    }
    return { result: out.payload ?? null };
  } catch (err) {
    return invokeFailure(err);
  }
}
