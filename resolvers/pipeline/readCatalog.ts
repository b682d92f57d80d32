import { type Context, runtime, util } from '@aws-appsync/utils';
import { priceLines } from '../../domain/order.js';
import { tableNameOf } from '../../domain/writes.js';
import type { MutationPlaceOrderArgs } from '../../domain/generated/schema.js';
import type { PlaceOrderStash } from '../lib/stash.js';
import { productsRead, readProducts } from '../lib/catalog.js';

/**
 * placeOrder, step 2 (table): reads every ordered product in one eventually consistent BatchGetItem
 * (half the RRU of a consistent one). A stale price or name cannot reach an order: writeOrder's stock
 * moves are conditional on the values it priced with. Skipped on a replay.
 */
export function request(ctx: Context<MutationPlaceOrderArgs, PlaceOrderStash>) {
  if (ctx.stash.replayId) runtime.earlyReturn(null);
  const table = tableNameOf(ctx.env);
  if (!table) util.error('The API has no TABLE_NAME environment variable', 'ConfigurationError');
  ctx.stash.table = table;
  return readProducts(table, ctx.args.input.lines, false);
}

/**
 * Prices the lines from the read. Any refusal the read would make (a product not found, short of stock,
 * an invalid price or currency, keys left unprocessed) may come from a stale copy, so it is not answered
 * here: confirmCatalog reads those products again, consistently, and decides.
 */
export function response(ctx: Context<MutationPlaceOrderArgs, PlaceOrderStash>) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const products = productsRead(ctx.result, ctx.stash.table);
  const pricing = products ? priceLines(ctx.args.input.lines, products) : null;
  if (pricing && pricing.kind === 'priced' && pricing.shortages.length === 0) {
    ctx.stash.pricing = pricing;
    ctx.stash.catalog = 'eventual';
  } else ctx.stash.catalog = 'confirm';
  return null;
}
