import { type Context, util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';
import { notificationKey } from '../domain/keys.js';
import type { MutationPublishNotificationArgs, Notification } from '../domain/generated/schema.js';

/**
 * IAM only (by the schema). Stores the notification in its recipient's partition; the id and createdAt
 * come from the event, so a redelivered event overwrites the same item instead of adding one.
 */
export function request(ctx: Context<MutationPublishNotificationArgs>) {
  const input = ctx.args.input;
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
    },
  });
}

/** The stored notification, which onNotification subscribers receive. */
export function response(ctx: Context<MutationPublishNotificationArgs>): Notification {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  return ctx.result as Notification;
}
