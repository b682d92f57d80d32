import { type Context, runtime, util } from '@aws-appsync/utils';
import { idempotencyKey, paymentKey } from '../../domain/keys.js';
import { transition } from '../../domain/transition.js';
import { tableNameOf } from '../../domain/writes.js';
import { conditionalUpdate } from '../lib/transact.js';
import type { RecheckStash } from './recheckIdempotencyRecord.js';
import { replayedResultId, type CancellationReasons } from '../lib/idempotency.js';
import type { MutationProcessPaymentArgs, Payment } from '../../domain/generated/schema.js';
import type { ProcessPaymentStash } from '../lib/stash.js';

/**
 * processPayment, step 3 (table): one transaction moves the order to PAYMENT_PENDING (conditional on the
 * status and version read), puts the payment attempt (the stream turns it into payment.requested) and
 * the idempotency record. Skipped on a replay. An order that cannot be paid any more is not an error yet:
 * recheckIdempotencyRecord decides whether this call replays a concurrent one with the same key.
 */
export function request(ctx: Context<MutationProcessPaymentArgs, ProcessPaymentStash>) {
  if (ctx.stash.replayId) runtime.earlyReturn(null);
  const table = tableNameOf(ctx.env);
  if (!table) util.error('The API has no TABLE_NAME environment variable', 'ConfigurationError');
  const order = ctx.stash.order;
  const idem = ctx.stash.idempotency;
  const now = ctx.stash.now;
  const input = ctx.args.input;
  const moved = transition(order, 'PAYMENT_PENDING', { type: 'CUSTOMER', id: ctx.stash.callerId }, now);
  if (!moved.ok) {
    // Maybe a call with the same key moved it: recheckIdempotencyRecord replays that call, or fails with this.
    const recheck: RecheckStash = moved.error;
    ctx.stash.recheck = recheck;
    runtime.earlyReturn(null);
  }
  const attempt = (order.payment ? order.payment.attempts : 0) + 1;
  const payment: Payment = {
    orderId: order.id,
    amount: order.total,
    currency: order.currency,
    status: 'PENDING',
    method: input.method ?? null,
    attempts: attempt,
    failureReason: null,
    refundedAmount: 0,
    updatedAt: now,
  };
  ctx.stash.payment = payment;
  const parts = moved.change.orderUpdate.parts;
  parts.names['#payment'] = 'payment';
  parts.values[':payment'] = payment;
  parts.sets.push('#payment = :payment');
  const notExists = { expression: 'attribute_not_exists(PK)' };
  return {
    operation: 'TransactWriteItems',
    transactItems: [
      {
        table,
        operation: 'PutItem',
        key: util.dynamodb.toMapValues(idempotencyKey(idem.operation, idem.callerId, idem.key)),
        attributeValues: util.dynamodb.toMapValues({
          entity: 'IDEMPOTENCY',
          request: idem.request,
          resultId: order.id,
          createdAt: now,
          expiresAt: Math.floor(util.time.nowEpochMilliSeconds() / 1000) + 24 * 60 * 60,
        }),
        condition: { ...notExists, returnValuesOnConditionCheckFailure: true },
      },
      conditionalUpdate(table, moved.change.orderUpdate.key, parts),
      {
        table,
        operation: 'PutItem',
        key: util.dynamodb.toMapValues(paymentKey(order.id, attempt)),
        attributeValues: util.dynamodb.toMapValues({
          entity: 'PAYMENT',
          orderId: order.id,
          customerId: order.customerId,
          attempt,
          amount: order.total,
          currency: order.currency,
          paymentToken: input.paymentToken,
          method: input.method ?? null,
          status: 'PENDING',
          createdAt: now,
          correlationId: order.correlationId,
        }),
        condition: notExists,
      },
    ],
  };
}

/**
 * Maps a cancelled transaction: a concurrent replay, an idempotency conflict, or a concurrent change
 * (held back for recheckIdempotencyRecord, since the change may be a call with the same key).
 */
export function response(ctx: Context<MutationProcessPaymentArgs, ProcessPaymentStash>) {
  if (!ctx.error) return ctx.stash.payment;
  if (ctx.error.type !== 'DynamoDB:TransactionCanceledException')
    util.error(ctx.error.message, ctx.error.type);
  const idem = ctx.stash.idempotency;
  const reasons = (ctx.result as { cancellationReasons: CancellationReasons }).cancellationReasons;
  const replayId = replayedResultId(reasons, idem);
  if (replayId !== null) {
    ctx.stash.replayId = replayId;
    return null;
  }
  const recheck: RecheckStash = {
    message: 'The order changed while the payment was recorded; retry the call',
    errorType: 'ConcurrentModification',
    errorInfo: null,
  };
  ctx.stash.recheck = recheck;
  return null;
}
