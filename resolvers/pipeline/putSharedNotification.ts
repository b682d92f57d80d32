import { type Context, runtime, util } from '@aws-appsync/utils';
import { tableNameOf } from '../../domain/writes.js';
import type { MutationPublishSharedNotificationArgs } from '../../domain/generated/schema.js';
import type { NoticeStash } from '../lib/stash.js';
import { sharedCopies } from '../lib/notices.js';

/**
 * publishSharedNotification's write (table): the notice once per recipient, in each recipient's
 * partition, with the id and createdAt of the event (so a redelivered event overwrites the same items
 * with the same content), in one BatchPutItem: 1 WRU a copy, where a transaction of conditional puts
 * cost 2. A gated notice (payment consumer) comes here only when gatePaymentNotice found a copy missing,
 * and its last copy is left out: claimSharedNotification writes it after this batch, conditionally, so
 * that of two calls at once only one stores, pushes and mails the notice (the other's batch rewrote the
 * same items). A gated notice with one recipient has only the claim, so this step writes nothing. A
 * refused gate skips the write.
 */
export function request(ctx: Context<MutationPublishSharedNotificationArgs, NoticeStash>) {
  if (ctx.stash.refused) runtime.earlyReturn(null);
  const table = tableNameOf(ctx.env) ?? '';
  const copies = sharedCopies(ctx.args.input);
  const batched = ctx.stash.gate === null ? copies : copies.slice(0, copies.length - 1);
  if (batched.length === 0) runtime.earlyReturn(null);
  const items = batched.map((copy) => util.dynamodb.toMapValues({ ...copy.key, ...copy.item }));
  return { operation: 'BatchPutItem', tables: { [`${table}`]: items } };
}

/**
 * Items DynamoDB left unprocessed fail the call before the claim is written, so it pushes nothing: the
 * caller's retry finds a copy missing (gatePaymentNotice) and stores them all, so every copy ends up
 * stored and pushed once.
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
