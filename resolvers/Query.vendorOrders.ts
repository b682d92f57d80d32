import { type Context, util } from '@aws-appsync/utils';
import { callerOf } from '../domain/identity.js';
import { INDEX, LIST_SORT_KEY, vendorOrdersPartitions } from '../domain/keys.js';
import { badVendorOrderField, MAX_ID_LENGTH, representable } from '../domain/limits.js';
import { nextListToken, startList } from './lib/listing.js';
import { reportLeftOut, rejectTooLong } from './lib/limits.js';
import type {
  QueryVendorOrdersArgs,
  VendorOrder,
  VendorOrderConnection,
} from '../domain/generated/schema.js';

/**
 * A vendor's parts of orders, newest first, merged from the write shards of its byVendor partition (every
 * order of the vendor writes one); a vendor may only ask for its own.
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
      index: INDEX.byVendor,
      pkName: 'GSI2PK',
      skName: LIST_SORT_KEY,
      partitions: vendorOrdersPartitions(ctx.args.vendorId),
      status,
    },
    ctx.args.limit,
    ctx.args.nextToken,
  );
  return {};
}

/** The page and the token for the next one. */
export function response(ctx: Context<QueryVendorOrdersArgs>): VendorOrderConnection {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const page = representable(
    ctx.prev.result as VendorOrder[],
    (vo) => badVendorOrderField(vo),
    (vo) => `${vo['orderId']}/${vo['vendorId']}`,
  );
  reportLeftOut('Vendor order', page.left);
  return { items: page.items, nextToken: nextListToken(ctx.stash) };
}
