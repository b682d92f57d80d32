import { type Context, extensions, util } from '@aws-appsync/utils';
import { orderEventFilter } from '../domain/audience.js';
import { callerOf } from '../domain/identity.js';
import type { SubscriptionOnOrderStatusChangedArgs } from '../domain/generated/schema.js';

/** Subscribing writes nothing: the NONE data source just echoes. */
export function request(_ctx: Context<SubscriptionOnOrderStatusChangedArgs>) {
  return { payload: null };
}

/**
 * Filters on the caller's identity, not on what the client asks: a customer gets only its own order's
 * customer events, an admin any order's, a vendor only the vendor events of its own part.
 */
export function response(ctx: Context<SubscriptionOnOrderStatusChangedArgs>) {
  const filter = orderEventFilter(callerOf(ctx.identity), ctx.args.orderId);
  if (!filter) util.unauthorized();
  extensions.setSubscriptionFilter(util.transform.toSubscriptionFilter(filter));
  return null;
}
