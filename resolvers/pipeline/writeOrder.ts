import { type Context, runtime, util } from '@aws-appsync/utils';
import { orderKey, productKey, vendorOrderEntryKey } from '../../domain/keys.js';
import {
  newOrderItem,
  stockMoveFailure,
  type CatalogProduct,
  type ProductRef,
  type StockShortage,
} from '../../domain/order.js';
import { orderItemOf, orderView } from '../../domain/views.js';
import type { RecheckStash } from './recheckPlacedOrder.js';
import { replayedPlacement, type CancellationReasons } from '../lib/idempotency.js';
import type { MutationPlaceOrderArgs } from '../../domain/generated/schema.js';
import type { PlaceOrderStash } from '../lib/stash.js';
import { fail } from '../lib/errors.js';
import { businessError } from '../../domain/errors.js';

/**
 * placeOrder, steps 3 and 5 (table; writeOrder after readCatalog, writeConfirmedOrder after
 * confirmCatalog): one TransactWriteItems with the order, one entry per vendor in that vendor's order list
 * (keys only: the order item holds the part, domain/keys.ts vendorOrderEntryKey), and one conditional
 * stock move per product (available → reserved), each conditional on the stock and on the price, name and
 * currency the order took from the catalog, so a product changed since the read (or read stale) cancels
 * it. All or nothing. The order's id is derived from the caller and the idempotency key
 * (Mutation.placeOrder.ts), so its put's `attribute_not_exists` condition is the key's idempotency
 * check: a second placement with the key is cancelled by the first one's order, which the failed
 * condition returns. Runs only when the lines are priced and not yet written (stash.catalog), so not on a
 * replay, nor for a held-back error.
 */
export function request(ctx: Context<MutationPlaceOrderArgs, PlaceOrderStash>) {
  const catalog = ctx.stash.catalog;
  if (ctx.stash.replayId || ctx.stash.recheck || (catalog !== 'eventual' && catalog !== 'consistent'))
    runtime.earlyReturn(ctx.prev.result);
  const table = ctx.stash.table;
  const pricing = ctx.stash.pricing;
  const orderId = ctx.stash.orderId;
  const customerId = ctx.stash.callerId;
  const now = ctx.stash.now;
  const correlationId = ctx.stash.correlationId;
  const order = newOrderItem({
    id: orderId,
    customerId,
    lines: pricing.lines,
    currency: pricing.currency,
    shippingAddress: ctx.args.input.shippingAddress,
    correlationId,
    now,
  });
  ctx.stash.order = orderView(order);
  const notExists = { expression: 'attribute_not_exists(PK)' };
  const items: unknown[] = [
    {
      table,
      operation: 'PutItem',
      key: util.dynamodb.toMapValues(orderKey(orderId)),
      attributeValues: util.dynamodb.toMapValues(orderItemOf(order)),
      // The key's idempotency check: the order an earlier call with the key placed comes back to replay.
      condition: { ...notExists, returnValuesOnConditionCheckFailure: true },
    },
  ];
  // Each vendor's list entry: written once, never updated (2 WRU in the transaction, no index entry).
  for (const part of order.vendorOrders) {
    items.push({
      table,
      operation: 'PutItem',
      key: util.dynamodb.toMapValues(vendorOrderEntryKey(orderId, part.vendorId, now)),
      attributeValues: util.dynamodb.toMapValues({ entity: 'VENDOR_ORDER_ENTRY' }),
    });
  }
  for (const line of pricing.lines) {
    items.push({
      table,
      operation: 'UpdateItem',
      key: util.dynamodb.toMapValues(productKey(line.vendorId, line.productId)),
      update: {
        expression:
          'SET #available = #available - :q, #reserved = #reserved + :q, #updatedAt = :now, #correlationId = :cid ADD #version :one',
        expressionNames: {
          '#available': 'available',
          '#reserved': 'reserved',
          '#updatedAt': 'updatedAt',
          '#correlationId': 'correlationId',
          '#version': 'version',
        },
        expressionValues: util.dynamodb.toMapValues({
          ':q': line.quantity,
          ':now': now,
          ':cid': correlationId,
          ':one': 1,
        }),
      },
      condition: {
        expression:
          'attribute_exists(PK) AND #available >= :q AND #price = :price AND #name = :name AND #currency = :currency',
        expressionNames: {
          '#available': 'available',
          '#price': 'price',
          '#name': 'name',
          '#currency': 'currency',
        },
        expressionValues: util.dynamodb.toMapValues({
          ':q': line.quantity,
          ':price': line.unitPrice,
          ':name': line.name,
          ':currency': pricing.currency,
        }),
        returnValuesOnConditionCheckFailure: true,
      },
    });
  }
  return { operation: 'TransactWriteItems', transactItems: items };
}

/**
 * Maps a cancelled transaction to the documented errors: a replay of the same payload (a concurrent
 * first call with the key placed the order first) continues as a replay with that order, another payload
 * is IdempotencyConflict, products short of stock are one OutOfStock naming each, and products changed
 * since they were priced are one ConcurrentModification naming each (judged from the items the failed
 * conditions return). A change found after the eventually consistent read may only be that read's
 * staleness: confirmCatalog reads again, consistently, and writeConfirmedOrder writes with what it reads.
 */
export function response(ctx: Context<MutationPlaceOrderArgs, PlaceOrderStash>) {
  if (!ctx.error) {
    ctx.stash.catalog = 'written';
    return ctx.stash.order;
  }
  if (ctx.error.type !== 'DynamoDB:TransactionCanceledException')
    util.error(ctx.error.message, ctx.error.type);
  const idem = ctx.stash.idempotency;
  const pricing = ctx.stash.pricing;
  const reasons = (ctx.result as { cancellationReasons: CancellationReasons }).cancellationReasons;
  const replayed = replayedPlacement(reasons, idem);
  if (replayed !== null) {
    ctx.stash.replayed = replayed;
    ctx.stash.replayId = ctx.stash.orderId;
    return null;
  }
  const offset = reasons.length - pricing.lines.length;
  const shortages: StockShortage[] = [];
  const changed: ProductRef[] = [];
  pricing.lines.forEach((line, i) => {
    const reason = reasons[offset + i];
    if (reason && reason.type === 'ConditionalCheckFailed') {
      const failure = stockMoveFailure(line, reason.item ? (reason.item as unknown as CatalogProduct) : null);
      if (failure.kind === 'short') shortages.push(failure.shortage);
      else changed.push(failure.product);
    }
  });
  if (shortages.length > 0)
    fail(businessError('OutOfStock', 'Not enough stock for some products', { products: shortages }));
  if (changed.length > 0) {
    if (ctx.stash.catalog === 'eventual') {
      ctx.stash.catalog = 'confirm';
      return null;
    }
    fail(
      businessError(
        'ConcurrentModification',
        'Some products changed since the order was priced; retry the call',
        {
          products: changed,
        },
      ),
    );
  }
  const recheck: RecheckStash = {
    message: 'The order could not be written; retry the call',
    errorType: 'ConcurrentModification',
    errorInfo: null,
  };
  ctx.stash.recheck = recheck;
  return null;
}
