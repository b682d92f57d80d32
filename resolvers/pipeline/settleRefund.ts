import { type Context, runtime, util } from '@aws-appsync/utils';
import { orderKey } from '../../domain/keys.js';
import type { Payment } from '../../domain/generated/schema.js';
import { orderFromItem, paymentView, type OrderItem } from '../../domain/views.js';
import type { RecordPaymentResultStash } from '../lib/stash.js';

/**
 * recordPaymentResult, step 6 (table): once the refunds add up to the whole payment, marks it REFUNDED.
 * The refunds themselves only add (writePaymentResult), so the last one to land is followed by this
 * write; its condition reads the stored refunds, so it is right whichever refund came last, and a repeat
 * changes nothing. Otherwise passes the previous result on.
 */
export function request(ctx: Context<unknown, RecordPaymentResultStash>) {
  if (!ctx.stash.settleRefund) runtime.earlyReturn(ctx.prev.result);
  const names = { '#payment': 'payment', '#status': 'status', '#refundedAmount': 'refundedAmount' };
  // The payment's amount, which the item need not store (domain/views.ts), never changes once charged.
  const amount = ctx.stash.order.payment ? ctx.stash.order.payment.amount : 0;
  return {
    operation: 'UpdateItem',
    key: util.dynamodb.toMapValues(orderKey(ctx.stash.order.id)),
    update: {
      expression: 'SET #payment.#status = :refunded',
      expressionNames: names,
      expressionValues: util.dynamodb.toMapValues({ ':refunded': 'REFUNDED' }),
    },
    condition: {
      expression: '#payment.#refundedAmount >= :amount',
      expressionNames: names,
      expressionValues: util.dynamodb.toMapValues({ ':amount': amount }),
    },
  };
}

/** The payment as it is now. */
export function response(ctx: Context<unknown, RecordPaymentResultStash>): Payment {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  return paymentView(ctx.stash.order, orderFromItem(ctx.result as OrderItem).payment) as Payment;
}
