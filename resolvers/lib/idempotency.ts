import { fail } from './errors.js';
import { businessError } from '../../domain/errors.js';
import { canonicalOrderRequest } from '../../domain/order.js';
import {
  orderFromItem,
  orderView,
  paymentView,
  type OrderItem,
  type StoredOrder,
} from '../../domain/views.js';
import type { Order, Payment, PaymentMethod } from '../../domain/generated/schema.js';

/** What a mutation's before step stashes for its idempotency checks. */
export interface IdempotencyStash {
  operation: string;
  callerId: string;
  key: string;
  /** The canonical request; the same key with another payload is a conflict. */
  request: string;
  /** The same request as records written before kept it (a change of canonical form), if it has one. */
  formerRequest?: string;
}

/** A transaction's cancellation reasons as the DynamoDB data source reports them. */
export type CancellationReasons = { type: string; item?: Record<string, unknown> }[];

/**
 * placeOrder's idempotency, kept on the order item (no record of its own): the order at the id derived
 * from the caller and the key (domain/digest.ts derivedId) was placed by an earlier call with that key.
 * Its view when it holds this call's request (a replay); IdempotencyConflict when it holds another. The
 * request is compared with what the order holds (each line's vendorId, productId and quantity, and the
 * shipping address, none of which any write changes after placement), so the order stores no copy of
 * it. The caller is in the hash, so the order is the caller's; the check on customerId only makes sure of
 * that (an order of another customer at that id is a conflict, never a replay of what it holds).
 */
export function replayedOrder(item: OrderItem, idem: IdempotencyStash): Order {
  const order = orderView(orderFromItem(item));
  const held =
    order.customerId === idem.callerId
      ? canonicalOrderRequest({ lines: order.lines, shippingAddress: order.shippingAddress })
      : null;
  rejectOtherPayload(held, idem);
  return order;
}

/**
 * For placeOrder's transaction, whose first item is the order's conditional put: when that condition
 * cancelled it, an order already has the id (a call with this key committed first) — its view for the
 * same payload (the item the failed condition returns is the order as the transaction saw it), or
 * IdempotencyConflict for another. Null when something else cancelled the transaction.
 */
export function replayedPlacement(reasons: CancellationReasons, idem: IdempotencyStash): Order | null {
  const first = reasons[0];
  if (!first || first.type !== 'ConditionalCheckFailed' || !first.item) return null;
  return replayedOrder(first.item as unknown as OrderItem, idem);
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
