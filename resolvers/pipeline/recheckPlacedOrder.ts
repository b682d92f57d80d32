import { type Context, runtime, util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';
import { orderKey } from '../../domain/keys.js';
import type { OrderItem } from '../../domain/views.js';
import { replayedOrder } from '../lib/idempotency.js';
import type { PlaceOrderStash } from '../lib/stash.js';
import { fail } from '../lib/errors.js';
import { businessError, type BusinessError } from '../../domain/errors.js';

/** The error a step would have answered, held back until the order at the key's id is read again. */
export type RecheckStash = BusinessError;

/**
 * placeOrder, after a step that refused or could not write (stash.recheck): reads the order at the id
 * derived from the key again, consistently. A concurrent call with the same key may have placed it after
 * getPlacedOrder's (eventually consistent) read, and taken the stock this call found short: then this
 * call replays that order instead of failing (or is an IdempotencyConflict for another request). Without
 * an order the held-back error stands. Otherwise passes the previous result on.
 */
export function request(ctx: Context<unknown, PlaceOrderStash>) {
  if (!ctx.stash.recheck) runtime.earlyReturn(ctx.prev.result);
  return ddb.get({ key: orderKey(ctx.stash.orderId), consistentRead: true });
}

/** Replays the order for the same payload (it is read consistently, so it is the answer as is). */
export function response(ctx: Context<unknown, PlaceOrderStash>) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const held = ctx.stash.recheck;
  const item = ctx.result as OrderItem | null;
  if (!item) {
    // The request step ran only because an error was held back, so `held` is set here.
    if (held) fail(held);
    fail(businessError('ConcurrentModification', 'The call could not be completed; retry it', null));
  }
  ctx.stash.replayed = replayedOrder(item, ctx.stash.idempotency);
  ctx.stash.replayId = ctx.stash.orderId;
  return null;
}
