import type { Logger } from '@aws-lambda-powertools/logger';
import type { Envelope } from '../../domain/events/envelope.js';
import {
  PublishNotificationDocument,
  PublishOrderStatusDocument,
  PublishVendorOrderStatusDocument,
  type PaymentInput,
  type PublishNotificationInput,
  type PublishOrderStatusInput,
  type PublishVendorOrderStatusInput,
} from '../lib/generated/graphql.js';
import type { AppSyncPort } from '../lib/events.js';
import { notificationsFor, type ParentOrder } from './messages.js';

/** What the notification logic needs; unit tests pass fakes. */
export interface NotificationDeps {
  appsync: AppSyncPort;
  logger: Pick<Logger, 'info'>;
  /** Reads the parent order of a vendor-order event. */
  readOrder(orderId: string): Promise<ParentOrder | null>;
  /** Publishes to the SNS topic; absent when NOTIFICATION_TOPIC_ARN is not set. */
  publishToTopic?: (notification: PublishNotificationInput) => Promise<void>;
}

function paymentInput(payment: Record<string, unknown> | null | undefined): PaymentInput | null {
  if (!payment) return null;
  return {
    orderId: String(payment.orderId),
    amount: Number(payment.amount),
    currency: payment.currency as PaymentInput['currency'],
    status: payment.status as PaymentInput['status'],
    method: (payment.method as PaymentInput['method']) ?? null,
    attempts: Number(payment.attempts),
    failureReason: (payment.failureReason as string | null | undefined) ?? null,
    refundedAmount: Number(payment.refundedAmount ?? 0),
    updatedAt: String(payment.updatedAt),
  };
}

/** One status relay: the customer-facing event (customer and admins) or one vendor's event. */
export type Relay =
  | { audience: 'CUSTOMER'; input: PublishOrderStatusInput }
  | { audience: 'VENDOR'; input: PublishVendorOrderStatusInput };

/** Payment statuses of an order that was paid: from then on its parts are the vendors' business. */
const PAID_PAYMENT_STATUSES = ['SUCCEEDED', 'PARTIALLY_REFUNDED', 'REFUNDED'];

/**
 * The relays one status change means, one per audience whose view it changes (schema.graphql,
 * EventAudience). The customer-facing event serves the customer and admins and carries every change.
 * A vendor gets an event only about its own part, and only once the order is paid (before that its part
 * is not actionable, and a new paid order reaches it as a VENDOR_ORDER_RECEIVED notification): an
 * order-level change means no vendor event, so the relays per order stay one per change plus one per
 * vendor move.
 */
export function relaysFor(envelope: Envelope, parent: ParentOrder | null): Relay[] {
  if (envelope.type === 'order.statusChanged') {
    const d = envelope.data;
    return [
      {
        audience: 'CUSTOMER',
        input: {
          orderId: d.orderId,
          customerId: d.customerId,
          vendorIds: d.vendorIds,
          status: d.status,
          previousStatus: d.previousStatus,
          payment: paymentInput(d.payment),
          reason: d.reason,
          actor: d.actor,
          version: d.version,
          correlationId: envelope.correlationId,
          at: d.at,
        },
      },
    ];
  }
  if (envelope.type === 'vendorOrder.statusChanged' && parent) {
    const d = envelope.data;
    const status = parent.status as PublishOrderStatusInput['status'];
    const relays: Relay[] = [
      {
        audience: 'CUSTOMER',
        input: {
          orderId: d.orderId,
          customerId: d.customerId,
          vendorIds: parent.vendorIds,
          status,
          previousStatus: null,
          vendorId: d.vendorId,
          vendorStatus: d.status,
          payment: paymentInput(parent.payment),
          reason: d.reason,
          actor: 'VENDOR',
          version: parent.version,
          correlationId: envelope.correlationId,
          at: d.at,
        },
      },
    ];
    const paid = parent.payment ? PAID_PAYMENT_STATUSES.includes(String(parent.payment.status)) : false;
    if (paid) {
      relays.push({
        audience: 'VENDOR',
        input: {
          orderId: d.orderId,
          customerId: d.customerId,
          status,
          vendorId: d.vendorId,
          vendorStatus: d.status,
          reason: d.reason,
          actor: 'VENDOR',
          version: parent.version,
          correlationId: envelope.correlationId,
          at: d.at,
        },
      });
    }
    return relays;
  }
  return [];
}

/**
 * Handles one domain event: relays status changes to each audience (publishOrderStatus,
 * publishVendorOrderStatus), stores and pushes each notification (publishNotification), and copies it to
 * the SNS topic when one is configured. The calls are independent, so they run concurrently; any failure
 * fails the event, and its retry repeats them all (each is idempotent: relays write nothing, a
 * notification has a deterministic id).
 */
export async function handleNotificationEvent(envelope: Envelope, deps: NotificationDeps): Promise<void> {
  const correlationId = envelope.correlationId;
  let parent: ParentOrder | null = null;
  if (envelope.type === 'vendorOrder.statusChanged') {
    const orderId = envelope.data.orderId;
    parent = await deps.readOrder(orderId);
    if (!parent) throw new Error(`order ${orderId} not found`);
  }
  const relays = relaysFor(envelope, parent).map(async (relay) => {
    if (relay.audience === 'CUSTOMER') {
      await deps.appsync.request(PublishOrderStatusDocument, { input: relay.input }, { correlationId });
    } else {
      await deps.appsync.request(PublishVendorOrderStatusDocument, { input: relay.input }, { correlationId });
    }
    deps.logger.info('status relayed', {
      audience: relay.audience,
      orderId: relay.input.orderId,
      status: relay.input.status,
      vendorStatus: relay.input.vendorStatus ?? null,
    });
  });
  const notices = notificationsFor(envelope, parent).map(async (notification) => {
    await deps.appsync.request(PublishNotificationDocument, { input: notification }, { correlationId });
    if (deps.publishToTopic) await deps.publishToTopic(notification);
    deps.logger.info('notification published', {
      kind: notification.kind,
      recipient: notification.recipient,
    });
  });
  const outcomes = await Promise.allSettled([...relays, ...notices]);
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason;
}
