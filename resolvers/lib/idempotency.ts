import type { IdempotencyStash } from '../pipeline/getIdempotencyRecord.js';
import { fail } from './errors.js';
import { businessError } from '../../domain/errors.js';

/** A transaction's cancellation reasons as the DynamoDB data source reports them. */
export type CancellationReasons = { type: string; item?: Record<string, unknown> }[];

/**
 * For a transaction whose first item is the idempotency record: when that record's condition cancelled
 * it, the key was used before — returns the first call's result id for the same payload, and fails with
 * IdempotencyConflict for another payload. Null when something else cancelled the transaction.
 */
export function replayedResultId(reasons: CancellationReasons, idem: IdempotencyStash): string | null {
  const first = reasons[0];
  if (!first || first.type !== 'ConditionalCheckFailed') return null;
  return replayIdOf(first.item ?? {}, idem);
}

/**
 * The first call's result id from its idempotency record, for the same payload; fails with
 * IdempotencyConflict when the key was used with another payload.
 */
export function replayIdOf(record: Record<string, unknown>, idem: IdempotencyStash): string {
  if (record['request'] !== idem.request) {
    fail(
      businessError(
        'IdempotencyConflict',
        `The idempotency key ${idem.key} was used before with a different payload`,
        { idempotencyKey: idem.key },
      ),
    );
  }
  return record['resultId'] as string;
}
