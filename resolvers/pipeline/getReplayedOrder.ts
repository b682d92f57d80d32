import { type Context, runtime, util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';
import { orderKey } from '../../domain/keys.js';
import type { Order } from '../../domain/generated/schema.js';
import { orderFromItem, orderView, type OrderItem } from '../../domain/views.js';
import type { IdempotentCallStash } from '../lib/stash.js';
import { fail } from '../lib/errors.js';
import { businessError } from '../../domain/errors.js';

/**
 * Last step of an idempotent mutation (table): on a replay, reads the order the first call created;
 * otherwise passes the previous result on untouched.
 */
export function request(ctx: Context<unknown, IdempotentCallStash>) {
  if (!ctx.stash.replayId) runtime.earlyReturn(ctx.prev.result);
  return ddb.get({ key: orderKey(ctx.stash.replayId), consistentRead: true });
}

/** The order as it is now. */
export function response(ctx: Context<unknown, IdempotentCallStash>): Order {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  if (!ctx.result) fail(businessError('NotFound', `Order ${ctx.stash.replayId} not found`, null));
  return orderView(orderFromItem(ctx.result as OrderItem));
}
