import { type Context, util } from '@aws-appsync/utils';
import { callerOf } from '../domain/identity.js';
import { MAX_ID_LENGTH } from '../domain/limits.js';
import { canonicalOrderRequest, validatePlaceOrder } from '../domain/order.js';
import { rejectTooLong } from './lib/limits.js';
import type { MutationPlaceOrderArgs, Order } from '../domain/generated/schema.js';
import type { PlaceOrderStash } from './lib/stash.js';
import { fail } from './lib/errors.js';
import { businessError } from '../domain/errors.js';

/**
 * placeOrder, before step: the customer comes from the token, never from the input; the input rules are
 * checked before anything is read. The stash carries what the functions share.
 */
export function request(ctx: Context<MutationPlaceOrderArgs, PlaceOrderStash>) {
  const caller = callerOf(ctx.identity);
  if (caller.kind !== 'customer') util.unauthorized();
  rejectTooLong([['idempotencyKey', ctx.args.idempotencyKey, MAX_ID_LENGTH]]);
  const violation = validatePlaceOrder(ctx.args.input);
  if (violation) fail(businessError('ValidationError', violation.reason, violation));
  const header = ctx.request.headers['x-correlation-id'];
  ctx.stash.callerId = caller.id;
  ctx.stash.orderId = util.autoUlid();
  ctx.stash.now = util.time.nowISO8601();
  // Without the client's, the order's id is its correlation id, which the order item then need not store.
  ctx.stash.correlationId = header ? header : ctx.stash.orderId;
  ctx.stash.idempotency = {
    operation: 'placeOrder',
    callerId: caller.id,
    key: ctx.args.idempotencyKey,
    request: canonicalOrderRequest(ctx.args.input),
  };
  return {};
}

/** The new order, or the original one when the idempotency key was used before with the same payload. */
export function response(ctx: Context<MutationPlaceOrderArgs, PlaceOrderStash>): Order {
  return ctx.prev.result as Order;
}
