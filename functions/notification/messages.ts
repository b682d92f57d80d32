import type { Envelope } from '../../domain/events/envelope.js';
import { crossesLowStock } from '../../domain/events/fromStream.js';
import { vendorRecipient } from '../../domain/keys.js';
import type { NotificationKind, PublishNotificationInput } from '../lib/generated/graphql.js';

/** The parent order as a vendor-order event needs it (for the relay and the vendor notices). */
export interface ParentOrder {
  id: string;
  customerId: string;
  vendorIds: string[];
  status: string;
  version: number;
  payment: Record<string, unknown> | null;
}

const ORDER_KINDS: Partial<Record<string, { kind: NotificationKind; text: string }>> = {
  PLACED: { kind: 'ORDER_PLACED', text: 'Your order was placed' },
  PAID: { kind: 'ORDER_PAID', text: 'Your payment was received' },
  PAYMENT_FAILED: { kind: 'PAYMENT_FAILED', text: 'Your payment failed; you can pay again' },
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
export function notificationsFor(
  envelope: Envelope,
  parent: ParentOrder | null = null,
): PublishNotificationInput[] {
  if (envelope.type === 'order.statusChanged') {
    const data = envelope.data as Envelope<'order.statusChanged'>['data'];
    const entry = ORDER_KINDS[data.status];
    if (!entry) return [];
    const out = [
      notice(envelope, data.customerId, entry.kind, data.orderId, `${entry.text} (order ${data.orderId})`),
    ];
    if (data.status === 'PAID') {
      for (const vendorId of data.vendorIds) {
        out.push(
          notice(
            envelope,
            vendorRecipient(vendorId),
            'VENDOR_ORDER_RECEIVED',
            data.orderId,
            `New paid order ${data.orderId}`,
          ),
        );
      }
    }
    return out;
  }
  if (envelope.type === 'vendorOrder.statusChanged') {
    const data = envelope.data as Envelope<'vendorOrder.statusChanged'>['data'];
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
    const data = envelope.data as Envelope<'product.changed'>['data'];
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
