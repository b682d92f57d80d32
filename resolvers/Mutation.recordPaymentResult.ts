import { type Context, util } from '@aws-appsync/utils';
import type { MutationRecordPaymentResultArgs, Payment } from '../domain/generated/schema.js';
import type { RecordPaymentResultStash } from './lib/stash.js';
import { fail } from './lib/errors.js';
import { businessError } from '../domain/errors.js';

/** recordPaymentResult, before step (IAM only, by the schema): names the order to read. */
export function request(ctx: Context<MutationRecordPaymentResultArgs, RecordPaymentResultStash>) {
  if (ctx.args.input.status === 'PENDING') {
    fail(
      businessError('ValidationError', 'a result cannot be PENDING', {
        field: 'status',
        reason: 'a result cannot be PENDING',
      }),
    );
  }
  ctx.stash.orderId = ctx.args.input.orderId;
  ctx.stash.now = util.time.nowISO8601();
  return {};
}

/** The order's payment as it is now. */
export function response(
  ctx: Context<MutationRecordPaymentResultArgs, RecordPaymentResultStash>,
): Payment | null {
  return (ctx.prev.result as Payment | null) ?? null;
}
