import { type Context, util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';
import { callerOf } from '../domain/identity.js';
import { customerPartition, INDEX } from '../domain/keys.js';
import { badOrderField, representable } from '../domain/limits.js';
import { pageSize } from '../domain/paging.js';
import { reportLeftOut } from './lib/limits.js';
import type { Order, OrderConnection, QueryMyOrdersArgs } from '../domain/generated/schema.js';
import { fail } from './lib/errors.js';
import { businessError } from '../domain/errors.js';

/** The caller's orders from the byCustomer index, newest first, optionally filtered by status. */
export function request(ctx: Context<QueryMyOrdersArgs>) {
  const page = pageSize(ctx.args.limit);
  if (page.error) fail(businessError('ValidationError', page.error, { field: 'limit', reason: page.error }));
  const caller = callerOf(ctx.identity);
  return ddb.query({
    index: INDEX.byCustomer,
    query: { GSI1PK: { eq: customerPartition(caller.id) } },
    filter: ctx.args.status ? { status: { eq: ctx.args.status } } : undefined,
    scanIndexForward: false,
    limit: page.limit,
    nextToken: ctx.args.nextToken ?? undefined,
  });
}

/** The page and the token for the next one. */
export function response(ctx: Context<QueryMyOrdersArgs>): OrderConnection {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const result = ctx.result as { items: Order[]; nextToken?: string | null };
  const page = representable(result.items, badOrderField, (o) => String(o['id']));
  reportLeftOut('Order', page.left);
  return { items: page.items, nextToken: result.nextToken ?? null };
}
