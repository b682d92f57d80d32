import { type Context, extensions, util } from '@aws-appsync/utils';
import { vendorEventFilter } from '../domain/audience.js';
import { callerOf } from '../domain/identity.js';
import type { SubscriptionOnVendorOrdersChangedArgs } from './generated/schema.js';

/** A vendor may only subscribe to its own vendorId; admins to any. */
export function request(ctx: Context<SubscriptionOnVendorOrdersChangedArgs>) {
  const caller = callerOf(ctx.identity);
  if (caller.kind === 'vendor' && caller.vendorId !== ctx.args.vendorId) util.unauthorized();
  if (caller.kind !== 'vendor' && caller.kind !== 'admin') util.unauthorized();
  return { payload: null };
}

/** Only the vendor events of that vendor's own parts. */
export function response(ctx: Context<SubscriptionOnVendorOrdersChangedArgs>) {
  extensions.setSubscriptionFilter(util.transform.toSubscriptionFilter(vendorEventFilter(ctx.args.vendorId)));
  return null;
}
