import { type Context, runtime, util } from '@aws-appsync/utils';
import { transition } from '../../domain/transition.js';
import { conditionalUpdateItem } from '../lib/transact.js';
import { replayedPayment } from '../lib/idempotency.js';
import { paymentView, storedPaymentOf, type StoredPayment } from '../../domain/views.js';
import type { MutationProcessPaymentArgs, Payment } from '../../domain/generated/schema.js';
import type { PaymentKeys, ProcessPaymentStash } from '../lib/stash.js';
import { fail } from '../lib/errors.js';

/**
 * processPayment, steps 2 and 4 (table): ONE conditional UpdateItem on the order (no transaction, no item of its
 * own for the attempt or the idempotency record). It moves the order to PAYMENT_PENDING, sets the payment
 * (attempt + 1, the order total), the attempt's token (the stream turns this MODIFY into
 * payment.requested; recordPaymentResult removes the token) and the call's key with its canonical request
 * in `paymentKeys`, conditional on the status and version read and on the key being new. A call whose key
 * the order already holds writes nothing: it replays, or is an IdempotencyConflict. Keys live as long as
 * the order (no 24-hour expiry) and are scoped to it: the same key on another order is another call.
 *
 * Runs as step 2 on readOrderItem's eventually consistent copy (stash.orderRead `eventual`) and as step
 * 4, writeConfirmedPaymentRequest, on confirmOrderItem's consistent read (`consistent`); it skips
 * otherwise. From the copy it only writes: a key the copy already holds (a replay or a conflict), a move
 * the copy does not allow, or a failed condition waits for the consistent read (`confirm`) instead of
 * being answered, since the current order may say otherwise.
 */
export function request(ctx: Context<MutationProcessPaymentArgs, ProcessPaymentStash>) {
  const read = ctx.stash.orderRead;
  if (read !== 'eventual' && read !== 'consistent') runtime.earlyReturn(ctx.prev.result);
  const order = ctx.stash.order;
  const idem = ctx.stash.idempotency;
  const now = ctx.stash.now;
  const input = ctx.args.input;
  const moved = transition(order, 'PAYMENT_PENDING', { type: 'CUSTOMER', id: ctx.stash.callerId }, now);
  if (read === 'eventual' && ((order.paymentKeys ?? {})[idem.key] || !moved.ok)) {
    ctx.stash.orderRead = 'confirm';
    runtime.earlyReturn(null);
  }
  const replay = replayedPayment(order, idem);
  if (replay) runtime.earlyReturn(replay);
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
 * The payment as requested. A failed condition means the order changed since it was read: after the
 * eventually consistent read it may only have been an older copy, so confirmOrderItem reads it
 * consistently and writeConfirmedPaymentRequest tries again; after the consistent read,
 * recheckPaymentRequest reads it again and decides, since a concurrent call with the same key may have
 * won.
 */
export function response(ctx: Context<MutationProcessPaymentArgs, ProcessPaymentStash>): Payment | null {
  if (!ctx.error) {
    ctx.stash.orderRead = 'written';
    return ctx.stash.payment;
  }
  if (ctx.error.type !== 'DynamoDB:ConditionalCheckFailedException')
    util.error(ctx.error.message, ctx.error.type);
  if (ctx.stash.orderRead === 'eventual') ctx.stash.orderRead = 'confirm';
  else ctx.stash.recheck = true;
  return null;
}
