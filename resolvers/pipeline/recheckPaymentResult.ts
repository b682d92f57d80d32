import { type Context, runtime, util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';
import { orderKey } from '../../domain/keys.js';
import { canTransition } from '../../domain/orderProcess.js';
import { orderFromItemOrNull, paymentView, type OrderItem } from '../../domain/views.js';
import type { MutationRecordPaymentResultArgs, Payment } from '../../domain/generated/schema.js';
import type { RecordPaymentResultStash } from '../lib/stash.js';
import { fail } from '../lib/errors.js';
import { businessError } from '../../domain/errors.js';

/**
 * recordPaymentResult, step 5 (table), only after a charge result's write failed its condition on the
 * order confirmOrderItem read consistently (writeConfirmedPaymentResult): reads the order again,
 * consistently. Two runs of one attempt at once (a redelivered payment.requested, or a Lambda
 * retry overlapping a slow run) both read the order while it waited for the result; the one whose write
 * lost finds here the result the other recorded, and answers as a repeat does (the payment as stored,
 * audience INTERNAL, nothing pushed) instead of failing: its request's notice fields ran after it and may
 * have stored a notice, which the consumer mails only from an answer without errors. An order still
 * waiting for this attempt changed in some other way: ConcurrentModification, the caller retries.
 * Otherwise passes the payment on.
 */
export function request(ctx: Context<MutationRecordPaymentResultArgs, RecordPaymentResultStash>) {
  if (!ctx.stash.recheck) runtime.earlyReturn(ctx.prev.result);
  return ddb.get({ key: orderKey(ctx.stash.orderId), consistentRead: true });
}

/** The payment as another call recorded it, or ConcurrentModification. */
export function response(ctx: Context<MutationRecordPaymentResultArgs, RecordPaymentResultStash>): Payment {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const current = orderFromItemOrNull(ctx.result as OrderItem | null);
  if (!current) fail(businessError('NotFound', `Order ${ctx.stash.orderId} not found`, null));
  const input = ctx.args.input;
  const to = input.status === 'SUCCEEDED' ? 'PAID' : 'PAYMENT_FAILED';
  const waiting = current.payment?.attempts === input.attempt && canTransition(current.status, to, 'SYSTEM');
  if (waiting) {
    fail(
      businessError(
        'ConcurrentModification',
        'The order changed while the result was recorded; retry the call',
        null,
      ),
    );
  }
  // Nothing was written: the answer is the order as it is now, as for a repeat (writePaymentResult).
  ctx.stash.order = current;
  ctx.stash.updated = undefined;
  return paymentView(current, current.payment) as Payment;
}
