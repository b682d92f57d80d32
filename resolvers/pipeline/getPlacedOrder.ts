import { type Context, util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';
import { orderKey } from '../../domain/keys.js';
import type { OrderItem } from '../../domain/views.js';
import { replayedOrder } from '../lib/idempotency.js';
import type { PlaceOrderStash } from '../lib/stash.js';

/**
 * placeOrder, step 1 (table): reads the order at the id the before step derived from the caller and the
 * idempotency key. The order item is the key's idempotency record: an order there was placed by an
 * earlier call with this key, so the same request is a replay (stash.replayId: the later steps skip their
 * work and getReplayedOrder answers the order, read again consistently) and another is
 * IdempotencyConflict.
 *
 * The read is eventually consistent (half the RRU), because a stale answer is safe both ways. A copy
 * that shows the order is right about it: orders are never deleted, and the lines and the address the
 * request is compared with never change after placement. A copy that lags behind a call that has just
 * placed the order answers "absent", and this call goes on as a first call; but every way on meets a
 * consistent check of the order before it answers. The transaction (writeOrder, writeConfirmedOrder)
 * puts the order on condition that no item has its id, judged on the current item: the order there
 * cancels it (all or nothing, so nothing is written twice) and returns the order, which this call
 * replays, or refuses as a conflict. A refusal before any transaction (confirmCatalog's: not found,
 * invalid, out of stock, busy) is held back for recheckPlacedOrder's consistent read, which replays the
 * order when it is there. readCatalog refuses nothing itself.
 */
export function request(ctx: Context<unknown, PlaceOrderStash>) {
  return ddb.get({ key: orderKey(ctx.stash.orderId), consistentRead: false });
}

/** Sets stash.replayId for an earlier call's order with the same request; fails with IdempotencyConflict otherwise. */
export function response(ctx: Context<unknown, PlaceOrderStash>) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const item = ctx.result as OrderItem | null;
  if (item) {
    replayedOrder(item, ctx.stash.idempotency);
    ctx.stash.replayId = ctx.stash.orderId;
  }
  return null;
}
