import { type Context, util } from '@aws-appsync/utils';
import { callerOf } from '../domain/identity.js';
import { MAX_ID_LENGTH, MAX_REASON_LENGTH, MAX_TRACKING_LENGTH, MAX_URL_LENGTH } from '../domain/limits.js';
import { rejectTooLong } from './lib/limits.js';
import type { MutationUpdateVendorOrderStatusArgs, VendorOrder } from '../domain/generated/schema.js';
import type { UpdateVendorOrderStatusStash } from './lib/stash.js';
import { fail } from './lib/errors.js';
import { businessError } from '../domain/errors.js';

/**
 * updateVendorOrderStatus, before step: a vendor moves only its own part, an admin any; SHIPPED needs
 * tracking.
 */
export function request(ctx: Context<MutationUpdateVendorOrderStatusArgs, UpdateVendorOrderStatusStash>) {
  const input = ctx.args.input;
  const caller = callerOf(ctx.identity);
  if (caller.kind === 'vendor' && caller.vendorId !== input.vendorId) util.unauthorized();
  if (caller.kind !== 'vendor' && caller.kind !== 'admin') util.unauthorized();
  const tracking = input.tracking;
  rejectTooLong([
    ['orderId', input.orderId, MAX_ID_LENGTH],
    ['vendorId', input.vendorId, MAX_ID_LENGTH],
    ['reason', input.reason, MAX_REASON_LENGTH],
    ['tracking.carrier', tracking ? tracking.carrier : null, MAX_TRACKING_LENGTH],
    ['tracking.trackingNumber', tracking ? tracking.trackingNumber : null, MAX_TRACKING_LENGTH],
    ['tracking.url', tracking ? tracking.url : null, MAX_URL_LENGTH],
  ]);
  if (
    input.status === 'SHIPPED' &&
    (!tracking || tracking.carrier.trim() === '' || tracking.trackingNumber.trim() === '')
  ) {
    fail(
      businessError('ValidationError', 'tracking with a carrier and a tracking number is required to ship', {
        field: 'tracking',
        reason: 'required when status is SHIPPED',
      }),
    );
  }
  ctx.stash.orderId = input.orderId;
  ctx.stash.now = util.time.nowISO8601();
  return {};
}

/** The vendor order as it is after the change. */
export function response(
  ctx: Context<MutationUpdateVendorOrderStatusArgs, UpdateVendorOrderStatusStash>,
): VendorOrder {
  return ctx.prev.result as VendorOrder;
}
