import type { Logger } from '@aws-lambda-powertools/logger';
import {
  PublishNotificationDocument,
  PublishSharedNotificationDocument,
  RecordPaymentFailedDocument,
  RecordPaymentPaidDocument,
  RecordPaymentResultDocument,
  type RecordPaymentResultMutation,
} from '../lib/generated/graphql.js';
import type { PaymentStatus } from '../lib/generated/graphql.js';
import type { AppSyncPort } from '../lib/events.js';
import { linesByVendor } from '../lib/table.js';
import type { Envelope } from '../../domain/events/envelope.js';
import { TransientGatewayError, type PaymentGateway } from './gateway.js';
import { MAIL_KINDS, paymentNotices, type Notice } from '../notification/messages.js';

/** What the payment logic needs; unit tests pass fakes. */
export interface PaymentDeps {
  gateway: PaymentGateway;
  appsync: AppSyncPort;
  logger: Pick<Logger, 'info' | 'warn'>;
  /** Reads the order's payment and refunded vendors (a vendor-order event carries neither). */
  readOrder(orderId: string): Promise<StoredOrderPayment | null>;
  /** Tries per charge before a transient failure is recorded as FAILED. @default 3 */
  chargeAttempts?: number;
  /** Waits between tries. @default 200 ms × try */
  sleep?: (ms: number) => Promise<void>;
  /**
   * Publishes payment notices to the SNS topic, all in one PublishBatch request (functions/lib/topic.ts);
   * absent when NOTIFICATION_TOPIC_ARN is not set.
   */
  publishToTopic?: (notices: Notice[]) => Promise<void>;
}

/** The slice of the order item refunds need. */
export interface StoredOrderPayment {
  id: string;
  customerId: string;
  /** The order's status; absent in older fakes, read as not cancelled. */
  status?: string;
  payment: { status: string; attempts: number; currency: string } | null;
  refundedVendorIds?: string[];
  vendorOrders: { vendorId: string; subtotal: number }[];
}

/** The data of a payment.requested event: the charge to make. */
export type PaymentRequest = Envelope<'payment.requested'>['data'] & { correlationId: string };

const SETTLED = ['SUCCEEDED', 'PARTIALLY_REFUNDED'];

/** The provider's idempotency key of one charge attempt (its void uses it too, its stale refund derives from it). */
export function chargeKey(orderId: string, attempt: number): string {
  return `charge#${orderId}#${attempt}`;
}

/** Payment statuses under which the order holds the attempt's charge as its payment. */
const KEPT = ['SUCCEEDED', 'PARTIALLY_REFUNDED', 'REFUNDED'];

/**
 * Charges one payment attempt and records the result through recordPaymentResult. Transient provider
 * errors are retried within the invocation. When they persist the outcome is unknown (a timed-out charge
 * may have gone through), so the attempt is first voided at the provider under the same idempotency key
 * (a charge that happened is refunded, one that did not never can), and only then recorded as FAILED so
 * the customer can pay again with a new attempt and key: never charged twice, never charged unpaid.
 * A success the order answers as stale (its attempt was recorded FAILED, replaced, or the order moved
 * on) is refunded at once. Every step is keyed by the attempt, so a redelivered event, a Lambda retry or
 * a second run of the attempt at the same time (EventBridge delivers at least once; an async retry can
 * overlap a slow run) repeats none of them, with no lock: the provider answers a repeated key with the
 * first outcome (chargeKey), recordPaymentResult records an attempt's result once and answers the run
 * that lost the race as a repeat (INTERNAL, the order's payment as recorded: kept, nothing refunded), and
 * each notice is stored, pushed and mailed by exactly one run (a conditional put for the customer's, the
 * conditional claim copy for the vendors' shared one: resolvers/pipeline/claimSharedNotification.ts).
 */
export async function chargePayment(
  request: PaymentRequest,
  deps: PaymentDeps,
): Promise<{ status: PaymentStatus; failureReason: string | null }> {
  const tries = deps.chargeAttempts ?? 3;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let result: { status: PaymentStatus; failureReason: string | null } = {
    status: 'FAILED',
    failureReason: 'provider_unavailable',
  };
  const idempotencyKey = chargeKey(request.orderId, request.attempt);
  let unknown = true;
  for (let attempt = 1; attempt <= tries; attempt += 1) {
    try {
      const outcome = await deps.gateway.charge({
        orderId: request.orderId,
        amount: request.amount,
        currency: request.currency,
        token: request.paymentToken,
        idempotencyKey,
      });
      result =
        outcome.status === 'SUCCEEDED'
          ? { status: 'SUCCEEDED', failureReason: null }
          : outcome.status === 'DECLINED'
            ? { status: 'DECLINED', failureReason: outcome.reason }
            : // voided by an earlier run of this attempt that did not get to record FAILED
              { status: 'FAILED', failureReason: 'provider_unavailable' };
      unknown = false;
      break;
    } catch (error) {
      if (!(error instanceof TransientGatewayError)) throw error;
      deps.logger.warn('transient payment provider error', {
        orderId: request.orderId,
        try: attempt,
        error: error.message,
      });
      if (attempt < tries) await sleep(200 * attempt);
    }
  }
  if (unknown) {
    // A transient error here fails the invocation before FAILED is recorded; Lambda's retry runs the
    // attempt again (its charge answers VOIDED or times out again, and the void is repeated as a no-op).
    const voided = await deps.gateway.void({ orderId: request.orderId, idempotencyKey });
    deps.logger.warn('payment attempt voided after persistent provider errors', {
      orderId: request.orderId,
      attempt: request.attempt,
      refunded: voided.refunded,
    });
  }
  // The result and its notices in one request (recordChargeResult); its answer says whether the order took it.
  const current = await recordChargeResult(request, result, deps);
  const kept =
    current?.audience !== 'INTERNAL' ||
    (current.payment?.attempts === request.attempt && KEPT.includes(current.payment.status));
  if (result.status === 'SUCCEEDED' && !kept) {
    // The order did not take this charge (stale: the attempt was recorded FAILED or replaced, or the order
    // moved on), so the money goes back now, under a key of its own that makes a repeat a no-op.
    await deps.gateway.refund({
      orderId: request.orderId,
      amount: request.amount,
      currency: request.currency,
      idempotencyKey: `refund#${idempotencyKey}`,
    });
    deps.logger.warn('stale payment success refunded', {
      orderId: request.orderId,
      attempt: request.attempt,
      orderPayment: current?.payment?.status,
    });
    return { status: 'REFUNDED', failureReason: 'stale_attempt' };
  }
  deps.logger.info('payment recorded', {
    orderId: request.orderId,
    attempt: request.attempt,
    status: result.status,
  });
  return result;
}

/** Whether a notice field's answer reached anyone: a refused gate answers no recipient at all. */
function delivered(answer: { recipient?: string | null; recipients?: string[] | null } | null | undefined) {
  return !!answer && (!!answer.recipient || (answer.recipients ?? []).length > 0);
}

/**
 * Records a charge result and sends its notices in ONE request: recordPaymentResult (its answer is the
 * PAID / PAYMENT_FAILED push) and, as further unaliased fields, the customer's notice and for a success
 * the vendors' shared notice (functions/notification/messages.ts paymentNotices). AppSync runs the fields
 * in order and the notice fields cannot see recordPaymentResult's answer, so each gates itself on the
 * order's payment attempt (resolvers/pipeline/gatePaymentNotice.ts) and is stored and pushed only once.
 * A second shared notice (more than 25 vendors) would need an alias, so it is a request of its own.
 * Mail: a notice goes to the SNS topic only when this call stored it, so a redelivery (Lambda async
 * retry) mails nothing twice; the stored ones go in one PublishBatch request. A failed publish fails the
 * event, and its retry finds the notices stored and does not mail them (at most once, on top of the
 * SDK's own retries).
 */
async function recordChargeResult(
  request: PaymentRequest,
  result: { status: PaymentStatus; failureReason: string | null },
  deps: PaymentDeps,
): Promise<RecordPaymentResultMutation['recordPaymentResult']> {
  const status = result.status === 'SUCCEEDED' || result.status === 'DECLINED' ? result.status : 'FAILED';
  let vendorIds: string[] = [];
  if (status === 'SUCCEEDED') {
    // payment.requested carries no vendors; the vendors' notice names each one.
    const order = await deps.readOrder(request.orderId);
    if (!order) throw new Error(`order ${request.orderId} not found`);
    vendorIds = order.vendorOrders.map((v) => v.vendorId);
  }
  const { notice, shared } = paymentNotices({
    orderId: request.orderId,
    customerId: request.customerId,
    vendorIds,
    attempt: request.attempt,
    status,
    at: request.requestedAt,
  });
  const input = {
    orderId: request.orderId,
    attempt: request.attempt,
    status: result.status,
    failureReason: result.failureReason,
    correlationId: request.correlationId,
  };
  const options = { correlationId: request.correlationId };
  const answers: [Notice, Parameters<typeof delivered>[0]][] = [];
  const [first, ...rest] = shared;
  let recorded: RecordPaymentResultMutation['recordPaymentResult'];
  if (first) {
    const data = await deps.appsync.request(
      RecordPaymentPaidDocument,
      { input, notice, shared: first },
      options,
    );
    recorded = data?.recordPaymentResult;
    answers.push([notice, data?.publishNotification], [first, data?.publishSharedNotification]);
  } else {
    const data = await deps.appsync.request(RecordPaymentFailedDocument, { input, notice }, options);
    recorded = data?.recordPaymentResult;
    answers.push([notice, data?.publishNotification]);
  }
  const more = await Promise.all(
    rest.map((s) => deps.appsync.request(PublishSharedNotificationDocument, { input: s }, options)),
  );
  rest.forEach((s, i) => answers.push([s, more[i]?.publishSharedNotification]));
  const mail = answers.filter(([sent, answer]) => MAIL_KINDS.has(sent.kind) && delivered(answer));
  if (deps.publishToTopic && mail.length > 0) await deps.publishToTopic(mail.map(([sent]) => sent));
  return recorded;
}

/**
 * Refunds one vendor's part once: the provider's idempotency key and recordPaymentResult's per-vendor
 * condition make a repeated refund change nothing. A full refund is one of these per vendor part.
 */
export async function refundVendorPart(
  order: StoredOrderPayment,
  vendorId: string,
  correlationId: string,
  deps: PaymentDeps,
): Promise<boolean> {
  const payment = order.payment;
  if (!payment || !SETTLED.includes(payment.status)) return false;
  if ((order.refundedVendorIds ?? []).includes(vendorId)) return false;
  const part = order.vendorOrders.find((v) => v.vendorId === vendorId);
  if (!part || part.subtotal <= 0) return false;
  await deps.gateway.refund({
    orderId: order.id,
    amount: part.subtotal,
    currency: payment.currency,
    idempotencyKey: `refund#${order.id}#${vendorId}`,
  });
  const recorded = await deps.appsync.request(
    RecordPaymentResultDocument,
    {
      input: {
        orderId: order.id,
        attempt: payment.attempts,
        status: 'PARTIALLY_REFUNDED',
        refundedAmount: part.subtotal,
        vendorId,
        correlationId,
      },
    },
    { correlationId },
  );
  deps.logger.info('refund recorded', { orderId: order.id, vendorId, amount: part.subtotal });
  // The id and the payment's updatedAt are stable across a redelivery, so a repeat overwrites the notice.
  const amount = `${(part.subtotal / 100).toFixed(2)} ${payment.currency}`;
  await deps.appsync.request(
    PublishNotificationDocument,
    {
      input: {
        id: `refund#${order.id}#${vendorId}`,
        recipient: order.customerId,
        kind: 'REFUND_ISSUED',
        orderId: order.id,
        message: `A refund of ${amount} was issued for order ${order.id}`,
        createdAt: recorded.recordPaymentResult?.payment?.updatedAt ?? new Date().toISOString(),
      },
    },
    { correlationId },
  );
  return true;
}

/**
 * Routes one domain event: a payment request is charged (chargePayment, safe to repeat and to run twice at
 * once: every step is keyed by the attempt); a cancelled paid order is refunded part by part, the parts at
 * once; a rejected or cancelled vendor part of a paid order that goes on is refunded.
 */
export async function handlePaymentEvent(envelope: Envelope, deps: PaymentDeps): Promise<void> {
  if (envelope.type === 'payment.requested') {
    await chargePayment({ ...envelope.data, correlationId: envelope.correlationId }, deps);
    return;
  }
  if (envelope.type === 'order.statusChanged') {
    const data = envelope.data;
    if (data.status !== 'CANCELLED' || !data.payment || !SETTLED.includes(data.payment.status)) return;
    const order = await deps.readOrder(data.orderId);
    if (!order) throw new Error(`order ${data.orderId} not found`);
    // The parts' refunds do not conflict (recordPaymentResult adds each one under its own vendor's
    // condition), so they run at once; a failure fails the event after the others settled.
    const outcomes = await Promise.allSettled(
      [...linesByVendor(data.lines).keys()].map((vendorId) =>
        refundVendorPart(order, vendorId, envelope.correlationId, deps),
      ),
    );
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
    return;
  }
  if (envelope.type === 'vendorOrder.statusChanged') {
    const data = envelope.data;
    if (data.status !== 'REJECTED' && data.status !== 'CANCELLED') return;
    const order = await deps.readOrder(data.orderId);
    if (!order) throw new Error(`order ${data.orderId} not found`);
    // A cancelled order's own order.statusChanged event refunds every part (the part lives on the order
    // item, so this read already shows it): refunding here too would race it.
    if (order.status === 'CANCELLED') return;
    await refundVendorPart(order, data.vendorId, envelope.correlationId, deps);
  }
}
