import { type Context, util } from '@aws-appsync/utils';
import { notificationKey } from '../domain/keys.js';
import { MAX_ID_LENGTH } from '../domain/limits.js';
import { tableNameOf } from '../domain/writes.js';
import { businessError } from '../domain/errors.js';
import type { MutationPublishSharedNotificationArgs, Notification } from '../domain/generated/schema.js';
import { fail } from './lib/errors.js';

/** Most recipients of one shared notice: what one BatchWriteItem holds. */
const MAX_RECIPIENTS = 25;

function invalid(reason: string): never {
  return fail(businessError('ValidationError', `recipients: ${reason}`, { field: 'recipients', reason }));
}

/**
 * IAM only (by the schema). Stores the notice once per recipient, in each recipient's partition, with the
 * id and createdAt of the event (so a redelivered event overwrites the same items), in one BatchPutItem.
 */
export function request(ctx: Context<MutationPublishSharedNotificationArgs>) {
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
  const items = recipients.map((recipient) =>
    util.dynamodb.toMapValues({
      ...notificationKey(recipient, input.createdAt, input.id),
      entity: 'NOTIFICATION',
      id: input.id,
      recipient,
      kind: input.kind,
      orderId: input.orderId ?? null,
      message: input.message,
      createdAt: input.createdAt,
    }),
  );
  return { operation: 'BatchPutItem', tables: { [`${table}`]: items } };
}

/**
 * The notice as every recipient receives it: `recipients` (IAM only) for onNotification's filter, and no
 * single recipient. Items DynamoDB left unprocessed fail the call, so the caller's retry stores them.
 */
export function response(ctx: Context<MutationPublishSharedNotificationArgs>): Notification {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const table = tableNameOf(ctx.env) ?? '';
  const result = ctx.result as { unprocessedItems?: Record<string, unknown[]> | null };
  const left = result.unprocessedItems ? (result.unprocessedItems[table] ?? []) : [];
  if (left.length > 0)
    util.error(`${left.length} notices were not stored; retry the call`, 'ProvisionedThroughputExceeded');
  const input = ctx.args.input;
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
