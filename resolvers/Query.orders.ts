import { type Context, util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';
import { ALL_ORDERS_PARTITION, INDEX, orderStatusPartition } from '../domain/keys.js';
import { badOrderField, representable } from '../domain/limits.js';
import { pageSize } from '../domain/paging.js';
import { reportLeftOut } from './lib/limits.js';
import type { Order, OrderConnection, QueryOrdersArgs } from '../domain/generated/schema.js';
import { fail } from './lib/errors.js';
import { businessError } from '../domain/errors.js';

/**
 * Every order, newest first (admins only, by the schema): one status from its byStatus partition, or all
 * orders from the ALL_ORDERS partition on the byVendor index. Never a Scan.
 */
export function request(ctx: Context<QueryOrdersArgs>) {
  const page = pageSize(ctx.args.limit);
  if (page.error) fail(businessError('ValidationError', page.error, { field: 'limit', reason: page.error }));
  const nextToken = ctx.args.nextToken ?? undefined;
  if (ctx.args.status) {
    return ddb.query({
      index: INDEX.byStatus,
      query: { GSI3PK: { eq: orderStatusPartition(ctx.args.status) } },
      scanIndexForward: false,
      limit: page.limit,
      nextToken,
    });
  }
  return ddb.query({
    index: INDEX.byVendor,
    query: { GSI2PK: { eq: ALL_ORDERS_PARTITION } },
    scanIndexForward: false,
    limit: page.limit,
    nextToken,
  });
}

/** The page and the token for the next one. */
export function response(ctx: Context<QueryOrdersArgs>): OrderConnection {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const result = ctx.result as { items: Order[]; nextToken?: string | null };
  const page = representable(result.items, badOrderField, (o) => String(o['id']));
  reportLeftOut('Order', page.left);
  return { items: page.items, nextToken: result.nextToken ?? null };
}
