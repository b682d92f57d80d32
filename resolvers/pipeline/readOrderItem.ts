import { type Context, util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';
import { orderKey } from '../../domain/keys.js';
import type { ConfirmedOrderReadStash } from '../lib/stash.js';
import { visibleOrder } from '../lib/orderRead.js';

/**
 * processPayment and recordPaymentResult, step 1 (table): reads the order named by stash.orderId,
 * eventually consistent (half the RRU of getOrderItem's consistent read), into stash.order.
 *
 * A stale answer is safe because nothing is answered from it but a write that lands: the write that
 * follows (writePaymentRequest, writePaymentResult) is conditional on the status and version read (a
 * charge result also on the attempt; a refund's condition is on the stored refunds themselves), so it
 * lands only if the copy was current. Every other outcome of this read waits for confirmOrderItem's
 * consistent read (stash.orderRead `confirm`), and the same write then decides from the current order
 * as a first consistent read would have: no order here (it may have been placed a moment ago: never
 * NotFound from this read alone), a refusal (InvalidTransition, IdempotencyConflict, no payment), a
 * replay or a stale or repeated result (answered from the current order, not from the copy), or a
 * failed condition (an older version: never ConcurrentModification for it).
 */
export function request(ctx: Context<unknown, ConfirmedOrderReadStash>) {
  return ddb.get({ key: orderKey(ctx.stash.orderId), consistentRead: false });
}

/** The order as read (stash.orderRead `eventual`), or null and `confirm` when it is not there. */
export function response(ctx: Context<unknown, ConfirmedOrderReadStash>) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const order = visibleOrder(ctx.result, ctx.identity);
  if (!order) {
    ctx.stash.orderRead = 'confirm';
    return null;
  }
  ctx.stash.order = order;
  ctx.stash.orderRead = 'eventual';
  return order;
}
