import type { TypedDocument } from '../lib/appsync-client.js';
import {
  OrderStatusEventFieldsFragmentDoc,
  PublishNotificationDocument,
  PublishOrderStatusDocument,
  PublishSharedNotificationDocument,
  PublishVendorOrderStatusDocument,
  type PublishNotificationInput,
  type PublishNotificationMutation,
  type PublishOrderStatusInput,
  type PublishOrderStatusMutation,
  type PublishSharedNotificationInput,
  type PublishSharedNotificationMutation,
  type PublishVendorOrderStatusInput,
  type PublishVendorOrderStatusMutation,
} from '../lib/generated/graphql.js';
import { isShared, type Notice } from './messages.js';

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
 * A notice with one text for several recipients (a paid order's vendors) is one publishSharedNotification
 * field, whatever the number of recipients, so it never needs a second field.
 */
export interface RelayRequest {
  /** publishOrderStatus: the customer-facing event (customer and admins). */
  customer?: PublishOrderStatusInput;
  /** publishVendorOrderStatus: one vendor's event (its own part only). */
  vendor?: PublishVendorOrderStatusInput;
  /** publishNotification: one stored notification, pushed to its recipient. */
  notification?: PublishNotificationInput;
  /** publishSharedNotification: one notice stored for each of its recipients, pushed once to all. */
  shared?: PublishSharedNotificationInput;
}

/** The data of a relay request: each field present when its part was sent. */
export type RelayResult = Partial<PublishOrderStatusMutation> &
  Partial<PublishVendorOrderStatusMutation> &
  Partial<PublishNotificationMutation> &
  Partial<PublishSharedNotificationMutation>;

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
  shared: {
    variable: '$shared: PublishSharedNotificationInput!',
    field: fieldOf(PublishSharedNotificationDocument, 'shared'),
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
 * the customer event, the vendor event, the first single-recipient notice and the first shared notice;
 * each further notice goes in the first later request without a field of its kind.
 */
export function groupRelays(
  relays: { customer?: PublishOrderStatusInput; vendor?: PublishVendorOrderStatusInput },
  notices: readonly Notice[],
): RelayRequest[] {
  const requests: RelayRequest[] = [
    {
      ...(relays.customer ? { customer: relays.customer } : {}),
      ...(relays.vendor ? { vendor: relays.vendor } : {}),
    },
  ];
  for (const notice of notices) {
    const kind = isShared(notice) ? 'shared' : 'notification';
    let request = requests.find((r) => r[kind] === undefined);
    if (!request) {
      request = {};
      requests.push(request);
    }
    if (isShared(notice)) request.shared = notice;
    else request.notification = notice;
  }
  return requests.filter((r) => Object.keys(r).length > 0);
}
