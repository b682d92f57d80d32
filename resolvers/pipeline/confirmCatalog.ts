import { type Context, runtime, util } from '@aws-appsync/utils';
import { priceLines } from '../../domain/order.js';
import type { MutationPlaceOrderArgs } from '../../domain/generated/schema.js';
import type { RecheckStash } from './recheckIdempotencyRecord.js';
import type { PlaceOrderStash } from '../lib/stash.js';
import { productsRead, readProducts } from '../lib/catalog.js';
import { fail } from '../lib/errors.js';
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
 * and every product short of stock is named in one OutOfStock error (held back for
 * recheckIdempotencyRecord, since a concurrent call with the same key may have taken the stock). When the
 * order can go, writeConfirmedOrder writes it with these values.
 */
export function response(ctx: Context<MutationPlaceOrderArgs, PlaceOrderStash>) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const products = productsRead(ctx.result, ctx.stash.table);
  if (!products) fail(businessError('ConcurrentModification', 'The catalog is busy; retry the call', null));
  const pricing = priceLines(ctx.args.input.lines, products);
  if (pricing.kind === 'missing') {
    fail(
      businessError('NotFound', `Product ${pricing.productId} of vendor ${pricing.vendorId} not found`, {
        vendorId: pricing.vendorId,
        productId: pricing.productId,
      }),
    );
  }
  if (pricing.kind === 'invalid')
    fail(businessError('ValidationError', pricing.violation.reason, pricing.violation));
  if (pricing.kind === 'priced' && pricing.shortages.length > 0) {
    // Maybe a call with the same key took the stock: recheckIdempotencyRecord replays it, or fails with this.
    const recheck: RecheckStash = {
      message: 'Not enough stock for some products',
      errorType: 'OutOfStock',
      errorInfo: { products: pricing.shortages },
    };
    ctx.stash.recheck = recheck;
  }
  ctx.stash.pricing = pricing;
  ctx.stash.catalog = 'consistent';
  return null;
}
