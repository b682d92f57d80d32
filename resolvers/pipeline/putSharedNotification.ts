import { type Context, runtime, util } from '@aws-appsync/utils';
import { notificationKey } from '../../domain/keys.js';
import { tableNameOf } from '../../domain/writes.js';
import type { MutationPublishSharedNotificationArgs } from '../../domain/generated/schema.js';
import type { NoticeStash } from '../lib/stash.js';

/**
 * publishSharedNotification's write (table): the notice once per recipient, in each recipient's
 * partition, with the id and createdAt of the event (so a redelivered event overwrites the same items),
 * in one BatchPutItem. A gated notice (payment consumer) is one TransactWriteItems of puts each
 * conditional on its copy not being stored yet: all copies or none, so a redelivery stores and pushes
 * nothing. A refused gate skips the write.
 */
export function request(ctx: Context<MutationPublishSharedNotificationArgs, NoticeStash>) {
  if (ctx.stash.refused) runtime.earlyReturn(null);
  const table = tableNameOf(ctx.env) ?? '';
  const input = ctx.args.input;
  const copies = input.recipients.map((recipient) => ({
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
  if (ctx.stash.gate !== null) {
    return {
      operation: 'TransactWriteItems',
      transactItems: copies.map((copy) => ({
        table,
        operation: 'PutItem',
        key: util.dynamodb.toMapValues(copy.key),
        attributeValues: util.dynamodb.toMapValues(copy.item),
        condition: { expression: 'attribute_not_exists(PK)' },
      })),
    };
  }
  const items = copies.map((copy) => util.dynamodb.toMapValues({ ...copy.key, ...copy.item }));
  return { operation: 'BatchPutItem', tables: { [`${table}`]: items } };
}

/**
 * Items DynamoDB left unprocessed fail the call, so the caller's retry stores them. A gated notice whose
 * copies are already stored is refused (nothing pushed).
 */
export function response(ctx: Context<MutationPublishSharedNotificationArgs, NoticeStash>) {
  if (ctx.error) {
    if (ctx.stash.gate !== null && ctx.error.type === 'DynamoDB:TransactionCanceledException') {
      const reasons = (ctx.result as { cancellationReasons: { type: string }[] | null }).cancellationReasons;
      if ((reasons ?? []).some((r) => r.type === 'ConditionalCheckFailed')) {
        ctx.stash.refused = true;
        return null;
      }
    }
    util.error(ctx.error.message, ctx.error.type);
  }
  if (ctx.stash.gate !== null) return null;
  const table = tableNameOf(ctx.env) ?? '';
  const result = ctx.result as { unprocessedItems?: Record<string, unknown[]> | null };
  const left = result.unprocessedItems ? (result.unprocessedItems[table] ?? []) : [];
  if (left.length > 0)
    util.error(`${left.length} notices were not stored; retry the call`, 'ProvisionedThroughputExceeded');
  return null;
}
