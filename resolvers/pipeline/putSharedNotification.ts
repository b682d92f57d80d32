import { type Context, runtime, util } from '@aws-appsync/utils';
import { notificationKey } from '../../domain/keys.js';
import { tableNameOf } from '../../domain/writes.js';
import type { MutationPublishSharedNotificationArgs } from '../../domain/generated/schema.js';
import type { NoticeStash } from '../lib/stash.js';

/**
 * publishSharedNotification's write (table): the notice once per recipient, in each recipient's
 * partition, with the id and createdAt of the event (so a redelivered event overwrites the same items
 * with the same content), in one BatchPutItem: 1 WRU a copy, where a transaction of conditional puts
 * cost 2. A gated notice (payment consumer) comes here only when gatePaymentNotice found a copy missing,
 * so a redelivery stores and pushes nothing; a refused gate skips the write.
 */
export function request(ctx: Context<MutationPublishSharedNotificationArgs, NoticeStash>) {
  if (ctx.stash.refused) runtime.earlyReturn(null);
  const table = tableNameOf(ctx.env) ?? '';
  const input = ctx.args.input;
  const items = input.recipients.map((recipient) =>
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
 * Items DynamoDB left unprocessed fail the call, which then pushes nothing: the caller's retry finds a
 * copy missing (gatePaymentNotice) and stores them all, so every copy ends up stored and pushed once.
 */
export function response(ctx: Context<MutationPublishSharedNotificationArgs, NoticeStash>) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const table = tableNameOf(ctx.env) ?? '';
  const result = ctx.result as { unprocessedItems?: Record<string, unknown[]> | null };
  const left = result.unprocessedItems ? (result.unprocessedItems[table] ?? []) : [];
  if (left.length > 0)
    util.error(`${left.length} notices were not stored; retry the call`, 'ProvisionedThroughputExceeded');
  return null;
}
