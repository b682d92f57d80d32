import { type Context, util } from '@aws-appsync/utils';
import { orderVendorIds } from '../domain/views.js';
import type {
  MutationRecordPaymentResultArgs,
  OrderStatusEvent,
  Payment,
} from '../domain/generated/schema.js';
import type { RecordPaymentResultStash } from './lib/stash.js';
import { fail } from './lib/errors.js';
import { businessError } from '../domain/errors.js';
import { paymentResultEventOf } from '../domain/audience.js';

/** recordPaymentResult, before step (IAM only, by the schema): names the order to read. */
export function request(ctx: Context<MutationRecordPaymentResultArgs, RecordPaymentResultStash>) {
  if (ctx.args.input.status === 'PENDING') {
    fail(
      businessError('ValidationError', 'a result cannot be PENDING', {
        field: 'status',
        reason: 'a result cannot be PENDING',
      }),
    );
  }
  ctx.stash.orderId = ctx.args.input.orderId;
  ctx.stash.now = util.time.nowISO8601();
  return {};
}

/**
 * The result as an event (domain/audience.ts paymentResultEventOf). writePaymentResult sets `updated`
 * only when it writes a charge result (its write failing fails the call), so a charge result with
 * `updated` moved the order, and its answer is the customer-facing event that the subscriptions listing
 * this mutation push; a stale or repeated result (earlyReturn, nothing written), one another call of the
 * attempt recorded first (recheckPaymentResult, nothing written) and a refund (no status change) answer
 * audience INTERNAL, which pushes nothing.
 */
export function response(
  ctx: Context<MutationRecordPaymentResultArgs, RecordPaymentResultStash>,
): OrderStatusEvent {
  const input = ctx.args.input;
  const order = ctx.stash.order;
  const payment = ctx.prev.result as Payment;
  const moved =
    !ctx.stash.refund && ctx.stash.updated
      ? {
          status: input.status === 'SUCCEEDED' ? ('PAID' as const) : ('PAYMENT_FAILED' as const),
          reason: input.failureReason ?? null,
          at: ctx.stash.now,
        }
      : null;
  return paymentResultEventOf(
    {
      id: order.id,
      customerId: order.customerId,
      vendorIds: orderVendorIds(order),
      status: order.status,
      version: order.version,
      correlationId: order.correlationId,
    },
    payment,
    moved,
  );
}
