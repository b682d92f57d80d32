import { type Context, util } from '@aws-appsync/utils';
import { notificationKey } from '../domain/keys.js';
import { MAX_ID_LENGTH } from '../domain/limits.js';
import { tableNameOf } from '../domain/writes.js';
import { businessError } from '../domain/errors.js';
import type { MutationPublishSharedNotificationArgs, Notification } from '../domain/generated/schema.js';
import { fail } from './lib/errors.js';
import type { NoticeStash } from './lib/stash.js';
import { gateOf, refusedNotice } from './lib/notices.js';

/** Most recipients of one shared notice: what one BatchWriteItem holds. */
const MAX_RECIPIENTS = 25;

function invalid(reason: string): never {
  return fail(businessError('ValidationError', `recipients: ${reason}`, { field: 'recipients', reason }));
}

/**
 * publishSharedNotification, before step (IAM only, by the schema): checks the recipients and stashes the
 * payment gate, if the notice has one, with the keys of the copies the gate reads (gatePaymentNotice, then
 * putSharedNotification and, for a gated notice, claimSharedNotification).
 */
export function request(ctx: Context<MutationPublishSharedNotificationArgs, NoticeStash>) {
  const table = tableNameOf(ctx.env);
  if (!table) util.error('The API has no TABLE_NAME environment variable', 'ConfigurationError');
  const input = ctx.args.input;
  const recipients = input.recipients;
  if (recipients.length === 0 || recipients.length > MAX_RECIPIENTS)
    invalid(`must hold 1 to ${MAX_RECIPIENTS} recipients, received ${recipients.length}`);
  const seen: string[] = [];
  for (const recipient of recipients) {
    if (recipient === '' || recipient.length > MAX_ID_LENGTH)
      invalid(`each recipient must be 1 to ${MAX_ID_LENGTH} characters`);
    if (seen.includes(recipient)) invalid(`${recipient} is named twice`);
    seen.push(recipient);
  }
  ctx.stash.gate = gateOf(input.paymentGate, input.orderId);
  ctx.stash.orderId = input.orderId ?? null;
  // The claim copy (the last recipient's, claimSharedNotification) is written only after every other copy
  // was stored, so it alone tells the gate whether the notice is stored: one key read, not one a vendor.
  if (ctx.stash.gate !== null)
    ctx.stash.copyKeys = [notificationKey(recipients[recipients.length - 1]!, input.createdAt, input.id)];
  return {};
}

/**
 * The notice as every recipient receives it: `recipients` (IAM only) for onNotification's filter, and no
 * single recipient. A refused notice names no recipients, so it reaches nobody (resolvers/lib/notices.ts).
 */
export function response(ctx: Context<MutationPublishSharedNotificationArgs, NoticeStash>): Notification {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const input = ctx.args.input;
  if (ctx.stash.refused) return refusedNotice(input);
  return {
    id: input.id,
    recipient: null,
    recipients: input.recipients,
    kind: input.kind,
    orderId: input.orderId ?? null,
    message: input.message,
    createdAt: input.createdAt,
  };
}
