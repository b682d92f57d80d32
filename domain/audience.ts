import type { Caller } from './identity.js';
import { paymentView } from './views.js';
import type {
  OrderStatus,
  OrderStatusEvent,
  Payment,
  PaymentInput,
  PublishOrderStatusInput,
  PublishVendorOrderStatusInput,
} from './generated/schema.js';

/**
 * Who may receive which status event. AppSync sends every subscriber of a mutation the same payload, so
 * each audience gets its own event (schema.graphql, EventAudience) and each subscription filters on the
 * audience from the caller's identity. Resolver-safe: stays inside the APPSYNC_JS subset.
 */

/**
 * Order statuses that are not pushed to subscribers: PAYMENT_PENDING is written by the customer's own
 * processPayment, whose answer (the Payment, status PENDING) already tells the one session that acted,
 * and it lasts only until the payment consumer records PAID or PAYMENT_FAILED, which are pushed (with
 * previousStatus PAYMENT_PENDING). The pipe filter (infra/constructs/order-events-pipe.ts) keeps these
 * changes off the bus, since no consumer acts on them.
 */
export const UNPUSHED_ORDER_STATUSES: readonly string[] = ['PAYMENT_PENDING'];

/**
 * Order statuses that the writer's own mutation pushes, so no relay does: only placeOrder makes PLACED,
 * and its answer (the Order) is pushed through onOrderPlaced, which lists it in @aws_subscribe (the
 * customer's other sessions and the admins' live views learn of a new order there; the pipe filter keeps
 * the order's INSERT off the bus, since no consumer acts on it). Only recordPaymentResult (the payment
 * consumer, SYSTEM) moves an order to PAID or PAYMENT_FAILED (domain/orderProcess.ts), and its answer is
 * that event (paymentResultEventOf), listed in the customer-facing subscriptions' @aws_subscribe. The
 * notification consumer sends these changes' notices only, no relay.
 */
export const WRITER_PUSHED_ORDER_STATUSES: readonly string[] = ['PLACED', 'PAID', 'PAYMENT_FAILED'];

/** One enhanced-filter condition on a field of the event (util.transform.toSubscriptionFilter input). */
type Condition = { eq: string | null } | { containsAny: string[] };

/** What recordPaymentResult's answer is made from: the order as read, before the result. */
export interface PaymentResultOrder {
  id: string;
  customerId: string;
  vendorIds: string[];
  status: OrderStatus;
  version: number;
  correlationId: string;
}

/**
 * recordPaymentResult's answer. A charge result that moved the order (`moved`: the status it moved to) is
 * the customer-facing event of that change, exactly what publishOrderStatus would push for it (the stream
 * carries the same fields: previousStatus, the payment, the failure reason as the history entry's reason,
 * actor SYSTEM, the new version). Anything else (a stale or repeated result, a refund) is audience
 * INTERNAL: the caller's answer, with the payment as it is now, which no subscription filter admits, so
 * a repeated result never pushes a second event.
 */
export function paymentResultEventOf(
  order: PaymentResultOrder,
  payment: Payment,
  moved: { status: OrderStatus; reason: string | null; at: string } | null,
): OrderStatusEvent {
  const common = {
    orderId: order.id,
    customerId: order.customerId,
    vendorIds: order.vendorIds,
    vendorId: null,
    vendorStatus: null,
    payment,
    actor: 'SYSTEM' as const,
    correlationId: order.correlationId,
  };
  if (moved) {
    return {
      ...common,
      audience: 'CUSTOMER',
      status: moved.status,
      previousStatus: order.status,
      reason: moved.reason,
      version: order.version + 1,
      at: moved.at,
    };
  }
  return {
    ...common,
    audience: 'INTERNAL',
    status: order.status,
    previousStatus: null,
    reason: null,
    version: order.version,
    at: payment.updatedAt,
  };
}

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
  return payment ? paymentView({ id: payment.orderId, currency: payment.currency }, payment) : null;
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
 * The filter of onMyOrdersChanged: the customer events of the customer's own orders. The audience matters
 * since recordPaymentResult also triggers it, and its INTERNAL answers are for the payment consumer only.
 */
export function myOrdersFilter(caller: Caller): Record<string, Condition> | null {
  if (caller.kind !== 'customer') return null;
  return { audience: { eq: 'CUSTOMER' }, customerId: { eq: caller.id } };
}

/**
 * The filter of onOrderPlaced (placeOrder's own answer, an Order), or null when the caller may not
 * subscribe: a customer gets its own new orders, an admin every new order (an empty filter), a vendor
 * none (its part is not actionable before the order is paid). The filter reads `customerId` of the
 * payload, which holds only the fields placeOrder selected: a request without it reaches no customer.
 */
export function placedOrdersFilter(caller: Caller): Record<string, Condition> | null {
  if (caller.kind === 'admin') return {};
  if (caller.kind === 'customer') return { customerId: { eq: caller.id } };
  return null;
}

/**
 * The filter of onNotification for a recipient (the sub, or `vendor#<vendorId>`): its own notices, and the
 * shared notices whose `recipients` name it (publishSharedNotification).
 */
export function notificationFilter(recipient: string): { or: Record<string, Condition>[] } {
  return { or: [{ recipient: { eq: recipient } }, { recipients: { containsAny: [recipient] } }] };
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
