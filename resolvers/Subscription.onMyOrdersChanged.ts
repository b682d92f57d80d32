import { type Context, extensions, util } from '@aws-appsync/utils';
import { myOrdersFilter } from '../domain/audience.js';
import { callerOf } from '../domain/identity.js';

/** Subscribing writes nothing: the NONE data source just echoes. */
export function request(_ctx: Context) {
  return { payload: null };
}

/** Only the signed-in customer's orders' customer events, whoever the client claims to be. */
export function response(ctx: Context) {
  const filter = myOrdersFilter(callerOf(ctx.identity));
  if (!filter) util.unauthorized();
  extensions.setSubscriptionFilter(util.transform.toSubscriptionFilter(filter));
  return null;
}
