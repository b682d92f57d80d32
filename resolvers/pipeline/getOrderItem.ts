import { type Context, runtime, util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';
import { orderKey } from '../../domain/keys.js';
import type { ConfirmedOrderReadStash } from '../lib/stash.js';
import { visibleOrder } from '../lib/orderRead.js';
import { fail } from '../lib/errors.js';
import { businessError } from '../../domain/errors.js';

/**
 * Reads the order named by stash.orderId (table, consistent) into stash.order, whole (orderFromItem). An
 * order the caller may not see is NotFound, as for getOrder, so ids cannot be probed.
 *
 * The payment pipelines run it as confirmOrderItem, their step 3: they read the order eventually
 * consistent first (readOrderItem) and set stash.orderRead; this read then runs only when that read
 * could not be written from (`confirm`), for the same write to decide again from the consistent order
 * (writeConfirmedPaymentRequest, writeConfirmedPaymentResult), and otherwise passes the previous result
 * on. Pipelines without the eventual read (no stash.orderRead) always run it.
 */
export function request(ctx: Context<unknown, ConfirmedOrderReadStash>) {
  const read = ctx.stash.orderRead;
  if (read !== undefined && read !== 'confirm') runtime.earlyReturn(ctx.prev.result);
  return ddb.get({ key: orderKey(ctx.stash.orderId), consistentRead: true });
}

/** The whole order; fails with NotFound when the order is missing or not the caller's. */
export function response(ctx: Context<unknown, ConfirmedOrderReadStash>) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const order = visibleOrder(ctx.result, ctx.identity);
  if (!order) fail(businessError('NotFound', `Order ${ctx.stash.orderId} not found`, null));
  ctx.stash.order = order;
  if (ctx.stash.orderRead !== undefined) ctx.stash.orderRead = 'consistent';
  return order;
}
