import { type Context, util } from '@aws-appsync/utils';
import { derivedId } from '../domain/digest.js';
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
 *
 * The order's id is derived from ('placeOrder', the caller, the idempotency key) (domain/digest.ts
 * derivedId: a SHA-256 prefix, 26 Crockford base-32 characters like the ULIDs it replaces), so the
 * order item is the key's idempotency record: no record of its own is written, and the order's
 * conditional put refuses a second placement with the key. The hash keeps the caller out of the id
 * (vendors and admins see ids), and puts the caller in it, so another customer's call with the same key
 * gets another id and nothing of that customer's order. The key maps to its order for the order's life.
 */
export function request(ctx: Context<MutationPlaceOrderArgs, PlaceOrderStash>) {
  const caller = callerOf(ctx.identity);
  if (caller.kind !== 'customer') util.unauthorized();
  rejectTooLong([['idempotencyKey', ctx.args.idempotencyKey, MAX_ID_LENGTH]]);
  const violation = validatePlaceOrder(ctx.args.input);
  if (violation) fail(businessError('ValidationError', violation.reason, violation));
  const header = ctx.request.headers['x-correlation-id'];
  const idem = {
    operation: 'placeOrder',
    callerId: caller.id,
    key: ctx.args.idempotencyKey,
    request: canonicalOrderRequest(ctx.args.input),
  };
  ctx.stash.callerId = caller.id;
  // util.urlEncode hands the hash each part's UTF-8 bytes (APPSYNC_JS has no charCodeAt).
  ctx.stash.orderId = derivedId([
    util.urlEncode(idem.operation),
    util.urlEncode(idem.callerId),
    util.urlEncode(idem.key),
  ]);
  ctx.stash.now = util.time.nowISO8601();
  // Without the client's, the order's id is its correlation id, which the order item then need not store.
  ctx.stash.correlationId = header ? header : ctx.stash.orderId;
  ctx.stash.idempotency = idem;
  return {};
}

/** The new order, or the original one when the idempotency key was used before with the same payload. */
export function response(ctx: Context<MutationPlaceOrderArgs, PlaceOrderStash>): Order {
  return ctx.prev.result as Order;
}
