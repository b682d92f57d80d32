import { type Context, util } from '@aws-appsync/utils';
import { recipientOf } from '../domain/identity.js';
import { recipientPartitions } from '../domain/keys.js';
import { nextListToken, startList } from './lib/listing.js';
import type {
  Notification,
  NotificationConnection,
  QueryMyNotificationsArgs,
} from '../domain/generated/schema.js';

/**
 * The caller's notifications, newest first, from its recipient partitions on the table (a vendor's are
 * write-sharded, domain/keys.ts), merged by the list pipeline.
 */
export function request(ctx: Context<QueryMyNotificationsArgs>) {
  const recipient = recipientOf(ctx.identity);
  startList(
    ctx.stash,
    {
      listId: `notifications|${recipient}`,
      index: null,
      pkName: 'PK',
      skName: 'SK',
      skPrefix: 'NOTIFICATION#',
      partitions: recipientPartitions(recipient),
    },
    ctx.args.limit,
    ctx.args.nextToken,
  );
  return {};
}

/** The page and the token for the next one. */
export function response(ctx: Context<QueryMyNotificationsArgs>): NotificationConnection {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  return { items: ctx.prev.result as Notification[], nextToken: nextListToken(ctx.stash) };
}
