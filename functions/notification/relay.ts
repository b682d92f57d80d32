import type { TypedDocument } from '../lib/appsync-client.js';
import {
  OrderStatusEventFieldsFragmentDoc,
  type PublishNotificationInput,
  type PublishNotificationMutation,
  type PublishOrderStatusInput,
  type PublishOrderStatusMutation,
  type PublishVendorOrderStatusInput,
  type PublishVendorOrderStatusMutation,
} from '../lib/generated/graphql.js';

/**
 * One relay request: what one change means for subscribers, sent as ONE GraphQL mutation with at most
 * one field of each relay mutation. AppSync runs every
 * top-level field of a mutation and publishes each field's result to the subscriptions of that field,
 * each with its own enhanced filter, so the customer event, the vendor event and a notification stay
 * separate payloads for separate audiences (no subscriber ever gets another audience's payload).
 *
 * Fields are never aliased: AppSync publishes the mutation's selection set, and aliased mutation fields
 * are reported not to reach subscribers (aws-amplify/amplify-js#3213, dillonkearns/elm-graphql#106,
 * aws/aws-appsync-community#160), so a second notification for the same request starts a new request.
 */
export interface RelayRequest {
  /** publishOrderStatus: the customer-facing event (customer and admins). */
  customer?: PublishOrderStatusInput;
  /** publishVendorOrderStatus: one vendor's event (its own part only). */
  vendor?: PublishVendorOrderStatusInput;
  /** publishNotification: one stored notification, pushed to its recipient. */
  notification?: PublishNotificationInput;
}

/** The data of a relay request: each field present when its part was sent. */
export type RelayResult = Partial<PublishOrderStatusMutation> &
  Partial<PublishVendorOrderStatusMutation> &
  Partial<PublishNotificationMutation>;

const FIELDS = {
  customer: {
    variable: '$customer: PublishOrderStatusInput!',
    field: 'publishOrderStatus(input: $customer) { ...OrderStatusEventFields }',
  },
  vendor: {
    variable: '$vendor: PublishVendorOrderStatusInput!',
    field: 'publishVendorOrderStatus(input: $vendor) { ...OrderStatusEventFields }',
  },
  notification: {
    variable: '$notification: PublishNotificationInput!',
    field: 'publishNotification(input: $notification) { id recipient kind orderId message createdAt }',
  },
} as const;

/** The GraphQL document of a relay request: only the fields it carries, in a fixed order. */
export function relayDocument(request: RelayRequest): TypedDocument<RelayResult, RelayRequest> {
  const parts = (Object.keys(FIELDS) as (keyof typeof FIELDS)[]).filter((k) => request[k] !== undefined);
  if (parts.length === 0) throw new Error('a relay request needs at least one field');
  const statusEvent = request.customer !== undefined || request.vendor !== undefined;
  const text =
    `mutation Relay(${parts.map((k) => FIELDS[k].variable).join(', ')}) {\n` +
    parts.map((k) => `  ${FIELDS[k].field}\n`).join('') +
    '}\n' +
    (statusEvent ? OrderStatusEventFieldsFragmentDoc.toString() : '');
  return { toString: () => text };
}

/**
 * Packs what one change means into as few requests as the rule above allows: the first request carries
 * the customer event, the vendor event and the first notification; every further notification (PAID
 * tells the customer and each vendor) takes a request of its own.
 */
export function groupRelays(
  relays: { customer?: PublishOrderStatusInput; vendor?: PublishVendorOrderStatusInput },
  notifications: readonly PublishNotificationInput[],
): RelayRequest[] {
  const [first, ...rest] = notifications;
  const head: RelayRequest = {
    ...(relays.customer ? { customer: relays.customer } : {}),
    ...(relays.vendor ? { vendor: relays.vendor } : {}),
    ...(first ? { notification: first } : {}),
  };
  const requests = Object.keys(head).length > 0 ? [head] : [];
  return [...requests, ...rest.map((notification) => ({ notification }))];
}
