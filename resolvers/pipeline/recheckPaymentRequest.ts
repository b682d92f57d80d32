import { type Context, runtime, util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';
import { orderKey } from '../../domain/keys.js';
import { canTransition } from '../../domain/orderProcess.js';
import { replayedPayment } from '../lib/idempotency.js';
import type { MutationProcessPaymentArgs, Payment } from '../../domain/generated/schema.js';
import type { ProcessPaymentStash } from '../lib/stash.js';
import { orderFromItemOrNull, type OrderItem } from '../../domain/views.js';
import { fail } from '../lib/errors.js';
import { businessError } from '../../domain/errors.js';

/**
 * processPayment, step 5 (table), only after writeConfirmedPaymentRequest's condition failed (on the
 * order confirmOrderItem read consistently): reads the order again, consistently. A concurrent call with the same key that won left its key on the order, so this
 * call replays it (or is an IdempotencyConflict); a move no longer allowed is InvalidTransition; anything
 * else a ConcurrentModification to retry. (AppSync's Reject strategy reports the current item in the
 * GraphQL error's data; reading it here does not depend on where a runtime puts it.) Otherwise passes the
 * payment on.
 */
export function request(ctx: Context<MutationProcessPaymentArgs, ProcessPaymentStash>) {
  if (!ctx.stash.recheck) runtime.earlyReturn(ctx.prev.result);
  return ddb.get({ key: orderKey(ctx.stash.orderId), consistentRead: true });
}

/** The replayed payment, or the error that explains why the write could not land. */
export function response(ctx: Context<MutationProcessPaymentArgs, ProcessPaymentStash>): Payment {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const current = orderFromItemOrNull(ctx.result as OrderItem | null);
  if (!current) fail(businessError('NotFound', `Order ${ctx.stash.orderId} not found`, null));
  const replay = replayedPayment(current, ctx.stash.idempotency);
  if (replay) return replay;
  // Only checked here (this step writes nothing): the same refusal writePaymentRequest's transition makes.
  if (!canTransition(current.status, 'PAYMENT_PENDING', 'CUSTOMER')) {
    fail(
      businessError('InvalidTransition', `Order ${current.id} is ${current.status} and cannot be paid`, {
        from: current.status,
        to: 'PAYMENT_PENDING',
      }),
    );
  }
  fail(
    businessError(
      'ConcurrentModification',
      'The order changed while the payment was recorded; retry the call',
      null,
    ),
  );
}
