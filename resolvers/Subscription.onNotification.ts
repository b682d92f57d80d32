import { type Context, extensions, util } from '@aws-appsync/utils';
import { notificationFilter } from '../domain/audience.js';
import { recipientOf } from '../domain/identity.js';

/** Subscribing writes nothing: the NONE data source just echoes. */
export function request(_ctx: Context) {
  return { payload: null };
}

/** Only the caller's own notifications (its sub, or `vendor#<vendorId>`), and shared ones naming it. */
export function response(ctx: Context) {
  const recipient = recipientOf(ctx.identity);
  if (recipient === '') util.unauthorized();
  extensions.setSubscriptionFilter(util.transform.toSubscriptionFilter(notificationFilter(recipient)));
  return null;
}
