import { type Context, runtime, util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';
import { orderKey } from '../../domain/keys.js';
import { tableNameOf } from '../../domain/writes.js';
import type { PaymentStatus } from '../../domain/generated/schema.js';
import type { NoticeStash } from '../lib/stash.js';
import { orderFromItemOrNull, type OrderItem, type StoredOrder } from '../../domain/views.js';

/** The payment statuses that show an attempt's result: a refund after payment keeps SUCCEEDED true. */
const ADMITS: Record<string, PaymentStatus[]> = {
  SUCCEEDED: ['SUCCEEDED', 'PARTIALLY_REFUNDED', 'REFUNDED'],
  DECLINED: ['DECLINED'],
  FAILED: ['FAILED'],
};

/** Whether an order's payment shows that attempt `attempt` ended in `result`. */
export function paymentHolds(
  payment: { attempts: number; status: string } | null | undefined,
  attempt: number,
  result: string,
): boolean {
  if (!payment || payment.attempts !== attempt) return false;
  const admitted = ADMITS[result] ?? [];
  return admitted.includes(payment.status as PaymentStatus);
}

/**
 * The gate of a payment notice (table, consistent reads). The payment consumer sends its notices as
 * further fields of its recordPaymentResult request; AppSync runs those fields after recordPaymentResult
 * but they cannot read its answer, so each reads the order itself: the notice goes on only when the
 * payment's current attempt is the notice's and holds the notice's result (the attempt's recorded result,
 * not the order's status, so a redelivery after the order was cancelled and refunded still matches).
 * A shared notice also reads its claim copy in the same BatchGetItem and goes on only while it is
 * missing: its copies are a plain BatchPutItem (half a transaction's write units) but for the last, the
 * claim (claimSharedNotification.ts), written only once the batch stored every other copy, so the claim
 * alone says whether the notice is stored (one key read however many vendors, and a key that matches
 * nothing still costs a read in AWS). A redelivery finds the claim stored and writes and pushes nothing; a
 * put that left copies unprocessed failed its call before the claim (pushing nothing), so the retry finds
 * the claim missing and stores and pushes them all. Two gated calls of one notice at once may both pass this
 * read (two runs of one payment attempt at once: there is no lock on the attempt); the claim's
 * conditional put lets only one of them store and push it. The customer's notice is a conditional
 * PutItem instead (putNotification.ts), already a single item's units. Without a gate (every other
 * notice) the step reads nothing.
 */
export function request(ctx: Context<unknown, NoticeStash>) {
  if (ctx.stash.gate === null || ctx.stash.orderId === null) runtime.earlyReturn(null);
  const order = orderKey(ctx.stash.orderId ?? '');
  const copies = ctx.stash.copyKeys ?? [];
  if (copies.length === 0) return ddb.get({ key: order, consistentRead: true });
  const table = tableNameOf(ctx.env) ?? '';
  return {
    operation: 'BatchGetItem',
    tables: {
      [table]: {
        keys: [order, ...copies].map((key) => util.dynamodb.toMapValues(key)),
        consistentRead: true,
      },
    },
  };
}

/**
 * Marks the notice refused when the order is missing, its payment does not hold the result, or (a shared
 * notice) its claim copy is stored already. Keys DynamoDB left unread fail the call, so the retry reads them.
 */
export function response(ctx: Context<unknown, NoticeStash>) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const gate = ctx.stash.gate;
  if (gate === null) return null;
  let order: StoredOrder | null = null;
  let copiesStored = false;
  if ((ctx.stash.copyKeys ?? []).length === 0) {
    order = orderFromItemOrNull(ctx.result as OrderItem | null);
  } else {
    const table = tableNameOf(ctx.env) ?? '';
    const result = ctx.result as {
      data: Record<string, (Record<string, unknown> | null)[]>;
      unprocessedKeys: Record<string, unknown[]>;
    };
    if ((result.unprocessedKeys[table] ?? []).length > 0)
      util.error(
        'DynamoDB did not read every item of the notice; retry the call',
        'DynamoDB:ProvisionedThroughputExceededException',
      );
    const [first, ...copies] = result.data[table] ?? [];
    order = orderFromItemOrNull((first ?? null) as OrderItem | null);
    copiesStored = copies.length > 0 && copies.every((copy) => copy !== null);
  }
  if (!(order && paymentHolds(order.payment, gate.attempt, gate.result)) || copiesStored)
    ctx.stash.refused = true;
  return null;
}
