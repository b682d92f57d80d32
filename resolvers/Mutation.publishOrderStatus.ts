import { type Context, util } from '@aws-appsync/utils';
import { customerEventOf } from '../domain/audience.js';
import type { MutationPublishOrderStatusArgs, OrderStatusEvent } from '../domain/generated/schema.js';

/**
 * IAM only (by the schema). A relay on the NONE data source: the change is already in the table, so
 * nothing is written; the returned event (audience CUSTOMER: the customer and admins) is what
 * subscribers receive.
 */
export function request(ctx: Context<MutationPublishOrderStatusArgs>) {
  return { payload: customerEventOf(ctx.args.input) };
}

/** The event, as the subscription filters read it. */
export function response(ctx: Context<MutationPublishOrderStatusArgs>): OrderStatusEvent {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  return ctx.result as OrderStatusEvent;
}
