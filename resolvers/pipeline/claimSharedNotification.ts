import { type Context, runtime, util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';
import type { MutationPublishSharedNotificationArgs } from '../../domain/generated/schema.js';
import type { NoticeStash } from '../lib/stash.js';
import { sharedCopies } from '../lib/notices.js';

/**
 * publishSharedNotification's claim (table), gated notices only: the last copy, put only if it is not
 * stored yet, after putSharedNotification stored the others. gatePaymentNotice's read cannot keep two
 * calls at once apart (both find a copy missing; a redelivered payment.requested, or a Lambda retry
 * overlapping a slow run), so this write decides: the call whose claim lands stores, pushes and (in the
 * payment consumer) mails the notice, the other is refused and answers no recipients. The same 1 WRU as
 * the copy in the batch. A batch that failed never gets here, so the claim stands for every copy
 * stored; a claim stored whose call then failed (its answer lost) refuses every retry: the notice is
 * stored once and pushed at most once. Without a gate (every other shared notice) this step writes
 * nothing: putSharedNotification stored every copy.
 */
export function request(ctx: Context<MutationPublishSharedNotificationArgs, NoticeStash>) {
  if (ctx.stash.refused || ctx.stash.gate === null) runtime.earlyReturn(null);
  const copies = sharedCopies(ctx.args.input);
  const claim = copies[copies.length - 1];
  // The before step admits 1 to 25 recipients, so there is always a last copy.
  if (!claim) util.error('A shared notice has no copy to claim', 'InternalFailure');
  return ddb.put<Record<string, unknown>>({
    key: claim.key,
    // AppSync treats a failed PutItem condition as a success when the stored item equals the one being
    // put ("Handling a condition check failure"), so a second claim of the same notice would pass. A
    // write id of its own per call makes the items differ, as for the customer's notice (putNotification).
    item: { ...claim.item, writeId: util.autoId() },
    condition: { PK: { attributeExists: false } },
  });
}

/** Nothing to pass on; a claim already stored refuses the notice (nothing pushed, nothing mailed). */
export function response(ctx: Context<MutationPublishSharedNotificationArgs, NoticeStash>) {
  if (ctx.error) {
    if (ctx.error.type === 'DynamoDB:ConditionalCheckFailedException') {
      ctx.stash.refused = true;
      return null;
    }
    util.error(ctx.error.message, ctx.error.type);
  }
  return null;
}
