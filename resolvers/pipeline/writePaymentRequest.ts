import { type Context, runtime, util } from '@aws-appsync/utils';
import { transition } from '../../domain/transition.js';
import { conditionalUpdateItem } from '../lib/transact.js';
import { replayedPayment } from '../lib/idempotency.js';
import { paymentView, storedPaymentOf, type StoredPayment } from '../../domain/views.js';
import type { MutationProcessPaymentArgs, Payment } from '../../domain/generated/schema.js';
import type { PaymentKeys, ProcessPaymentStash } from '../lib/stash.js';
import { fail } from '../lib/errors.js';

/**
 * processPayment, step 2 (table): ONE conditional UpdateItem on the order (no transaction, no item of its
 * own for the attempt or the idempotency record). It moves the order to PAYMENT_PENDING, sets the payment
 * (attempt + 1, the order total), the attempt's token (the stream turns this MODIFY into
 * payment.requested; recordPaymentResult removes the token) and the call's key with its canonical request
 * in `paymentKeys`, conditional on the status and version read and on the key being new. A call whose key
 * the order already holds writes nothing: it replays, or is an IdempotencyConflict. Keys live as long as
 * the order (no 24-hour expiry) and are scoped to it: the same key on another order is another call.
 */
export function request(ctx: Context<MutationProcessPaymentArgs, ProcessPaymentStash>) {
  const order = ctx.stash.order;
  const idem = ctx.stash.idempotency;
  const now = ctx.stash.now;
  const input = ctx.args.input;
  const replay = replayedPayment(order, idem);
  if (replay) runtime.earlyReturn(replay);
  const moved = transition(order, 'PAYMENT_PENDING', { type: 'CUSTOMER', id: ctx.stash.callerId }, now);
  if (!moved.ok) fail(moved.error);
  const attempt = (order.payment ? order.payment.attempts : 0) + 1;
  // Its orderId and currency are the order's, and its updatedAt the PAYMENT_PENDING entry's (domain/views.ts).
  const payment: StoredPayment = {
    amount: order.total,
    status: 'PENDING',
    attempts: attempt,
    refundedAmount: 0,
    updatedAt: now,
  };
  if (input.method) payment.method = input.method;
  ctx.stash.payment = paymentView(order, payment) as Payment;
  const keys: PaymentKeys = { ...(order.paymentKeys ?? {}) };
  keys[idem.key] = { request: idem.request, attempt };
  const parts = moved.change.orderUpdate.parts;
  parts.names['#payment'] = 'payment';
  parts.names['#paymentToken'] = 'paymentToken';
  parts.names['#paymentKeys'] = 'paymentKeys';
  parts.names['#idemKey'] = idem.key;
  parts.values[':payment'] = storedPaymentOf(payment, order.total, now);
  parts.values[':paymentToken'] = input.paymentToken;
  parts.values[':paymentKeys'] = keys;
  parts.sets.push('#payment = :payment', '#paymentToken = :paymentToken', '#paymentKeys = :paymentKeys');
  parts.conditions.push('attribute_not_exists(#paymentKeys.#idemKey)');
  return conditionalUpdateItem(moved.change.orderUpdate.key, parts);
}

/**
 * The payment as requested. A failed condition means the order changed since it was read: the step
 * after this one (recheckPaymentRequest) reads it again and decides, since a concurrent call with the
 * same key may have won.
 */
export function response(ctx: Context<MutationProcessPaymentArgs, ProcessPaymentStash>): Payment | null {
  if (!ctx.error) return ctx.stash.payment;
  if (ctx.error.type !== 'DynamoDB:ConditionalCheckFailedException')
    util.error(ctx.error.message, ctx.error.type);
  ctx.stash.recheck = true;
  return null;
}
