import { type Context, util } from '@aws-appsync/utils';
import { callerOf } from '../domain/identity.js';
import { MAX_ID_LENGTH, MAX_TOKEN_LENGTH } from '../domain/limits.js';
import { rejectTooLong } from './lib/limits.js';
import type { MutationProcessPaymentArgs, Payment } from '../domain/generated/schema.js';
import type { ProcessPaymentStash } from './lib/stash.js';
import { fail } from './lib/errors.js';
import { formerPaymentRequestOf, paymentRequestOf } from './lib/idempotency.js';
import { businessError } from '../domain/errors.js';

/**
 * processPayment, before step: only a customer pays, and only its own order (checked when the order is
 * read). The amount is never taken from the client.
 */
export function request(ctx: Context<MutationProcessPaymentArgs, ProcessPaymentStash>) {
  const caller = callerOf(ctx.identity);
  if (caller.kind !== 'customer') util.unauthorized();
  const input = ctx.args.input;
  rejectTooLong([
    ['orderId', input.orderId, MAX_ID_LENGTH],
    ['paymentToken', input.paymentToken, MAX_TOKEN_LENGTH],
    ['idempotencyKey', ctx.args.idempotencyKey, MAX_ID_LENGTH],
  ]);
  if (input.paymentToken.trim() === '') {
    fail(
      businessError('ValidationError', 'paymentToken must not be empty', {
        field: 'paymentToken',
        reason: 'paymentToken must not be empty',
      }),
    );
  }
  ctx.stash.callerId = caller.id;
  ctx.stash.orderId = input.orderId;
  ctx.stash.now = util.time.nowISO8601();
  ctx.stash.idempotency = {
    operation: 'processPayment',
    callerId: caller.id,
    key: ctx.args.idempotencyKey,
    // The key lives on the order (writePaymentRequest), so the order id need not be part of the request.
    request: paymentRequestOf(input),
    formerRequest: formerPaymentRequestOf(input),
  };
  return {};
}

/** The recorded payment request, or on a replay the order's payment as it is now. */
export function response(ctx: Context<MutationProcessPaymentArgs, ProcessPaymentStash>): Payment {
  return ctx.prev.result as Payment;
}
