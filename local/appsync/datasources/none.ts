import { isRecord, type DataSourceOutcome } from './types.js';

/**
 * "JavaScript resolver function reference for None data source": the request object's `payload`
 * becomes ctx.result unchanged; without a payload the result is null.
 */
export function executeNone(request: unknown): DataSourceOutcome {
  return { result: isRecord(request) && request.payload !== undefined ? request.payload : null };
}
