import type { IdempotencyStash } from '../pipeline/getIdempotencyRecord.js';
import { fail } from './errors.js';
import { businessError } from '../../domain/errors.js';
import { paymentView, type StoredOrder } from '../../domain/views.js';
import type { Payment, PaymentMethod } from '../../domain/generated/schema.js';

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
  rejectOtherPayload(record['request'], idem);
  return record['resultId'] as string;
}

/**
 * processPayment's canonical request as the order's paymentKeys keep it: the method (an enum, so without
 * ':'; empty without one), ':', then the token. The order item holds one per call, so it is as short as
 * an unambiguous form gets (the JSON object kept before, formerPaymentRequestOf, was 24 bytes longer).
 */
export function paymentRequestOf(input: { paymentToken: string; method?: PaymentMethod | null }): string {
  return `${input.method ?? ''}:${input.paymentToken}`;
}

/** processPayment's request in the form orders paid before kept it, which a replay on them still matches. */
export function formerPaymentRequestOf(input: {
  paymentToken: string;
  method?: PaymentMethod | null;
}): string {
  return JSON.stringify({ paymentToken: input.paymentToken, method: input.method ?? null });
}

/** Fails with IdempotencyConflict when the request recorded for the key is not this call's (in any form). */
function rejectOtherPayload(recorded: unknown, idem: IdempotencyStash): void {
  const former = idem.formerRequest;
  if (recorded !== idem.request && (former === undefined || recorded !== former)) {
    fail(
      businessError(
        'IdempotencyConflict',
        `The idempotency key ${idem.key} was used before with a different payload`,
        { idempotencyKey: idem.key },
      ),
    );
  }
}

/**
 * processPayment's idempotency, kept on the order item (no record of its own): the attempt an earlier
 * call with this key started (a replay), or null when the order has not seen the key. Fails with
 * IdempotencyConflict when the key was used on this order with another payload.
 */
export function paymentReplayOf(
  order: { paymentKeys?: Record<string, { request: string; attempt: number }> | null },
  idem: IdempotencyStash,
): number | null {
  const earlier = (order.paymentKeys ?? {})[idem.key];
  if (!earlier) return null;
  rejectOtherPayload(earlier.request, idem);
  return earlier.attempt;
}

/**
 * A processPayment call whose key the order already holds: the order's payment as it is now (the key's
 * attempt started it), or IdempotencyConflict for another payload. Null when the order has not seen it.
 */
export function replayedPayment(order: StoredOrder, idem: IdempotencyStash): Payment | null {
  if (paymentReplayOf(order, idem) === null) return null;
  return paymentView(order, order.payment);
}
