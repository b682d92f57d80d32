import { type Context, extensions, util } from '@aws-appsync/utils';
import { vendorEventFilter } from '../domain/audience.js';
import { callerOf } from '../domain/identity.js';
import type { SubscriptionOnVendorOrdersChangedArgs } from '../domain/generated/schema.js';

/** A vendor may only subscribe to its own vendorId; admins to any. */
export function request(ctx: Context<SubscriptionOnVendorOrdersChangedArgs>) {
  const caller = callerOf(ctx.identity);
  if (caller.kind === 'vendor' && caller.vendorId !== ctx.args.vendorId) util.unauthorized();
  if (caller.kind !== 'vendor' && caller.kind !== 'admin') util.unauthorized();
  return { payload: null };
}

/** A vendor: only the vendor events of its own parts; an admin: the customer events of that vendor's orders. */
export function response(ctx: Context<SubscriptionOnVendorOrdersChangedArgs>) {
  const filter = vendorEventFilter(callerOf(ctx.identity), ctx.args.vendorId);
  if (!filter) util.unauthorized();
  extensions.setSubscriptionFilter(util.transform.toSubscriptionFilter(filter));
  return null;
}
