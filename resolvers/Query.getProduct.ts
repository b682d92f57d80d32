import { type Context, util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';
import { productKey } from '../domain/keys.js';
import { MAX_ID_LENGTH } from '../domain/limits.js';
import { rejectTooLong } from './lib/limits.js';
import type { Product, QueryGetProductArgs } from '../domain/generated/schema.js';

/** Reads one product from the public catalog. */
export function request(ctx: Context<QueryGetProductArgs>) {
  rejectTooLong([
    ['vendorId', ctx.args.vendorId, MAX_ID_LENGTH],
    ['productId', ctx.args.productId, MAX_ID_LENGTH],
  ]);
  return ddb.get({ key: productKey(ctx.args.vendorId, ctx.args.productId) });
}

/** Returns the product, or null when it does not exist. */
export function response(ctx: Context<QueryGetProductArgs, object, object, object, Product | null>) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  return ctx.result ?? null;
}
