import { type Context, util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';
import { callerOf } from '../domain/identity.js';
import { INDEX, vendorPartition } from '../domain/keys.js';
import { badVendorOrderField, MAX_ID_LENGTH, representable } from '../domain/limits.js';
import { pageSize } from '../domain/paging.js';
import { reportLeftOut, rejectTooLong } from './lib/limits.js';
import type {
  QueryVendorOrdersArgs,
  VendorOrder,
  VendorOrderConnection,
} from '../domain/generated/schema.js';
import { fail } from './lib/errors.js';
import { businessError } from '../domain/errors.js';

/** A vendor's parts of orders from the byVendor index, newest first; a vendor may only ask for its own. */
export function request(ctx: Context<QueryVendorOrdersArgs>) {
  rejectTooLong([['vendorId', ctx.args.vendorId, MAX_ID_LENGTH]]);
  const caller = callerOf(ctx.identity);
  if (caller.kind === 'vendor' && caller.vendorId !== ctx.args.vendorId) util.unauthorized();
  if (caller.kind !== 'vendor' && caller.kind !== 'admin') util.unauthorized();
  const page = pageSize(ctx.args.limit);
  if (page.error) fail(businessError('ValidationError', page.error, { field: 'limit', reason: page.error }));
  return ddb.query({
    index: INDEX.byVendor,
    query: { GSI2PK: { eq: vendorPartition(ctx.args.vendorId) } },
    filter: ctx.args.status ? { status: { eq: ctx.args.status } } : undefined,
    scanIndexForward: false,
    limit: page.limit,
    nextToken: ctx.args.nextToken ?? undefined,
  });
}

/** The page and the token for the next one. */
export function response(ctx: Context<QueryVendorOrdersArgs>): VendorOrderConnection {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const result = ctx.result as { items: VendorOrder[]; nextToken?: string | null };
  const page = representable(
    result.items,
    (vo) => badVendorOrderField(vo),
    (vo) => `${vo['orderId']}/${vo['vendorId']}`,
  );
  reportLeftOut('Vendor order', page.left);
  return { items: page.items, nextToken: result.nextToken ?? null };
}
