import { type Context, runtime, util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';
import { idempotencyKey } from '../../domain/keys.js';
import { replayIdOf } from '../lib/idempotency.js';
import type { IdempotentCallStash } from '../lib/stash.js';
import { fail } from '../lib/errors.js';
import { businessError, type BusinessError } from '../../domain/errors.js';

/** The error a write step would have answered, held back until the idempotency record is read again. */
export type RecheckStash = BusinessError;

/**
 * After a write step that could not write (stash.recheck): reads the idempotency record again,
 * consistently. A concurrent call with the same key may have committed between this call's first read
 * of the record and its read of the order; the record and the order change in one transaction, so when
 * the order shows that call's change the record is there too, and this call replays its result instead of
 * failing. Without a record the held-back error stands. Otherwise passes the previous result on.
 */
export function request(ctx: Context<unknown, IdempotentCallStash>) {
  if (!ctx.stash.recheck) runtime.earlyReturn(ctx.prev.result);
  const idem = ctx.stash.idempotency;
  return ddb.get({ key: idempotencyKey(idem.operation, idem.callerId, idem.key), consistentRead: true });
}

/** Replays the first call's result for the same payload; otherwise the conflict or the held-back error. */
export function response(ctx: Context<unknown, IdempotentCallStash>) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const idem = ctx.stash.idempotency;
  const held = ctx.stash.recheck;
  const record = ctx.result as Record<string, unknown> | null;
  if (!record) {
    // The request step ran only because an error was held back, so `held` is set here.
    if (held) fail(held);
    fail(businessError('ConcurrentModification', 'The call could not be completed; retry it', null));
  }
  ctx.stash.replayId = replayIdOf(record, idem);
  return null;
}
