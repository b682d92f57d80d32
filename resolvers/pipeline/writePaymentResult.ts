import { type Context, runtime, util } from '@aws-appsync/utils';
import { orderKey, paymentKey } from '../../domain/keys.js';
import { historyEntry } from '../../domain/order.js';
import { emptyUpdate, orderStatusChange, tableNameOf } from '../../domain/writes.js';
import { conditionalUpdate } from '../lib/transact.js';
import type { MutationRecordPaymentResultArgs, Order, Payment } from '../generated/schema.js';

type StoredOrder = Order & { refundedVendorIds?: string[] | null };

function chargeResult(
  ctx: Context<MutationRecordPaymentResultArgs>,
  table: string,
  order: StoredOrder,
  payment: Payment,
) {
  const input = ctx.args.input;
  const now = ctx.stash.now as string;
  const to = input.status === 'SUCCEEDED' ? 'PAID' : 'PAYMENT_FAILED';
  const updated: Payment = {
    ...payment,
    status: input.status,
    failureReason: input.failureReason ?? null,
    updatedAt: now,
  };
  ctx.stash.updated = updated;
  const entry = historyEntry(order.status, to, 'SYSTEM', null, now, { reason: input.failureReason ?? null });
  const parts = orderStatusChange(emptyUpdate(), order, to, [entry], now);
  parts.names['#payment'] = 'payment';
  parts.names['#attempts'] = 'attempts';
  parts.values[':payment'] = updated;
  parts.values[':attempt'] = input.attempt;
  parts.sets.push('#payment = :payment');
  parts.conditions.push('#payment.#attempts = :attempt');
  return {
    operation: 'TransactWriteItems',
    transactItems: [
      conditionalUpdate(table, orderKey(order.id), parts),
      {
        table,
        operation: 'UpdateItem',
        key: util.dynamodb.toMapValues(paymentKey(order.id, input.attempt)),
        update: {
          expression: 'SET #status = :status, #failureReason = :reason, #updatedAt = :now',
          expressionNames: {
            '#status': 'status',
            '#failureReason': 'failureReason',
            '#updatedAt': 'updatedAt',
          },
          expressionValues: util.dynamodb.toMapValues({
            ':status': input.status,
            ':reason': input.failureReason ?? null,
            ':now': now,
          }),
        },
        condition: { expression: 'attribute_exists(PK)' },
      },
    ],
  };
}

function refundResult(ctx: Context<MutationRecordPaymentResultArgs>, order: StoredOrder, payment: Payment) {
  const input = ctx.args.input;
  const now = ctx.stash.now as string;
  const vendorId = input.vendorId ?? '';
  const amount = input.refundedAmount ?? 0;
  if (vendorId === '' || amount <= 0) {
    util.error('a refund result needs a vendorId and a positive refundedAmount', 'ValidationError', null, {
      field: 'refundedAmount',
      reason: 'a refund result needs a vendorId and a positive refundedAmount',
    });
  }
  const refunded = payment.refundedAmount + amount;
  if (refunded > payment.amount) {
    util.error(
      `refunds of ${refunded} would exceed the payment of ${payment.amount}`,
      'ValidationError',
      null,
      {
        field: 'refundedAmount',
        reason: 'refunds would exceed the payment',
      },
    );
  }
  const updated: Payment = {
    ...payment,
    status: refunded >= payment.amount ? 'REFUNDED' : 'PARTIALLY_REFUNDED',
    refundedAmount: refunded,
    updatedAt: now,
  };
  ctx.stash.updated = updated;
  const names = {
    '#payment': 'payment',
    '#refundedAmount': 'refundedAmount',
    '#refundedVendorIds': 'refundedVendorIds',
    '#updatedAt': 'updatedAt',
    '#version': 'version',
  };
  const values = util.dynamodb.toMapValues({
    ':payment': updated,
    ':vendorList': [vendorId],
    ':vendorId': vendorId,
    ':empty': [],
    ':previous': payment.refundedAmount,
    ':now': now,
    ':one': 1,
  });
  return {
    operation: 'UpdateItem',
    key: util.dynamodb.toMapValues(orderKey(order.id)),
    update: {
      expression:
        'SET #payment = :payment, #refundedVendorIds = list_append(if_not_exists(#refundedVendorIds, :empty), :vendorList), #updatedAt = :now ADD #version :one',
      expressionNames: names,
      expressionValues: values,
    },
    condition: {
      expression: 'NOT contains(#refundedVendorIds, :vendorId) AND #payment.#refundedAmount = :previous',
      expressionNames: names,
      expressionValues: values,
    },
  };
}

/**
 * recordPaymentResult, step 2 (table). A charge result moves a PAYMENT_PENDING order whose current
 * attempt is input.attempt to PAID or PAYMENT_FAILED; a refund result adds one vendor part's refund to
 * refundedAmount without moving the order. A stale or repeated result writes nothing and answers the
 * current payment.
 */
export function request(ctx: Context<MutationRecordPaymentResultArgs>) {
  const table = tableNameOf(ctx.env);
  if (!table) util.error('The API has no TABLE_NAME environment variable', 'ConfigurationError');
  const input = ctx.args.input;
  const order = ctx.stash.order as StoredOrder;
  const payment = order.payment;
  if (!payment)
    util.error(`Order ${order.id} has no payment`, 'InvalidTransition', null, {
      from: order.status,
      to: order.status,
    });
  const refund = input.status === 'REFUNDED' || input.status === 'PARTIALLY_REFUNDED';
  if (!refund) {
    const current = order.status === 'PAYMENT_PENDING' && payment.attempts === input.attempt;
    if (!current) runtime.earlyReturn(payment);
    return chargeResult(ctx, table, order, payment);
  }
  if ((order.refundedVendorIds ?? []).includes(input.vendorId ?? '')) runtime.earlyReturn(payment);
  if (payment.status !== 'SUCCEEDED' && payment.status !== 'PARTIALLY_REFUNDED') {
    util.error(`Order ${order.id} has no settled payment to refund`, 'InvalidTransition', null, {
      from: payment.status,
      to: input.status,
    });
  }
  return refundResult(ctx, order, payment);
}

/** A failed condition means the order changed since it was read: the caller retries. */
export function response(ctx: Context<MutationRecordPaymentResultArgs>): Payment {
  if (ctx.error) {
    const conflict =
      ctx.error.type === 'DynamoDB:TransactionCanceledException' ||
      ctx.error.type === 'DynamoDB:ConditionalCheckFailedException';
    if (conflict)
      util.error('The order changed while the result was recorded; retry the call', 'ConcurrentModification');
    util.error(ctx.error.message, ctx.error.type);
  }
  return ctx.stash.updated as Payment;
}
