import { type Context, extensions, util } from '@aws-appsync/utils';
import { callerOf } from '../domain/identity.js';

/** Subscribing writes nothing: the NONE data source just echoes. */
export function request(_ctx: Context) {
  return { payload: null };
}

/** Only the signed-in customer's orders, whoever the client claims to be. */
export function response(ctx: Context) {
  const caller = callerOf(ctx.identity);
  if (caller.kind !== 'customer') util.unauthorized();
  extensions.setSubscriptionFilter(util.transform.toSubscriptionFilter({ customerId: { eq: caller.id } }));
  return null;
}
