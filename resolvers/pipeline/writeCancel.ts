import { type Context, util } from '@aws-appsync/utils';
import { callerOf } from '../../domain/identity.js';
import { orderKey, vendorOrderKey } from '../../domain/keys.js';
import { historyEntry } from '../../domain/order.js';
import { CANCELLABLE_STATUSES, isVendorOrderClosed } from '../../domain/orderProcess.js';
import {
  embeddedVendorStatus,
  emptyUpdate,
  orderStatusChange,
  tableNameOf,
  vendorOrderStatusChange,
} from '../../domain/writes.js';
import { conditionalUpdate } from '../lib/transact.js';
import type { MutationCancelOrderArgs, Order } from '../generated/schema.js';

/**
 * cancelOrder, step 2 (table): one transaction moves the order to CANCELLED and every vendor order that
 * is still open to CANCELLED, each conditional on what was read. Stock release and refunds follow
 * through the stream (inventory and payment consumers).
 */
export function request(ctx: Context<MutationCancelOrderArgs>) {
  const table = tableNameOf(ctx.env);
  if (!table) util.error('The API has no TABLE_NAME environment variable', 'ConfigurationError');
  const order = ctx.stash.order as Order;
  const now = ctx.stash.now as string;
  if (!CANCELLABLE_STATUSES.includes(order.status)) {
    util.error(`Order ${order.id} is ${order.status} and cannot be cancelled`, 'InvalidTransition', null, {
      from: order.status,
      to: 'CANCELLED',
    });
  }
  const caller = callerOf(ctx.identity);
  const reason = ctx.args.reason ?? null;
  const entry = historyEntry(
    order.status,
    'CANCELLED',
    caller.kind === 'admin' ? 'ADMIN' : 'CUSTOMER',
    caller.id,
    now,
    {
      reason,
    },
  );
  const parts = orderStatusChange(emptyUpdate(), order, 'CANCELLED', [entry], now);
  const items: unknown[] = [];
  const vendorOrders = order.vendorOrders.map((vo, i) => {
    if (isVendorOrderClosed(vo.status)) return vo;
    embeddedVendorStatus(parts, i, 'CANCELLED', now);
    const vp = vendorOrderStatusChange(vo, 'CANCELLED', now, { reason });
    items.push(conditionalUpdate(table, vendorOrderKey(order.id, vo.vendorId), vp));
    return { ...vo, status: 'CANCELLED', updatedAt: now, version: vo.version + 1 };
  });
  items.unshift(conditionalUpdate(table, orderKey(order.id), parts));
  ctx.stash.updated = {
    ...order,
    status: 'CANCELLED',
    vendorOrders,
    statusHistory: [...order.statusHistory, entry],
    updatedAt: now,
    version: order.version + 1,
  };
  return { operation: 'TransactWriteItems', transactItems: items };
}

/** A failed condition means the order changed since it was read. */
export function response(ctx: Context<MutationCancelOrderArgs>): Order {
  if (ctx.error) {
    if (ctx.error.type === 'DynamoDB:TransactionCanceledException') {
      util.error('The order changed while it was cancelled; retry the call', 'ConcurrentModification');
    }
    util.error(ctx.error.message, ctx.error.type);
  }
  return ctx.stash.updated as Order;
}
