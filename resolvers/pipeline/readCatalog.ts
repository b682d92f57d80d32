import { type Context, runtime, util } from '@aws-appsync/utils';
import { productKey } from '../../domain/keys.js';
import { priceLines, type CatalogProduct } from '../../domain/order.js';
import { tableNameOf } from '../../domain/writes.js';
import type { MutationPlaceOrderArgs } from '../../domain/generated/schema.js';
import type { RecheckStash } from './recheckIdempotencyRecord.js';
import type { PlaceOrderStash } from '../lib/stash.js';
import { fail } from '../lib/errors.js';
import { businessError } from '../../domain/errors.js';

/** placeOrder, step 2 (table): reads every ordered product in one BatchGetItem. Skipped on a replay. */
export function request(ctx: Context<MutationPlaceOrderArgs, PlaceOrderStash>) {
  if (ctx.stash.replayId) runtime.earlyReturn(null);
  const table = tableNameOf(ctx.env);
  if (!table) util.error('The API has no TABLE_NAME environment variable', 'ConfigurationError');
  ctx.stash.table = table;
  const keys = ctx.args.input.lines.map((l) =>
    util.dynamodb.toMapValues(productKey(l.vendorId, l.productId)),
  );
  return { operation: 'BatchGetItem', tables: { [`${table}`]: { keys, consistentRead: true } } };
}

/**
 * Prices the lines from the catalog: an unknown product is NotFound, mixed currencies a ValidationError,
 * and every product short of stock is named in one OutOfStock error (held back for
 * recheckIdempotencyRecord, since a concurrent call with the same key may have taken the stock).
 */
export function response(ctx: Context<MutationPlaceOrderArgs, PlaceOrderStash>) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const result = ctx.result as {
    data: Record<string, (CatalogProduct | null)[]>;
    unprocessedKeys?: Record<string, unknown[]>;
  };
  const table = ctx.stash.table;
  const unprocessed = result.unprocessedKeys ? result.unprocessedKeys[table] : undefined;
  if (unprocessed && unprocessed.length > 0)
    fail(businessError('ConcurrentModification', 'The catalog is busy; retry the call', null));
  const pricing = priceLines(ctx.args.input.lines, result.data[table] ?? []);
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
  return null;
}
