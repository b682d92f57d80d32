import { type Context, util } from '@aws-appsync/utils';
import type { MutationPublishNotificationArgs, Notification } from '../domain/generated/schema.js';
import type { NoticeStash } from './lib/stash.js';
import { gateOf, refusedNotice } from './lib/notices.js';

/**
 * publishNotification, before step (IAM only, by the schema): the payment gate, if the notice has one
 * (gatePaymentNotice, then putNotification).
 */
export function request(ctx: Context<MutationPublishNotificationArgs, NoticeStash>) {
  const input = ctx.args.input;
  ctx.stash.gate = gateOf(input.paymentGate, input.orderId);
  ctx.stash.orderId = input.orderId ?? null;
  return {};
}

/**
 * The stored notification, which onNotification subscribers receive; a refused notice answers one with
 * no recipient, which no onNotification filter admits (resolvers/lib/notices.ts).
 */
export function response(ctx: Context<MutationPublishNotificationArgs, NoticeStash>): Notification {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  if (ctx.stash.refused) return refusedNotice(ctx.args.input);
  return ctx.prev.result as Notification;
}
