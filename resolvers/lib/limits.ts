import { util } from '@aws-appsync/utils';
import { tooLong, type LengthCheck, type UnrepresentableAmount } from '../../domain/limits.js';
import { fail } from './errors.js';
import { businessError } from '../../domain/errors.js';

/** Fails with a ValidationError naming the first string longer than its limit (domain/limits.ts). */
export function rejectTooLong(checks: readonly LengthCheck[]): void {
  const violation = tooLong(checks);
  if (violation) fail(businessError('ValidationError', violation.reason, violation));
}

/**
 * Reports each item a list left out because an amount does not fit GraphQL's Int, as a partial error
 * (AppSync's util.appendError: the data stays, the error rides along), so the rest of the list answers.
 */
export function reportLeftOut(kind: string, left: readonly UnrepresentableAmount[]): void {
  for (const item of left) {
    util.appendError(
      `${kind} ${item.id} has a ${item.field} outside the GraphQL Int range and is left out`,
      'AmountOutOfRange',
      null,
      { id: item.id, field: item.field },
    );
  }
}
