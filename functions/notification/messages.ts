import type { Envelope } from '../../domain/events/envelope.js';
import { crossesLowStock } from '../../domain/events/fromStream.js';
import { vendorRecipient } from '../../domain/keys.js';
import type {
  NotificationKind,
  PublishNotificationInput,
  PublishSharedNotificationInput,
} from '../lib/generated/graphql.js';

/**
 * One notice: to one recipient (publishNotification), or one text to several recipients at once
 * (publishSharedNotification, `recipients`), which one request stores for all and pushes once.
 */
export type Notice = PublishNotificationInput | PublishSharedNotificationInput;

/** Whether a notice goes to several recipients at once. */
export function isShared(notice: Notice): notice is PublishSharedNotificationInput {
  return 'recipients' in notice;
}

/** Most recipients of one shared notice (one BatchWriteItem: Mutation.publishSharedNotification.ts). */
export const MAX_SHARED_RECIPIENTS = 25;

/** The parent order as a vendor-order event needs it (for the relay and the vendor notices). */
export interface ParentOrder {
  id: string;
  customerId: string;
  vendorIds: string[];
  status: string;
  version: number;
  payment: Record<string, unknown> | null;
}

/**
 * Kinds that also go to the SNS topic, i.e. that a user needs by mail: money moved (paid, failed,
 * refunded, cancelled), something to act on (a vendor's new or cancelled order, low stock), or a parcel
 * on its way. ORDER_PLACED (no longer sent: a new order is placeOrder's own push), ORDER_DELIVERED
 * (the parcel is at the door) and ORDER_COMPLETED (bookkeeping) stay in the app. The notification
 * consumer mails its notices, the payment consumer the payment notices.
 */
export const MAIL_KINDS: ReadonlySet<NotificationKind> = new Set<NotificationKind>([
  'ORDER_PAID',
  'PAYMENT_FAILED',
  'ORDER_CANCELLED',
  'ORDER_SHIPPED',
  'REFUND_ISSUED',
  'VENDOR_ORDER_RECEIVED',
  'VENDOR_ORDER_CANCELLED',
  'LOW_STOCK',
]);

/**
 * The customer's notice per order status. PLACED has none: the order's INSERT stays off the bus (the
 * customer's own placeOrder answer, and onOrderPlaced for its other sessions, tell of it). PAID and
 * PAYMENT_FAILED have none here: the payment consumer sends their notices in its recordPaymentResult
 * request (paymentNotices), and the pipe keeps those records off the bus.
 */
const ORDER_KINDS: Partial<Record<string, { kind: NotificationKind; text: string }>> = {
  CANCELLED: { kind: 'ORDER_CANCELLED', text: 'Your order was cancelled' },
  SHIPPED: { kind: 'ORDER_SHIPPED', text: 'Your order has shipped' },
  DELIVERED: { kind: 'ORDER_DELIVERED', text: 'Your order was delivered' },
  COMPLETED: { kind: 'ORDER_COMPLETED', text: 'Your order is complete' },
};

function notice(
  envelope: Envelope,
  recipient: string,
  kind: NotificationKind,
  orderId: string | null,
  message: string,
): PublishNotificationInput {
  // Deterministic id and time: a redelivered event overwrites the same notification.
  return {
    id: `${envelope.id}:${kind}:${recipient}`,
    recipient,
    kind,
    orderId,
    message,
    createdAt: envelope.time,
  };
}

/**
 * The notifications one domain event means. Customers hear about every order status; vendors hear when a
 * paid order reaches them and when their part of a paid order is cancelled; a vendor hears when a
 * product's available stock falls below its threshold.
 */
export function notificationsFor(envelope: Envelope, parent: ParentOrder | null = null): Notice[] {
  if (envelope.type === 'order.statusChanged') {
    const data = envelope.data;
    const entry = ORDER_KINDS[data.status];
    if (!entry) return [];
    return [
      notice(envelope, data.customerId, entry.kind, data.orderId, `${entry.text} (order ${data.orderId})`),
    ];
  }
  if (envelope.type === 'vendorOrder.statusChanged') {
    const data = envelope.data;
    // Vendors hear of a paid order only (VENDOR_ORDER_RECEIVED), so only a paid order's cancellation concerns them.
    const paymentStatus = parent?.payment ? String(parent.payment.status) : '';
    const paid = ['SUCCEEDED', 'PARTIALLY_REFUNDED', 'REFUNDED'].includes(paymentStatus);
    if (data.status === 'CANCELLED' && paid) {
      return [
        notice(
          envelope,
          vendorRecipient(data.vendorId),
          'VENDOR_ORDER_CANCELLED',
          data.orderId,
          `Order ${data.orderId} was cancelled`,
        ),
      ];
    }
    return [];
  }
  if (envelope.type === 'product.changed') {
    const data = envelope.data;
    // Only the change that crosses the threshold alerts, not every change below it.
    if (!crossesLowStock(data.previousAvailable, data.available, data.lowStockThreshold)) return [];
    return [
      notice(
        envelope,
        vendorRecipient(data.vendorId),
        'LOW_STOCK',
        null,
        `${data.name} is low on stock: ${data.available} left (threshold ${data.lowStockThreshold})`,
      ),
    ];
  }
  return [];
}

/** A charge result the payment consumer records, as its notices need it. */
export interface ChargeResultNotices {
  orderId: string;
  customerId: string;
  vendorIds: readonly string[];
  attempt: number;
  status: 'SUCCEEDED' | 'DECLINED' | 'FAILED';
  /** The payment request's time: the same on every redelivery, so the notices' keys are too. */
  at: string;
}

/**
 * The notices of one charge result, each gated on that attempt's result (resolvers/pipeline/
 * gatePaymentNotice.ts): the customer's "payment received" or "payment failed", and for a success one
 * shared VENDOR_ORDER_RECEIVED per 25 vendors. Ids and times depend only on the order and the attempt,
 * so a redelivery names the same items and the gate's conditional put refuses them.
 */
export function paymentNotices(r: ChargeResultNotices): {
  notice: PublishNotificationInput;
  shared: PublishSharedNotificationInput[];
} {
  const id = `payment#${r.orderId}#${r.attempt}`;
  const paid = r.status === 'SUCCEEDED';
  const paymentGate = { attempt: r.attempt, result: r.status };
  const kind: NotificationKind = paid ? 'ORDER_PAID' : 'PAYMENT_FAILED';
  const text = paid ? 'Your payment was received' : 'Your payment failed; you can pay again';
  const notice: PublishNotificationInput = {
    id: `${id}:${kind}:${r.customerId}`,
    recipient: r.customerId,
    kind,
    orderId: r.orderId,
    message: `${text} (order ${r.orderId})`,
    createdAt: r.at,
    paymentGate,
  };
  const shared: PublishSharedNotificationInput[] = [];
  if (paid) {
    // One text for every vendor, so one shared notice per 25 vendors instead of one request each. The id
    // leaves the recipient out (each copy lives in its recipient's partition, so ids stay unique per
    // recipient).
    const vendors = r.vendorIds.map(vendorRecipient);
    for (let i = 0; i < vendors.length; i += MAX_SHARED_RECIPIENTS) {
      const chunk = Math.floor(i / MAX_SHARED_RECIPIENTS);
      shared.push({
        id: `${id}:VENDOR_ORDER_RECEIVED${chunk === 0 ? '' : `:${chunk}`}`,
        recipients: vendors.slice(i, i + MAX_SHARED_RECIPIENTS),
        kind: 'VENDOR_ORDER_RECEIVED',
        orderId: r.orderId,
        message: `New paid order ${r.orderId}`,
        createdAt: r.at,
        paymentGate,
      });
    }
  }
  return { notice, shared };
}
