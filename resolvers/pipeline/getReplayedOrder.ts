import { type Context, runtime, util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';
import { orderKey } from '../../domain/keys.js';
import type { Order } from '../../domain/generated/schema.js';
import { orderFromItem, orderView, type OrderItem } from '../../domain/views.js';
import type { PlaceOrderStash } from '../lib/stash.js';
import { fail } from '../lib/errors.js';
import { businessError } from '../../domain/errors.js';

/**
 * Last step of placeOrder (table): on a replay, the order the first call with the key placed, as it is
 * now. A step that read it consistently (the transaction's failed condition, recheckPlacedOrder) left it
 * in stash.replayed; one found by getPlacedOrder's eventually consistent read is read again here,
 * consistently. Otherwise passes the previous result on untouched.
 */
export function request(ctx: Context<unknown, PlaceOrderStash>) {
  if (!ctx.stash.replayId) runtime.earlyReturn(ctx.prev.result);
  if (ctx.stash.replayed) runtime.earlyReturn(ctx.stash.replayed);
  return ddb.get({ key: orderKey(ctx.stash.replayId), consistentRead: true });
}

/** The order as it is now. */
export function response(ctx: Context<unknown, PlaceOrderStash>): Order {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  if (!ctx.result) fail(businessError('NotFound', `Order ${ctx.stash.replayId} not found`, null));
  return orderView(orderFromItem(ctx.result as OrderItem));
}
