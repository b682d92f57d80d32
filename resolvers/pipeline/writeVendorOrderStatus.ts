import { type Context, util } from '@aws-appsync/utils';
import { callerOf } from '../../domain/identity.js';
import { transitionVendorOrder } from '../../domain/transition.js';
import { vendorOrderView } from '../../domain/views.js';
import { fail } from '../lib/errors.js';
import { conditionalUpdateItem } from '../lib/transact.js';
import type { MutationUpdateVendorOrderStatusArgs } from '../../domain/generated/schema.js';
import type { UpdateVendorOrderStatusStash } from '../lib/stash.js';
import { businessError } from '../../domain/errors.js';

/**
 * updateVendorOrderStatus, step 2 (table): one conditional UpdateItem of the order item, the one copy of
 * its parts (the embedded vendor status, tracking, the parent status derived from all vendor orders,
 * version + 1, one history entry), conditional on what was read and checked by domain/transition.ts.
 *
 * DELIVERED → COMPLETED is not made here: the stream shows only an item's final image, so subscribers
 * would never see DELIVERED. The sweeper consumer closes delivered orders in a write of its own.
 */
export function request(ctx: Context<MutationUpdateVendorOrderStatusArgs, UpdateVendorOrderStatusStash>) {
  const input = ctx.args.input;
  const order = ctx.stash.order;
  const now = ctx.stash.now;
  const caller = callerOf(ctx.identity);
  const actor = { type: caller.kind === 'admin' ? ('ADMIN' as const) : ('VENDOR' as const), id: caller.id };
  const tracking = input.tracking
    ? {
        carrier: input.tracking.carrier,
        trackingNumber: input.tracking.trackingNumber,
        url: input.tracking.url ?? null,
      }
    : undefined;
  const moved = transitionVendorOrder(order, input.vendorId, input.status, actor, now, {
    tracking,
    reason: input.reason ?? null,
  });
  if (!moved.ok) fail(moved.error);
  ctx.stash.updated = vendorOrderView(moved.change.order, moved.change.vendorOrder);
  return conditionalUpdateItem(moved.change.orderUpdate.key, moved.change.orderUpdate.parts);
}

/** A failed condition means the order (or its part) changed since it was read. */
export function response(ctx: Context<MutationUpdateVendorOrderStatusArgs, UpdateVendorOrderStatusStash>) {
  if (ctx.error) {
    if (ctx.error.type === 'DynamoDB:ConditionalCheckFailedException') {
      fail(
        businessError(
          'ConcurrentModification',
          'The order changed while it was updated; retry the call',
          null,
        ),
      );
    }
    util.error(ctx.error.message, ctx.error.type);
  }
  return ctx.stash.updated;
}
