import { type Context, extensions, util } from '@aws-appsync/utils';
import { placedOrdersFilter } from '../domain/audience.js';
import { callerOf } from '../domain/identity.js';

/** Subscribing writes nothing: the NONE data source just echoes. */
export function request(_ctx: Context) {
  return { payload: null };
}

/**
 * placeOrder's answer, filtered on the caller's identity: a customer gets only its own new orders, an
 * admin every one (no filter), a vendor may not subscribe.
 */
export function response(ctx: Context) {
  const filter = placedOrdersFilter(callerOf(ctx.identity));
  if (!filter) util.unauthorized();
  if (Object.keys(filter).length > 0) {
    extensions.setSubscriptionFilter(util.transform.toSubscriptionFilter(filter));
  }
  return null;
}
