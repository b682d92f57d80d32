import { type Context, runtime, util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';
import { notificationKey } from '../../domain/keys.js';
import type { MutationPublishNotificationArgs, Notification } from '../../domain/generated/schema.js';
import type { NoticeStash } from '../lib/stash.js';

/**
 * publishNotification's write (table): stores the notification in its recipient's partition; the id and
 * createdAt come from the event, so a redelivered event overwrites the same item instead of adding one.
 * A gated notice (payment consumer) is put only if not stored yet, so a redelivery pushes it no second
 * time; a refused gate skips the write.
 */
export function request(ctx: Context<MutationPublishNotificationArgs, NoticeStash>) {
  if (ctx.stash.refused) runtime.earlyReturn(null);
  const input = ctx.args.input;
  const gated = ctx.stash.gate !== null;
  return ddb.put<Record<string, unknown>>({
    key: notificationKey(input.recipient, input.createdAt, input.id),
    item: {
      entity: 'NOTIFICATION',
      id: input.id,
      recipient: input.recipient,
      kind: input.kind,
      orderId: input.orderId ?? null,
      message: input.message,
      createdAt: input.createdAt,
      // AppSync treats a failed PutItem condition as a success when the stored item equals the one being
      // put ("Handling a condition check failure", js-aws-appsync-resolver-reference-dynamodb-condition-
      // expressions): a repeat of the same notice would pass. A write id of its own per call makes the
      // items differ, so a stored notice fails the condition.
      ...(gated ? { writeId: util.autoId() } : {}),
    },
    ...(gated ? { condition: { PK: { attributeExists: false } } } : {}),
  });
}

/** The stored notification; a gated notice already stored is refused (nothing pushed). */
export function response(ctx: Context<MutationPublishNotificationArgs, NoticeStash>): Notification | null {
  if (ctx.error) {
    if (ctx.stash.gate !== null && ctx.error.type === 'DynamoDB:ConditionalCheckFailedException') {
      ctx.stash.refused = true;
      return null;
    }
    util.error(ctx.error.message, ctx.error.type);
  }
  return ctx.result as Notification;
}
