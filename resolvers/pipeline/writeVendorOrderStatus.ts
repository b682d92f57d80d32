import { type Context, util } from '@aws-appsync/utils';
import { callerOf } from '../../domain/identity.js';
import { transitionVendorOrder } from '../../domain/transition.js';
import { tableNameOf } from '../../domain/writes.js';
import { vendorOrderView } from '../../domain/views.js';
import { fail } from '../lib/errors.js';
import { conditionalUpdate } from '../lib/transact.js';
import type { MutationUpdateVendorOrderStatusArgs } from '../../domain/generated/schema.js';
import type { UpdateVendorOrderStatusStash } from '../lib/stash.js';
import { businessError } from '../../domain/errors.js';

/**
 * updateVendorOrderStatus, step 2 (table): one transaction updates the vendor-order item and the order
 * item (the embedded vendor status, the parent status derived from all vendor orders, version + 1, one
 * history entry), each conditional on what was read and checked by domain/transition.ts.
 *
 * DELIVERED → COMPLETED is not made here: the stream shows only an item's final image, so subscribers
 * would never see DELIVERED. The sweeper consumer closes delivered orders in a write of its own.
 */
export function request(ctx: Context<MutationUpdateVendorOrderStatusArgs, UpdateVendorOrderStatusStash>) {
  const table = tableNameOf(ctx.env);
  if (!table) util.error('The API has no TABLE_NAME environment variable', 'ConfigurationError');
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
  return {
    operation: 'TransactWriteItems',
    transactItems: moved.change.writes.map((w) => conditionalUpdate(table, w.key, w.parts)),
  };
}

/** A failed condition means the order or the vendor order changed since it was read. */
export function response(ctx: Context<MutationUpdateVendorOrderStatusArgs, UpdateVendorOrderStatusStash>) {
  if (ctx.error) {
    if (ctx.error.type === 'DynamoDB:TransactionCanceledException') {
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
