import { type Context, util } from '@aws-appsync/utils';
import { callerOf } from '../../domain/identity.js';
import { orderKey, vendorOrderKey } from '../../domain/keys.js';
import { historyEntry } from '../../domain/order.js';
import {
  canTransition,
  canTransitionVendorOrder,
  deriveOrderStatus,
  VENDOR_ACTIVE_ORDER_STATUSES,
} from '../../domain/orderProcess.js';
import {
  embeddedVendorStatus,
  emptyUpdate,
  orderStatusChange,
  tableNameOf,
  vendorOrderStatusChange,
} from '../../domain/writes.js';
import { conditionalUpdate } from '../lib/transact.js';
import type { MutationUpdateVendorOrderStatusArgs, Order } from '../generated/schema.js';

/**
 * updateVendorOrderStatus, step 2 (table): one transaction updates the vendor-order item and the order
 * item (the embedded vendor status, the parent status derived from all vendor orders, version + 1, one
 * history entry), each conditional on what was read.
 *
 * DELIVERED → COMPLETED is not made here: the stream shows only an item's final image, so subscribers
 * would never see DELIVERED. The sweeper consumer closes delivered orders in a write of its own.
 */
export function request(ctx: Context<MutationUpdateVendorOrderStatusArgs>) {
  const table = tableNameOf(ctx.env);
  if (!table) util.error('The API has no TABLE_NAME environment variable', 'ConfigurationError');
  const input = ctx.args.input;
  const order = ctx.stash.order as Order;
  const now = ctx.stash.now as string;
  const index = order.vendorOrders.findIndex((v) => v.vendorId === input.vendorId);
  const vo = order.vendorOrders[index];
  if (!vo) util.error(`Order ${order.id} has no part for vendor ${input.vendorId}`, 'NotFound');
  if (
    !VENDOR_ACTIVE_ORDER_STATUSES.includes(order.status) ||
    !canTransitionVendorOrder(vo.status, input.status)
  ) {
    util.error(
      `Vendor order ${order.id}/${vo.vendorId} is ${vo.status} (order ${order.status}) and cannot become ${input.status}`,
      'InvalidTransition',
      null,
      { from: vo.status, to: input.status },
    );
  }
  const statuses = order.vendorOrders.map((v) => (v.vendorId === vo.vendorId ? input.status : v.status));
  const derived = deriveOrderStatus(order.status, statuses);
  if (derived !== order.status && !canTransition(order.status, derived)) {
    util.error(
      `Order ${order.id} cannot move from ${order.status} to ${derived}`,
      'InvalidTransition',
      null,
      {
        from: order.status,
        to: derived,
      },
    );
  }
  const caller = callerOf(ctx.identity);
  const reason = input.reason ?? null;
  const tracking = input.tracking
    ? {
        carrier: input.tracking.carrier,
        trackingNumber: input.tracking.trackingNumber,
        url: input.tracking.url ?? null,
      }
    : undefined;
  const entry = historyEntry(
    order.status,
    derived,
    caller.kind === 'admin' ? 'ADMIN' : 'VENDOR',
    caller.id,
    now,
    {
      vendorId: vo.vendorId,
      vendorStatus: input.status,
      reason,
    },
  );
  const parts = embeddedVendorStatus(
    orderStatusChange(emptyUpdate(), order, derived, [entry], now),
    index,
    input.status,
    now,
    {
      tracking,
    },
  );
  const vp = vendorOrderStatusChange(vo, input.status, now, { tracking, reason });
  ctx.stash.updated = {
    ...vo,
    status: input.status,
    tracking: tracking ?? vo.tracking ?? null,
    updatedAt: now,
    version: vo.version + 1,
  };
  return {
    operation: 'TransactWriteItems',
    transactItems: [
      conditionalUpdate(table, vendorOrderKey(order.id, vo.vendorId), vp),
      conditionalUpdate(table, orderKey(order.id), parts),
    ],
  };
}

/** A failed condition means the order or the vendor order changed since it was read. */
export function response(ctx: Context<MutationUpdateVendorOrderStatusArgs>) {
  if (ctx.error) {
    if (ctx.error.type === 'DynamoDB:TransactionCanceledException') {
      util.error('The order changed while it was updated; retry the call', 'ConcurrentModification');
    }
    util.error(ctx.error.message, ctx.error.type);
  }
  return ctx.stash.updated;
}
