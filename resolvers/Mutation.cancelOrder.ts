import { type Context, util } from '@aws-appsync/utils';
import { callerOf } from '../domain/identity.js';
import { MAX_ID_LENGTH, MAX_REASON_LENGTH } from '../domain/limits.js';
import { rejectTooLong } from './lib/limits.js';
import type { MutationCancelOrderArgs, Order } from '../domain/generated/schema.js';
import type { CancelOrderStash } from './lib/stash.js';

/** cancelOrder, before step: a customer cancels its own order (checked on read), an admin any order. */
export function request(ctx: Context<MutationCancelOrderArgs, CancelOrderStash>) {
  const caller = callerOf(ctx.identity);
  if (caller.kind !== 'customer' && caller.kind !== 'admin') util.unauthorized();
  rejectTooLong([
    ['orderId', ctx.args.orderId, MAX_ID_LENGTH],
    ['reason', ctx.args.reason, MAX_REASON_LENGTH],
  ]);
  ctx.stash.orderId = ctx.args.orderId;
  ctx.stash.now = util.time.nowISO8601();
  return {};
}

/** The cancelled order. */
export function response(ctx: Context<MutationCancelOrderArgs, CancelOrderStash>): Order {
  return ctx.prev.result as Order;
}
