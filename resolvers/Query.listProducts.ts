import { type Context, util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';
import { CATALOG_PARTITION, INDEX, vendorPartition } from '../domain/keys.js';
import { badProductField, MAX_ID_LENGTH, representable } from '../domain/limits.js';
import { pageSize } from '../domain/paging.js';
import { reportLeftOut, rejectTooLong } from './lib/limits.js';
import type { Product, ProductConnection, QueryListProductsArgs } from '../domain/generated/schema.js';
import { fail } from './lib/errors.js';
import { businessError } from '../domain/errors.js';

/** Lists one vendor's products from its partition, or the whole catalog from the byStatus index. */
export function request(ctx: Context<QueryListProductsArgs>) {
  const page = pageSize(ctx.args.limit);
  if (page.error) fail(businessError('ValidationError', page.error, { field: 'limit', reason: page.error }));
  rejectTooLong([['vendorId', ctx.args.vendorId, MAX_ID_LENGTH]]);
  const nextToken = ctx.args.nextToken ?? undefined;
  if (ctx.args.vendorId) {
    return ddb.query({
      query: { PK: { eq: vendorPartition(ctx.args.vendorId) }, SK: { beginsWith: 'PRODUCT#' } },
      limit: page.limit,
      nextToken,
    });
  }
  return ddb.query({
    index: INDEX.byStatus,
    query: { GSI3PK: { eq: CATALOG_PARTITION } },
    limit: page.limit,
    nextToken,
  });
}

/** Returns the page and the token for the next one. */
export function response(ctx: Context<QueryListProductsArgs>): ProductConnection {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const result = ctx.result as { items: Product[]; nextToken?: string | null };
  const page = representable(result.items, badProductField, (p) => `${p['vendorId']}/${p['productId']}`);
  reportLeftOut('Product', page.left);
  return { items: page.items, nextToken: result.nextToken ?? null };
}
