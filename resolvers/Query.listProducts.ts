import { type Context, util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';
import { CATALOG_PARTITION, INDEX, vendorPartition } from '../domain/keys.js';
import { pageSize } from '../domain/paging.js';
import type { Product, ProductConnection, QueryListProductsArgs } from './generated/schema.js';

/** Lists one vendor's products from its partition, or the whole catalog from the byStatus index. */
export function request(ctx: Context<QueryListProductsArgs>) {
  const page = pageSize(ctx.args.limit);
  if (page.error) util.error(page.error, 'ValidationError', null, { field: 'limit', reason: page.error });
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
  return { items: result.items, nextToken: result.nextToken ?? null };
}
