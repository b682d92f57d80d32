import { type Context, runtime, util } from '@aws-appsync/utils';
import { priceLines } from '../../domain/order.js';
import type { MutationPlaceOrderArgs } from '../../domain/generated/schema.js';
import type { PlaceOrderStash } from '../lib/stash.js';
import { productsRead, readProducts } from '../lib/catalog.js';
import { businessError } from '../../domain/errors.js';

/**
 * placeOrder, step 4 (table), only on the refusal path (stash.catalog `confirm`: readCatalog's
 * eventually consistent read refused the order, or a product changed before writeOrder's transaction):
 * reads every ordered product again in one consistent BatchGetItem, so a refusal is never answered from
 * a stale copy. Otherwise passes the previous result on.
 */
export function request(ctx: Context<MutationPlaceOrderArgs, PlaceOrderStash>) {
  if (ctx.stash.replayId || ctx.stash.catalog !== 'confirm') runtime.earlyReturn(ctx.prev.result);
  return readProducts(ctx.stash.table, ctx.args.input.lines, true);
}

/**
 * Decides from the consistent read: an unknown product is NotFound, mixed currencies a ValidationError,
 * a batch it could not finish ConcurrentModification, and every product short of stock is named in one
 * OutOfStock error. Each refusal is held back for recheckPlacedOrder: getPlacedOrder's read was
 * eventually consistent, so a call with the same key may have placed the order (and taken the stock)
 * unseen, and then this call replays it. When the order can go, writeConfirmedOrder writes it with these
 * values.
 */
export function response(ctx: Context<MutationPlaceOrderArgs, PlaceOrderStash>) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const products = productsRead(ctx.result, ctx.stash.table);
  const pricing = products ? priceLines(ctx.args.input.lines, products) : null;
  if (!pricing) {
    ctx.stash.recheck = businessError('ConcurrentModification', 'The catalog is busy; retry the call', null);
  } else if (pricing.kind === 'missing') {
    ctx.stash.recheck = businessError(
      'NotFound',
      `Product ${pricing.productId} of vendor ${pricing.vendorId} not found`,
      { vendorId: pricing.vendorId, productId: pricing.productId },
    );
  } else if (pricing.kind === 'invalid') {
    ctx.stash.recheck = businessError('ValidationError', pricing.violation.reason, pricing.violation);
  } else {
    if (pricing.shortages.length > 0) {
      ctx.stash.recheck = businessError('OutOfStock', 'Not enough stock for some products', {
        products: pricing.shortages,
      });
    }
    ctx.stash.pricing = pricing;
    ctx.stash.catalog = 'consistent';
  }
  return null;
}
