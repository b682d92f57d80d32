import { type Context, util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';
import { recipientOf } from '../domain/identity.js';
import { recipientPartition } from '../domain/keys.js';
import { pageSize } from '../domain/paging.js';
import type {
  Notification,
  NotificationConnection,
  QueryMyNotificationsArgs,
} from '../domain/generated/schema.js';
import { fail } from './lib/errors.js';
import { businessError } from '../domain/errors.js';

/** The caller's notifications from its recipient partition, newest first. */
export function request(ctx: Context<QueryMyNotificationsArgs>) {
  const page = pageSize(ctx.args.limit);
  if (page.error) fail(businessError('ValidationError', page.error, { field: 'limit', reason: page.error }));
  return ddb.query({
    query: { PK: { eq: recipientPartition(recipientOf(ctx.identity)) }, SK: { beginsWith: 'NOTIFICATION#' } },
    scanIndexForward: false,
    limit: page.limit,
    nextToken: ctx.args.nextToken ?? undefined,
  });
}

/** The page and the token for the next one. */
export function response(ctx: Context<QueryMyNotificationsArgs>): NotificationConnection {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const result = ctx.result as { items: Notification[]; nextToken?: string | null };
  return { items: result.items, nextToken: result.nextToken ?? null };
}
