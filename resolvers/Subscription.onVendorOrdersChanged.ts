import { type Context, extensions, util } from '@aws-appsync/utils';
import { callerOf } from '../domain/identity.js';
import type { SubscriptionOnVendorOrdersChangedArgs } from './generated/schema.js';

/** A vendor may only subscribe to its own vendorId; admins to any. */
export function request(ctx: Context<SubscriptionOnVendorOrdersChangedArgs>) {
  const caller = callerOf(ctx.identity);
  if (caller.kind === 'vendor' && caller.vendorId !== ctx.args.vendorId) util.unauthorized();
  if (caller.kind !== 'vendor' && caller.kind !== 'admin') util.unauthorized();
  return { payload: null };
}

/** Changes to orders that hold the vendor's lines. */
export function response(ctx: Context<SubscriptionOnVendorOrdersChangedArgs>) {
  extensions.setSubscriptionFilter(
    util.transform.toSubscriptionFilter({ vendorIds: { contains: ctx.args.vendorId } }),
  );
  return null;
}
