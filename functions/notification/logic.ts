import type { Logger } from '@aws-lambda-powertools/logger';
import type { Envelope } from '../../domain/events/envelope.js';
import { UNPUSHED_ORDER_STATUSES, WRITER_PUSHED_ORDER_STATUSES } from '../../domain/audience.js';
import type {
  PaymentInput,
  PublishOrderStatusInput,
  PublishVendorOrderStatusInput,
} from '../lib/generated/graphql.js';
import type { AppSyncPort } from '../lib/events.js';
import { MAIL_KINDS, notificationsFor, type Notice, type ParentOrder } from './messages.js';
import { groupRelays, relayDocument } from './relay.js';

/** What the notification logic needs; unit tests pass fakes. */
export interface NotificationDeps {
  appsync: AppSyncPort;
  logger: Pick<Logger, 'info'>;
  /** Reads the parent order of a vendor-order event. */
  readOrder(orderId: string): Promise<ParentOrder | null>;
  /**
   * Publishes notices to the SNS topic (a shared notice once, naming its recipients), all in one
   * PublishBatch request (functions/lib/topic.ts); absent when NOTIFICATION_TOPIC_ARN is not set.
   */
  publishToTopic?: (notifications: Notice[]) => Promise<void>;
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
 * vendor move. PLACED, PAID and PAYMENT_FAILED need no relay: placeOrder's own answer is the PLACED push
 * (onOrderPlaced) and recordPaymentResult, which makes the other two, pushes their customer event itself
 * (domain/audience.ts WRITER_PUSHED_ORDER_STATUSES).
 */
export function relaysFor(envelope: Envelope, parent: ParentOrder | null): Relay[] {
  if (envelope.type === 'order.statusChanged') {
    const d = envelope.data;
    if (UNPUSHED_ORDER_STATUSES.includes(d.status)) return [];
    if (WRITER_PUSHED_ORDER_STATUSES.includes(d.status)) return [];
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

export { MAIL_KINDS } from './messages.js';

/**
 * Handles one domain event: one relay request for the change (relay.ts: the customer event, the vendor
 * event, a notification and a shared notice as separate fields of one mutation), one more per further
 * notice of a kind already carried, and a copy on the SNS topic of each notice a user needs by mail (the
 * copies of the requests that went through together in one PublishBatch request, once all settled). The
 * requests are independent, so they run concurrently; any failure fails the event, and its retry repeats
 * them all (each is idempotent: relays write nothing, a notification has a deterministic id).
 */
export async function handleNotificationEvent(envelope: Envelope, deps: NotificationDeps): Promise<void> {
  const correlationId = envelope.correlationId;
  let parent: ParentOrder | null = null;
  if (envelope.type === 'vendorOrder.statusChanged') {
    const orderId = envelope.data.orderId;
    parent = await deps.readOrder(orderId);
    if (!parent) throw new Error(`order ${orderId} not found`);
  }
  const relays: { customer?: PublishOrderStatusInput; vendor?: PublishVendorOrderStatusInput } = {};
  for (const relay of relaysFor(envelope, parent)) {
    if (relay.audience === 'CUSTOMER') relays.customer = relay.input;
    else relays.vendor = relay.input;
  }
  const notifications = notificationsFor(envelope, parent);
  const requests = groupRelays(relays, notifications).map(async (request) => {
    await deps.appsync.request(relayDocument(request), request, { correlationId });
    return [request.notification, request.shared].filter(
      (notice): notice is Notice => !!notice && MAIL_KINDS.has(notice.kind),
    );
  });
  const outcomes = await Promise.allSettled(requests);
  // The mails of the requests that went through, in one PublishBatch request, also when another failed.
  const mail = outcomes.flatMap((o) => (o.status === 'fulfilled' ? o.value : []));
  if (deps.publishToTopic && mail.length > 0) await deps.publishToTopic(mail);
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason;
  deps.logger.info('change relayed', {
    eventType: envelope.type,
    requests: requests.length,
    customer: relays.customer?.status ?? null,
    vendor: relays.vendor?.vendorStatus ?? null,
    notifications: notifications.map((n) => n.kind),
  });
}
