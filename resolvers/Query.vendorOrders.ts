import { type Context, util } from '@aws-appsync/utils';
import { callerOf } from '../domain/identity.js';
import { vendorOrdersPartitions } from '../domain/keys.js';
import { badVendorOrderField, MAX_ID_LENGTH, representable } from '../domain/limits.js';
import { orderFromItem, vendorOrderView, type OrderItem } from '../domain/views.js';
import { nextListToken, startList } from './lib/listing.js';
import { reportLeftOut, rejectTooLong } from './lib/limits.js';
import type {
  QueryVendorOrdersArgs,
  VendorOrder,
  VendorOrderConnection,
} from '../domain/generated/schema.js';

/**
 * A vendor's parts of orders, newest first, merged from the write shards of its order list: entries of
 * the table itself (PK VENDORORDERS#shard#vendor, SK createdAt#orderId, written once with each order),
 * whose orders the list pipeline then reads; a vendor may only ask for its own. The status filter applies
 * to the vendor's part (ListPlan.partsOf).
 */
export function request(ctx: Context<QueryVendorOrdersArgs>) {
  rejectTooLong([['vendorId', ctx.args.vendorId, MAX_ID_LENGTH]]);
  const caller = callerOf(ctx.identity);
  if (caller.kind === 'vendor' && caller.vendorId !== ctx.args.vendorId) util.unauthorized();
  if (caller.kind !== 'vendor' && caller.kind !== 'admin') util.unauthorized();
  const status = ctx.args.status ?? null;
  startList(
    ctx.stash,
    {
      listId: `vendor|${ctx.args.vendorId}|${status ?? ''}`,
      index: null,
      pkName: 'PK',
      skName: 'SK',
      partitions: vendorOrdersPartitions(ctx.args.vendorId),
      status,
      partsOf: ctx.args.vendorId,
    },
    ctx.args.limit,
    ctx.args.nextToken,
  );
  return {};
}

/**
 * The page (each order answered as the vendor's part of it, vendorOrderView: its own lines, subtotal,
 * status and tracking, nothing else of the order) and the token for the next one.
 */
export function response(ctx: Context<QueryVendorOrdersArgs>): VendorOrderConnection {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const vendorId = ctx.args.vendorId;
  const parts: VendorOrder[] = [];
  for (const item of ctx.prev.result as OrderItem[]) {
    // The whole order: the item derives its id and creation time from its keys (orderFromItem).
    const order = orderFromItem(item);
    const part = order.vendorOrders.find((v) => v.vendorId === vendorId);
    if (part) parts.push(vendorOrderView(order, part));
  }
  const page = representable(
    parts,
    (vo) => badVendorOrderField(vo),
    (vo) => `${vo['orderId']}/${vo['vendorId']}`,
  );
  reportLeftOut('Vendor order', page.left);
  return { items: page.items, nextToken: nextListToken(ctx.stash) };
}
