import { RequestObjectError } from './attribute-values.js';
import { INVALID_PAGE_TOKEN, InvalidPageTokenError } from './page-token.js';
import { mappingError, type DataSourceOutcome } from './types.js';

/**
 * Turns what a DynamoDB call threw into ctx.error. AppSync prefixes the service's error code with
 * `DynamoDB:` ("JavaScript resolver function reference for DynamoDB", error handling), so
 * resolvers can match on `DynamoDB:ConditionalCheckFailedException` and the like.
 */
export function dynamoDbFailure(err: unknown): DataSourceOutcome {
  if (err instanceof RequestObjectError) return mappingError(err.message);
  if (err instanceof InvalidPageTokenError) return { error: { ...INVALID_PAGE_TOKEN } };
  if (err instanceof Error && typeof (err as { $metadata?: unknown }).$metadata === 'object') {
    return { error: { type: `DynamoDB:${err.name}`, message: err.message } };
  }
  // Not a service answer (engine down, socket reset): AppSync reports it as an internal data source failure.
  const message = err instanceof Error ? err.message : String(err);
  return { error: { type: 'DynamoDB:InternalFailure', message } };
}
