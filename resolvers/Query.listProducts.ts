import { type Context, util } from '@aws-appsync/utils';
import { CATALOG_PARTITION, INDEX, LIST_SORT_KEY, vendorPartition } from '../domain/keys.js';
import { badProductField, MAX_ID_LENGTH, representable } from '../domain/limits.js';
import { nextListToken, startList } from './lib/listing.js';
import { reportLeftOut, rejectTooLong } from './lib/limits.js';
import type { Product, ProductConnection, QueryListProductsArgs } from '../domain/generated/schema.js';

/**
 * One vendor's products (byVendor), or the whole catalog (byStatus), by product. Their index keys never
 * change, so stock moves write no index and neither list needs shards.
 */
export function request(ctx: Context<QueryListProductsArgs>) {
  rejectTooLong([['vendorId', ctx.args.vendorId, MAX_ID_LENGTH]]);
  const vendorId = ctx.args.vendorId ?? null;
  startList(
    ctx.stash,
    vendorId
      ? {
          listId: `products|${vendorId}`,
          index: INDEX.byVendor,
          pkName: 'GSI2PK',
          skName: LIST_SORT_KEY,
          skPrefix: 'PRODUCT#',
          partitions: [vendorPartition(vendorId)],
          forward: true,
        }
      : {
          listId: 'catalog',
          index: INDEX.byStatus,
          pkName: 'GSI3PK',
          skName: LIST_SORT_KEY,
          partitions: [CATALOG_PARTITION],
          forward: true,
        },
    ctx.args.limit,
    ctx.args.nextToken,
  );
  return {};
}

/** Returns the page and the token for the next one. */
export function response(ctx: Context<QueryListProductsArgs>): ProductConnection {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const page = representable(
    ctx.prev.result as Product[],
    badProductField,
    (p) => `${p['vendorId']}/${p['productId']}`,
  );
  reportLeftOut('Product', page.left);
  return { items: page.items, nextToken: nextListToken(ctx.stash) };
}
