import { type Context, util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';
import { orderKey } from '../../domain/keys.js';
import type { OrderReadStash } from '../lib/stash.js';
import { visibleOrder } from '../lib/orderRead.js';
import { fail } from '../lib/errors.js';
import { businessError } from '../../domain/errors.js';

/**
 * Reads the order named by stash.orderId (table, consistent) into stash.order, whole (orderFromItem). An order the caller may
 * not see is NotFound, as for getOrder, so ids cannot be probed. Skipped on an idempotent replay.
 * (The payment pipelines read the order with readOrderItem and confirmOrderItem instead.)
 */
export function request(ctx: Context<unknown, OrderReadStash>) {
  return ddb.get({ key: orderKey(ctx.stash.orderId), consistentRead: true });
}

/** The whole order; fails with NotFound when the order is missing or not the caller's. */
export function response(ctx: Context<unknown, OrderReadStash>) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const order = visibleOrder(ctx.result, ctx.identity);
  if (!order) fail(businessError('NotFound', `Order ${ctx.stash.orderId} not found`, null));
  ctx.stash.order = order;
  return order;
}
