import { type Context, util } from '@aws-appsync/utils';
import { callerOf } from '../domain/identity.js';
import { customerPartition, INDEX, LIST_SORT_KEY } from '../domain/keys.js';
import { badOrderField, representable } from '../domain/limits.js';
import { orderFromItem, orderView, type OrderItem } from '../domain/views.js';
import { nextListToken, startList } from './lib/listing.js';
import { reportLeftOut } from './lib/limits.js';
import type { OrderConnection, QueryMyOrdersArgs } from '../domain/generated/schema.js';

/**
 * The caller's orders from the byCustomer index, newest first, optionally in one status (kept after the
 * read, as a DynamoDB filter would). One customer's partition is not hot, so it has a single shard.
 */
export function request(ctx: Context<QueryMyOrdersArgs>) {
  const caller = callerOf(ctx.identity);
  const status = ctx.args.status ?? null;
  startList(
    ctx.stash,
    {
      listId: `customer|${caller.id}|${status ?? ''}`,
      index: INDEX.byCustomer,
      pkName: 'GSI1PK',
      skName: LIST_SORT_KEY,
      partitions: [customerPartition(caller.id)],
      status,
    },
    ctx.args.limit,
    ctx.args.nextToken,
  );
  return {};
}

/** The page and the token for the next one. */
export function response(ctx: Context<QueryMyOrdersArgs>): OrderConnection {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const orders = (ctx.prev.result as OrderItem[]).map((o) => orderView(orderFromItem(o)));
  const page = representable(orders, badOrderField, (o) => String(o['id']));
  reportLeftOut('Order', page.left);
  return { items: page.items, nextToken: nextListToken(ctx.stash) };
}
