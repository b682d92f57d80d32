import { type Context, util } from '@aws-appsync/utils';
import { callerOf } from '../domain/identity.js';
import type { MutationUpdateVendorOrderStatusArgs, VendorOrder } from './generated/schema.js';

/**
 * updateVendorOrderStatus, before step: a vendor moves only its own part, an admin any; SHIPPED needs
 * tracking.
 */
export function request(ctx: Context<MutationUpdateVendorOrderStatusArgs>) {
  const input = ctx.args.input;
  const caller = callerOf(ctx.identity);
  if (caller.kind === 'vendor' && caller.vendorId !== input.vendorId) util.unauthorized();
  if (caller.kind !== 'vendor' && caller.kind !== 'admin') util.unauthorized();
  const tracking = input.tracking;
  if (
    input.status === 'SHIPPED' &&
    (!tracking || tracking.carrier.trim() === '' || tracking.trackingNumber.trim() === '')
  ) {
    util.error('tracking with a carrier and a tracking number is required to ship', 'ValidationError', null, {
      field: 'tracking',
      reason: 'required when status is SHIPPED',
    });
  }
  ctx.stash.orderId = input.orderId;
  ctx.stash.now = util.time.nowISO8601();
  return {};
}

/** The vendor order as it is after the change. */
export function response(ctx: Context<MutationUpdateVendorOrderStatusArgs>): VendorOrder {
  return ctx.prev.result as VendorOrder;
}
