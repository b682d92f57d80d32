import { type Context, util } from '@aws-appsync/utils';
import { vendorEventOf } from '../domain/audience.js';
import type { MutationPublishVendorOrderStatusArgs, OrderStatusEvent } from '../domain/generated/schema.js';

/**
 * IAM only (by the schema). A relay on the NONE data source for one vendor: the event is built here from
 * an input that has no payment and no vendor list, so it can only carry this vendor's part.
 */
export function request(ctx: Context<MutationPublishVendorOrderStatusArgs>) {
  return { payload: vendorEventOf(ctx.args.input) };
}

/** The vendor-facing event, as the subscription filters read it. */
export function response(ctx: Context<MutationPublishVendorOrderStatusArgs>): OrderStatusEvent {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  return ctx.result as OrderStatusEvent;
}
