import { type Context, util } from '@aws-appsync/utils';
import { allOrdersPartitions, INDEX, LIST_SORT_KEY } from '../domain/keys.js';
import { badOrderField, representable } from '../domain/limits.js';
import { orderFromItem, orderView, type OrderItem } from '../domain/views.js';
import { nextListToken, startList } from './lib/listing.js';
import { reportLeftOut } from './lib/limits.js';
import type { OrderConnection, QueryOrdersArgs } from '../domain/generated/schema.js';

/**
 * Every order, newest first (admins only, by the schema), merged from the write shards of the all-orders
 * list on the byVendor index. Never a Scan. A status keeps only orders in it after the read (a page may
 * hold fewer than `limit`, as with a DynamoDB filter): a list per status would be written twice on every
 * status change of every order, for an admin view that needs no index of its own (docs/capacity.md).
 */
export function request(ctx: Context<QueryOrdersArgs>) {
  const status = ctx.args.status ?? null;
  startList(
    ctx.stash,
    {
      listId: `orders|${status ?? ''}`,
      index: INDEX.byVendor,
      pkName: 'GSI2PK',
      skName: LIST_SORT_KEY,
      partitions: allOrdersPartitions(),
      status,
    },
    ctx.args.limit,
    ctx.args.nextToken,
  );
  return {};
}

/** The page and the token for the next one. */
export function response(ctx: Context<QueryOrdersArgs>): OrderConnection {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const orders = (ctx.prev.result as OrderItem[]).map((o) => orderView(orderFromItem(o)));
  const page = representable(orders, badOrderField, (o) => String(o['id']));
  reportLeftOut('Order', page.left);
  return { items: page.items, nextToken: nextListToken(ctx.stash) };
}
