import type { Caller } from './identity.js';
import type {
  OrderStatusEvent,
  Payment,
  PaymentInput,
  PublishOrderStatusInput,
  PublishVendorOrderStatusInput,
} from '../resolvers/generated/schema.js';

/**
 * Who may receive which status event. AppSync sends every subscriber of a mutation the same payload, so
 * each audience gets its own event (schema.graphql, EventAudience) and each subscription filters on the
 * audience from the caller's identity. Resolver-safe: stays inside the APPSYNC_JS subset.
 */

/**
 * Order statuses that are not pushed to subscribers: PAYMENT_PENDING is written by the customer's own
 * processPayment, whose answer (the Payment, status PENDING) already tells the one session that acted,
 * and it lasts only until the payment consumer records PAID or PAYMENT_FAILED, which are pushed (with
 * previousStatus PAYMENT_PENDING). PLACED is pushed although placeOrder answers it too: it is how the
 * customer's other sessions and the admins' live views learn that an order exists at all. The pipe filter
 * (infra/constructs/order-events-pipe.ts) keeps these changes off the bus, since no consumer acts on them.
 */
export const UNPUSHED_ORDER_STATUSES: readonly string[] = ['PAYMENT_PENDING'];

/** One enhanced-filter condition on a field of the event (util.transform.toSubscriptionFilter input). */
type Condition = { eq: string | null } | { containsAny: string[] };

/** The customer-facing event (customer and admins): the whole change as the stream carried it. */
export function customerEventOf(input: PublishOrderStatusInput): OrderStatusEvent {
  return {
    audience: 'CUSTOMER',
    orderId: input.orderId,
    customerId: input.customerId,
    vendorIds: input.vendorIds,
    status: input.status,
    previousStatus: input.previousStatus ?? null,
    vendorId: input.vendorId ?? null,
    vendorStatus: input.vendorStatus ?? null,
    payment: paymentOf(input.payment),
    reason: input.reason ?? null,
    actor: input.actor,
    version: input.version,
    correlationId: input.correlationId,
    at: input.at,
  };
}

/** A payment as the stream carried it, as the event's Payment. */
function paymentOf(payment: PaymentInput | null | undefined): Payment | null {
  if (!payment) return null;
  return {
    orderId: payment.orderId,
    amount: payment.amount,
    currency: payment.currency,
    status: payment.status,
    method: payment.method ?? null,
    attempts: payment.attempts,
    failureReason: payment.failureReason ?? null,
    refundedAmount: payment.refundedAmount,
    updatedAt: payment.updatedAt,
  };
}

/** The event for one vendor: its own part and the order's status, no payment, no other vendor. */
export function vendorEventOf(input: PublishVendorOrderStatusInput): OrderStatusEvent {
  return {
    audience: 'VENDOR',
    orderId: input.orderId,
    customerId: input.customerId,
    vendorIds: [input.vendorId],
    status: input.status,
    previousStatus: null,
    vendorId: input.vendorId,
    vendorStatus: input.vendorStatus,
    payment: null,
    reason: input.reason ?? null,
    actor: input.actor,
    version: input.version,
    correlationId: input.correlationId,
    at: input.at,
  };
}

/**
 * The filter of onOrderStatusChanged for the caller, or null when the caller may not subscribe: a
 * customer gets the customer events of its own order, an admin the customer events of any order, a
 * vendor only the vendor events of its own part.
 */
export function orderEventFilter(caller: Caller, orderId: string): Record<string, Condition> | null {
  const order = { eq: orderId };
  if (caller.kind === 'admin') return { orderId: order, audience: { eq: 'CUSTOMER' } };
  if (caller.kind === 'customer') {
    return { orderId: order, audience: { eq: 'CUSTOMER' }, customerId: { eq: caller.id } };
  }
  if (caller.kind === 'vendor' && caller.vendorId !== null) {
    return { orderId: order, audience: { eq: 'VENDOR' }, vendorId: { eq: caller.vendorId } };
  }
  return null;
}

/**
 * The filter of onVendorOrdersChanged(vendorId): a vendor gets the vendor events of its own parts; an
 * admin, who may see everything, the customer-facing events of every order with that vendor's lines (so an
 * admin can follow all orders, vendor by vendor).
 */
export function vendorEventFilter(caller: Caller, vendorId: string): Record<string, Condition> | null {
  if (caller.kind === 'admin')
    return { audience: { eq: 'CUSTOMER' }, vendorIds: { containsAny: [vendorId] } };
  if (caller.kind === 'vendor' && caller.vendorId === vendorId) {
    return { audience: { eq: 'VENDOR' }, vendorId: { eq: vendorId } };
  }
  return null;
}
