import type { TypedDocument } from '../lib/appsync-client.js';
import {
  OrderStatusEventFieldsFragmentDoc,
  PublishNotificationDocument,
  PublishOrderStatusDocument,
  PublishVendorOrderStatusDocument,
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

/**
 * The one field of a single-mutation document (functions/lib/graphql/backend.graphql, so the selection
 * sets stay written once), with its `$input` renamed to the request's variable for that part.
 */
function fieldOf(document: { toString(): string }, variable: string): string {
  const text = document.toString();
  const open = text.indexOf('{');
  let depth = 0;
  for (let i = open; i < text.length; i += 1) {
    if (text[i] === '{') depth += 1;
    else if (text[i] === '}' && --depth === 0)
      return text
        .slice(open + 1, i)
        .trim()
        .replace('$input', `$${variable}`);
  }
  throw new Error(`no selection set in ${text.slice(0, 60)}`);
}

const FIELDS = {
  customer: {
    variable: '$customer: PublishOrderStatusInput!',
    field: fieldOf(PublishOrderStatusDocument, 'customer'),
  },
  vendor: {
    variable: '$vendor: PublishVendorOrderStatusInput!',
    field: fieldOf(PublishVendorOrderStatusDocument, 'vendor'),
  },
  notification: {
    variable: '$notification: PublishNotificationInput!',
    field: fieldOf(PublishNotificationDocument, 'notification'),
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
