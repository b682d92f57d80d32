import type {
  Notification,
  PaymentNoticeGateInput,
  PaymentStatus,
  PublishSharedNotificationInput,
} from '../../domain/generated/schema.js';
import { businessError } from '../../domain/errors.js';
import { notificationKey } from '../../domain/keys.js';
import { fail } from './errors.js';

/** The results a payment notice may wait for (a charge's outcomes). */
const GATE_RESULTS: PaymentStatus[] = ['SUCCEEDED', 'DECLINED', 'FAILED'];

/** The gate of a notice, checked: it needs the order and a charge outcome; null without one. */
export function gateOf(
  gate: PaymentNoticeGateInput | null | undefined,
  orderId: string | null | undefined,
): PaymentNoticeGateInput | null {
  if (!gate) return null;
  if (!orderId)
    fail(
      businessError('ValidationError', 'a payment gate needs the notice orderId', {
        field: 'orderId',
        reason: 'a payment gate needs the notice orderId',
      }),
    );
  if (!GATE_RESULTS.includes(gate.result))
    fail(
      businessError('ValidationError', 'a payment gate waits for SUCCEEDED, DECLINED or FAILED', {
        field: 'paymentGate.result',
        reason: 'a payment gate waits for SUCCEEDED, DECLINED or FAILED',
      }),
    );
  return { attempt: gate.attempt, result: gate.result };
}

/**
 * What a refused payment notice answers: no recipient and no recipients, so neither arm of
 * onNotification's filter (domain/audience.ts notificationFilter: recipient eq, recipients containsAny)
 * admits it and it reaches nobody. Relying on a null field result pushing nothing is not documented.
 */
export function refusedNotice(input: {
  id: string;
  kind: Notification['kind'];
  orderId?: string | null;
  message: string;
  createdAt: string;
}): Notification {
  return {
    id: input.id,
    recipient: null,
    recipients: [],
    kind: input.kind,
    orderId: input.orderId ?? null,
    message: input.message,
    createdAt: input.createdAt,
  };
}

/**
 * A shared notice's stored copies, one per recipient in the recipients' order, each in its recipient's
 * partition with the event's id and createdAt (putSharedNotification batches them; for a gated notice
 * claimSharedNotification writes the last one).
 */
export function sharedCopies(input: PublishSharedNotificationInput) {
  return input.recipients.map((recipient) => ({
    key: notificationKey(recipient, input.createdAt, input.id),
    item: {
      entity: 'NOTIFICATION',
      id: input.id,
      recipient,
      kind: input.kind,
      orderId: input.orderId ?? null,
      message: input.message,
      createdAt: input.createdAt,
    },
  }));
}
