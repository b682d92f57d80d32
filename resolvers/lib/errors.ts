import { util } from '@aws-appsync/utils';
import type { BusinessError } from '../../domain/errors.js';

/** Answers a business error in AppSync's shape (errorType, message, errorInfo) and stops the resolver. */
export function fail(error: BusinessError): never {
  return util.error(error.message, error.errorType, null, error.errorInfo);
}
