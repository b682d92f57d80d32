import type { Logger } from '@aws-lambda-powertools/logger';
import type { Envelope } from '../../domain/events/envelope.js';
import {
  PublishNotificationDocument,
  PublishOrderStatusDocument,
  type PaymentInput,
  type PublishNotificationInput,
  type PublishOrderStatusInput,
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

/** The relay input for an order or vendor-order status change: every change reaches subscribers. */
export function relayInput(envelope: Envelope, parent: ParentOrder | null): PublishOrderStatusInput | null {
  if (envelope.type === 'order.statusChanged') {
    const d = envelope.data as Envelope<'order.statusChanged'>['data'];
    return {
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
    };
  }
  if (envelope.type === 'vendorOrder.statusChanged' && parent) {
    const d = envelope.data as Envelope<'vendorOrder.statusChanged'>['data'];
    return {
      orderId: d.orderId,
      customerId: d.customerId,
      vendorIds: parent.vendorIds,
      status: parent.status as PublishOrderStatusInput['status'],
      previousStatus: null,
      vendorId: d.vendorId,
      vendorStatus: d.status,
      payment: paymentInput(parent.payment),
      reason: d.reason,
      actor: 'VENDOR',
      version: parent.version,
      correlationId: envelope.correlationId,
      at: d.at,
    };
  }
  return null;
}

/**
 * Handles one domain event: relays status changes to subscribers (publishOrderStatus), stores and pushes
 * each notification (publishNotification), and copies it to the SNS topic when one is configured.
 */
export async function handleNotificationEvent(envelope: Envelope, deps: NotificationDeps): Promise<void> {
  const correlationId = envelope.correlationId;
  let parent: ParentOrder | null = null;
  if (envelope.type === 'vendorOrder.statusChanged') {
    const orderId = (envelope.data as Envelope<'vendorOrder.statusChanged'>['data']).orderId;
    parent = await deps.readOrder(orderId);
    if (!parent) throw new Error(`order ${orderId} not found`);
  }
  const relay = relayInput(envelope, parent);
  if (relay) {
    await deps.appsync.request(PublishOrderStatusDocument, { input: relay }, { correlationId });
    deps.logger.info('status relayed', {
      orderId: relay.orderId,
      status: relay.status,
      vendorStatus: relay.vendorStatus ?? null,
    });
  }
  for (const notification of notificationsFor(envelope, parent)) {
    await deps.appsync.request(PublishNotificationDocument, { input: notification }, { correlationId });
    if (deps.publishToTopic) await deps.publishToTopic(notification);
    deps.logger.info('notification published', {
      kind: notification.kind,
      recipient: notification.recipient,
    });
  }
}
