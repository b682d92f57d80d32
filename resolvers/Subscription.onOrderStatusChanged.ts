import { type Context, extensions, util } from '@aws-appsync/utils';
import { callerOf } from '../domain/identity.js';
import type { SubscriptionOnOrderStatusChangedArgs } from './generated/schema.js';

/** Subscribing writes nothing: the NONE data source just echoes. */
export function request(_ctx: Context<SubscriptionOnOrderStatusChangedArgs>) {
  return { payload: null };
}

/**
 * Filters on the caller's identity, not on what the client asks: a customer gets only its own order's
 * changes, a vendor only orders with its lines, an admin any order.
 */
export function response(ctx: Context<SubscriptionOnOrderStatusChangedArgs>) {
  const caller = callerOf(ctx.identity);
  const orderId = { eq: ctx.args.orderId };
  if (caller.kind === 'admin') {
    extensions.setSubscriptionFilter(util.transform.toSubscriptionFilter({ orderId }));
  } else if (caller.kind === 'vendor' && caller.vendorId !== null) {
    extensions.setSubscriptionFilter(
      util.transform.toSubscriptionFilter({ orderId, vendorIds: { containsAny: [caller.vendorId] } }),
    );
  } else if (caller.kind === 'customer') {
    extensions.setSubscriptionFilter(
      util.transform.toSubscriptionFilter({ orderId, customerId: { eq: caller.id } }),
    );
  } else {
    util.unauthorized();
  }
  return null;
}
