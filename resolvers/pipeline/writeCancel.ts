import { type Context, util } from '@aws-appsync/utils';
import { callerOf } from '../../domain/identity.js';
import { transition } from '../../domain/transition.js';
import { orderView } from '../../domain/views.js';
import { fail } from '../lib/errors.js';
import { conditionalUpdateItem } from '../lib/transact.js';
import type { MutationCancelOrderArgs, Order } from '../../domain/generated/schema.js';
import type { CancelOrderStash } from '../lib/stash.js';
import { businessError } from '../../domain/errors.js';

/**
 * cancelOrder, step 2 (table): one conditional UpdateItem of the order item moves the order to CANCELLED
 * and every vendor part that is still open to CANCELLED, conditional on what was read
 * (domain/transition.ts). Stock release and refunds follow through the stream (inventory and payment
 * consumers).
 */
export function request(ctx: Context<MutationCancelOrderArgs, CancelOrderStash>) {
  const order = ctx.stash.order;
  const now = ctx.stash.now;
  const caller = callerOf(ctx.identity);
  const actor = { type: caller.kind === 'admin' ? ('ADMIN' as const) : ('CUSTOMER' as const), id: caller.id };
  const result = transition(order, 'CANCELLED', actor, now, { reason: ctx.args.reason ?? null });
  if (!result.ok) fail(result.error);
  ctx.stash.updated = orderView(result.change.order);
  return conditionalUpdateItem(result.change.orderUpdate.key, result.change.orderUpdate.parts);
}

/** A failed condition means the order changed since it was read. */
export function response(ctx: Context<MutationCancelOrderArgs, CancelOrderStash>): Order {
  if (ctx.error) {
    if (ctx.error.type === 'DynamoDB:ConditionalCheckFailedException') {
      fail(
        businessError(
          'ConcurrentModification',
          'The order changed while it was cancelled; retry the call',
          null,
        ),
      );
    }
    util.error(ctx.error.message, ctx.error.type);
  }
  return ctx.stash.updated;
}
