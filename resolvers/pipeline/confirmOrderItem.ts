import { type Context, runtime, util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';
import { orderKey } from '../../domain/keys.js';
import type { ConfirmedOrderReadStash } from '../lib/stash.js';
import { visibleOrder } from '../lib/orderRead.js';
import { fail } from '../lib/errors.js';
import { businessError } from '../../domain/errors.js';

/**
 * processPayment and recordPaymentResult, step 3 (table), only when readOrderItem's eventually
 * consistent read could not be written from (stash.orderRead `confirm`): reads the order again,
 * consistently, into stash.order, for the same write to decide from (writeConfirmedPaymentRequest,
 * writeConfirmedPaymentResult). A missing order, or one the caller may not see, is NotFound now.
 * Otherwise passes the previous result on.
 */
export function request(ctx: Context<unknown, ConfirmedOrderReadStash>) {
  if (ctx.stash.orderRead !== 'confirm') runtime.earlyReturn(ctx.prev.result);
  return ddb.get({ key: orderKey(ctx.stash.orderId), consistentRead: true });
}

/** The whole order (stash.orderRead `consistent`); fails with NotFound when it is missing or not the caller's. */
export function response(ctx: Context<unknown, ConfirmedOrderReadStash>) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const order = visibleOrder(ctx.result, ctx.identity);
  if (!order) fail(businessError('NotFound', `Order ${ctx.stash.orderId} not found`, null));
  ctx.stash.order = order;
  ctx.stash.orderRead = 'consistent';
  return order;
}
