import { type Context, runtime, util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';
import { orderKey } from '../../domain/keys.js';
import type { PaymentStatus } from '../../domain/generated/schema.js';
import type { NoticeStash } from '../lib/stash.js';

/** The payment statuses that show an attempt's result: a refund after payment keeps SUCCEEDED true. */
const ADMITS: Record<string, PaymentStatus[]> = {
  SUCCEEDED: ['SUCCEEDED', 'PARTIALLY_REFUNDED', 'REFUNDED'],
  DECLINED: ['DECLINED'],
  FAILED: ['FAILED'],
};

/** Whether an order's payment shows that attempt `attempt` ended in `result`. */
export function paymentHolds(
  payment: { attempts: number; status: string } | null | undefined,
  attempt: number,
  result: string,
): boolean {
  if (!payment || payment.attempts !== attempt) return false;
  const admitted = ADMITS[result] ?? [];
  return admitted.includes(payment.status as PaymentStatus);
}

/**
 * The gate of a payment notice (table, consistent read). The payment consumer sends its notices as
 * further fields of its recordPaymentResult request; AppSync runs those fields after recordPaymentResult
 * but they cannot read its answer, so each reads the order itself: the notice goes on only when the
 * payment's current attempt is the notice's and holds the notice's result (the attempt's recorded result,
 * not the order's status, so a redelivery after the order was cancelled and refunded still matches).
 * Without a gate (every other notice) the step reads nothing.
 */
export function request(ctx: Context<unknown, NoticeStash>) {
  if (ctx.stash.gate === null || ctx.stash.orderId === null) runtime.earlyReturn(null);
  return ddb.get({ key: orderKey(ctx.stash.orderId ?? ''), consistentRead: true });
}

/** Marks the notice refused when the order is missing or its payment does not hold the result. */
export function response(ctx: Context<unknown, NoticeStash>) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const gate = ctx.stash.gate;
  const order = ctx.result as { payment?: { attempts: number; status: string } | null } | null;
  if (gate !== null && !(order && paymentHolds(order.payment, gate.attempt, gate.result)))
    ctx.stash.refused = true;
  return null;
}
