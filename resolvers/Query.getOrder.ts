import { type Context, util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';
import { callerOf } from '../domain/identity.js';
import { orderKey } from '../domain/keys.js';
import { badOrderField, MAX_ID_LENGTH } from '../domain/limits.js';
import { rejectTooLong } from './lib/limits.js';
import { orderFromItem, orderView, viewOrderFor, type OrderItem } from '../domain/views.js';
import type { Order, QueryGetOrderArgs } from '../domain/generated/schema.js';
import { fail } from './lib/errors.js';
import { businessError } from '../domain/errors.js';

/** Reads the order item, which embeds its lines and vendor orders. */
export function request(ctx: Context<QueryGetOrderArgs>) {
  rejectTooLong([['id', ctx.args.id, MAX_ID_LENGTH]]);
  return ddb.get({ key: orderKey(ctx.args.id), consistentRead: true });
}

/**
 * A customer sees its own orders, a vendor only its lines of orders it takes part in, an admin any
 * order. An order the caller may not see answers NotFound, so ids cannot be probed.
 */
export function response(ctx: Context<QueryGetOrderArgs, object, object, object, OrderItem | null>): Order {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const view = ctx.result ? viewOrderFor(orderView(orderFromItem(ctx.result)), callerOf(ctx.identity)) : null;
  if (!view) fail(businessError('NotFound', `Order ${ctx.args.id} not found`, null));
  const bad = badOrderField(view as unknown as Record<string, unknown>);
  if (bad) {
    fail(
      businessError('AmountOutOfRange', `Order ${ctx.args.id} has a ${bad} outside the GraphQL Int range`, {
        id: ctx.args.id,
        field: bad,
      }),
    );
  }
  return view as Order;
}
