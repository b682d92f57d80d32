import { type Context, runtime, util } from '@aws-appsync/utils';
import { orderKey } from '../../domain/keys.js';
import { transition, type OrderChange } from '../../domain/transition.js';
import { conditionalUpdateItem } from '../lib/transact.js';
import {
  orderFromItem,
  paymentView,
  storedPaymentOf,
  type OrderItem,
  type StoredPayment,
} from '../../domain/views.js';
import type { MutationRecordPaymentResultArgs, Payment } from '../../domain/generated/schema.js';
import type { RecordPaymentResultStash, StoredOrder } from '../lib/stash.js';
import { fail } from '../lib/errors.js';
import { businessError } from '../../domain/errors.js';

/**
 * A charge result as ONE conditional UpdateItem on the order (the payment lives on the order item; there
 * is no attempt item to update with it): the status change, the payment's new status, and the attempt's
 * token removed (it was kept only for the payment consumer), conditional on the status and version read
 * and on the attempt still being the current one.
 */
function chargeResult(
  ctx: Context<MutationRecordPaymentResultArgs, RecordPaymentResultStash>,
  change: OrderChange<StoredOrder>,
  payment: StoredPayment,
) {
  const input = ctx.args.input;
  const now = ctx.stash.now;
  // The attempt's amount and method, its new status, a reason only if any; its time is the entry's.
  const updated: StoredPayment = {
    amount: payment.amount,
    status: input.status,
    attempts: payment.attempts,
    refundedAmount: payment.refundedAmount,
    updatedAt: now,
  };
  if (payment.method) updated.method = payment.method;
  if (input.failureReason) updated.failureReason = input.failureReason;
  ctx.stash.updated = paymentView(change.order, updated) as Payment;
  const parts = change.orderUpdate.parts;
  parts.names['#payment'] = 'payment';
  parts.names['#attempts'] = 'attempts';
  parts.names['#paymentToken'] = 'paymentToken';
  parts.values[':payment'] = storedPaymentOf(updated, change.order.total, now);
  parts.values[':attempt'] = input.attempt;
  parts.sets.push('#payment = :payment');
  parts.removes.push('#paymentToken');
  parts.conditions.push('#payment.#attempts = :attempt');
  return conditionalUpdateItem(change.orderUpdate.key, parts);
}

/**
 * On readOrderItem's eventually consistent copy (stash.orderRead `eventual`), any answer other than a
 * write waits for confirmOrderItem's consistent read: a refusal, a stale or repeated result, a repeated
 * refund may each be the copy's, and the current order may say otherwise (a result for an attempt the
 * copy does not show yet is the common case). The step answers nothing; the same code runs again on the
 * consistent read (writeConfirmedPaymentResult).
 */
function confirmFirst(ctx: Context<MutationRecordPaymentResultArgs, RecordPaymentResultStash>): never {
  ctx.stash.orderRead = 'confirm';
  return runtime.earlyReturn(null);
}

/**
 * One vendor part's refund as a write that concurrent refunds of other parts do not conflict with: it
 * ADDs the amount to refundedAmount instead of setting a total computed from what was read, and its
 * condition is per refund (this vendor not refunded yet, a settled payment, room left for the amount).
 * Two parts refunded at once both land; settleRefund then marks the payment REFUNDED once the whole
 * amount is back.
 */
function refundResult(
  ctx: Context<MutationRecordPaymentResultArgs, RecordPaymentResultStash>,
  order: StoredOrder,
  payment: StoredPayment,
) {
  const input = ctx.args.input;
  const now = ctx.stash.now;
  const vendorId = input.vendorId ?? '';
  const amount = input.refundedAmount ?? 0;
  const exceeds = payment.refundedAmount + amount > payment.amount;
  if (ctx.stash.orderRead === 'eventual' && (vendorId === '' || amount <= 0 || exceeds)) confirmFirst(ctx);
  if (vendorId === '' || amount <= 0) {
    fail(
      businessError('ValidationError', 'a refund result needs a vendorId and a positive refundedAmount', {
        field: 'refundedAmount',
        reason: 'a refund result needs a vendorId and a positive refundedAmount',
      }),
    );
  }
  if (exceeds) {
    fail(
      businessError(
        'ValidationError',
        `refunds of ${payment.refundedAmount + amount} would exceed the payment of ${payment.amount}`,
        { field: 'refundedAmount', reason: 'refunds would exceed the payment' },
      ),
    );
  }
  ctx.stash.refund = { vendorId, amount };
  const names = {
    '#payment': 'payment',
    '#status': 'status',
    '#refundedAmount': 'refundedAmount',
    '#refundedVendorIds': 'refundedVendorIds',
    '#updatedAt': 'updatedAt',
    '#version': 'version',
  };
  const values = util.dynamodb.toMapValues({
    ':partial': 'PARTIALLY_REFUNDED',
    ':succeeded': 'SUCCEEDED',
    ':amount': amount,
    ':maxBefore': payment.amount - amount,
    ':vendorList': [vendorId],
    ':vendorId': vendorId,
    ':empty': [],
    ':now': now,
    ':one': 1,
  });
  return {
    operation: 'UpdateItem',
    key: util.dynamodb.toMapValues(orderKey(order.id)),
    update: {
      expression:
        'SET #payment.#status = :partial, #payment.#updatedAt = :now, #refundedVendorIds = list_append(if_not_exists(#refundedVendorIds, :empty), :vendorList), #updatedAt = :now ADD #payment.#refundedAmount :amount, #version :one',
      expressionNames: names,
      expressionValues: values,
    },
    condition: {
      expression:
        'NOT contains(#refundedVendorIds, :vendorId) AND #payment.#status IN (:succeeded, :partial) AND #payment.#refundedAmount <= :maxBefore',
      expressionNames: names,
      expressionValues: values,
    },
  };
}

/**
 * recordPaymentResult, steps 2 and 4 (table; writePaymentResult after readOrderItem's eventually
 * consistent read, writeConfirmedPaymentResult after confirmOrderItem's consistent one, skipped
 * otherwise). A charge result moves a PAYMENT_PENDING order whose current attempt is input.attempt to
 * PAID or PAYMENT_FAILED; a refund result adds one vendor part's refund to refundedAmount without moving
 * the order. A stale or repeated result writes nothing and answers the current payment. From the
 * eventually consistent copy only a write is answered (confirmFirst).
 */
export function request(ctx: Context<MutationRecordPaymentResultArgs, RecordPaymentResultStash>) {
  const read = ctx.stash.orderRead;
  if (read !== 'eventual' && read !== 'consistent') runtime.earlyReturn(ctx.prev.result);
  const eventual = read === 'eventual';
  const input = ctx.args.input;
  const order = ctx.stash.order;
  const payment = order.payment;
  if (!payment && eventual) confirmFirst(ctx);
  if (!payment)
    fail(
      businessError('InvalidTransition', `Order ${order.id} has no payment`, {
        from: order.status,
        to: order.status,
      }),
    );
  const refund = input.status === 'REFUNDED' || input.status === 'PARTIALLY_REFUNDED';
  if (!refund) {
    // A result for another attempt, or for an order that no longer waits for one, is stale.
    const to = input.status === 'SUCCEEDED' ? 'PAID' : 'PAYMENT_FAILED';
    const reason = input.failureReason ?? null;
    const moved = transition(order, to, { type: 'SYSTEM', id: null }, ctx.stash.now, { reason });
    if (eventual && (payment.attempts !== input.attempt || !moved.ok)) confirmFirst(ctx);
    if (payment.attempts !== input.attempt) runtime.earlyReturn(paymentView(order, payment));
    if (!moved.ok) runtime.earlyReturn(paymentView(order, payment));
    return chargeResult(ctx, moved.change, payment);
  }
  const repeated = (order.refundedVendorIds ?? []).includes(input.vendorId ?? '');
  const settled = payment.status === 'SUCCEEDED' || payment.status === 'PARTIALLY_REFUNDED';
  if (eventual && (repeated || !settled)) confirmFirst(ctx);
  if (repeated) {
    // A repeat; it still settles a whole refund whose settleRefund did not run (a crash between the two).
    if (payment.refundedAmount >= payment.amount && payment.status !== 'REFUNDED')
      ctx.stash.settleRefund = true;
    runtime.earlyReturn(paymentView(order, payment));
  }
  if (!settled) {
    fail(
      businessError('InvalidTransition', `Order ${order.id} has no settled payment to refund`, {
        from: payment.status,
        to: input.status,
      }),
    );
  }
  return refundResult(ctx, order, payment);
}

/**
 * A refund answers the payment as written (and asks settleRefund to mark it REFUNDED when it is whole); a
 * refund whose condition failed was already recorded (a repeat) and changes nothing. For a charge, a
 * failed condition means the order changed since it was read: recheckPaymentResult reads it again (another
 * run of the attempt may have recorded the result first). Either failed condition, after the eventually
 * consistent read, may only mean an older copy: confirmOrderItem reads the order consistently and the
 * write is decided again (what this step stashed for it is dropped).
 */
export function response(
  ctx: Context<MutationRecordPaymentResultArgs, RecordPaymentResultStash>,
): Payment | null {
  const failed = ctx.error && ctx.error.type === 'DynamoDB:ConditionalCheckFailedException';
  if (failed && ctx.stash.orderRead === 'eventual') {
    ctx.stash.orderRead = 'confirm';
    ctx.stash.refund = undefined;
    ctx.stash.updated = undefined;
    return null;
  }
  if (!ctx.error) ctx.stash.orderRead = 'written';
  if (ctx.stash.refund) {
    if (ctx.error && ctx.error.type === 'DynamoDB:ConditionalCheckFailedException') {
      return paymentView(ctx.stash.order, ctx.stash.order.payment) as Payment;
    }
    if (ctx.error) util.error(ctx.error.message, ctx.error.type);
    const payment = paymentView(ctx.stash.order, orderFromItem(ctx.result as OrderItem).payment) as Payment;
    if (payment.refundedAmount >= payment.amount) ctx.stash.settleRefund = true;
    return payment;
  }
  if (ctx.error) {
    if (ctx.error.type === 'DynamoDB:ConditionalCheckFailedException') {
      ctx.stash.recheck = true;
      return paymentView(ctx.stash.order, ctx.stash.order.payment) as Payment;
    }
    util.error(ctx.error.message, ctx.error.type);
  }
  const updated = ctx.stash.updated;
  if (!updated) util.error('The charge result was written without its payment', 'InternalFailure');
  return updated;
}
