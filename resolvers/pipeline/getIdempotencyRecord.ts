import { type Context, util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';
import { idempotencyKey } from '../../domain/keys.js';
import { replayIdOf } from '../lib/idempotency.js';
import type { IdempotentCallStash } from '../lib/stash.js';

/** What a mutation's before step stashes for the idempotency functions. */
export interface IdempotencyStash {
  operation: string;
  callerId: string;
  key: string;
  /** The canonical request; the same key with another payload is a conflict. */
  request: string;
  /** The same request as records written before kept it (a change of canonical form), if it has one. */
  formerRequest?: string;
}

/**
 * Reads the idempotency record of the call. A replay with the same payload sets stash.replayId (the id
 * of what the first call created), so later functions skip their writes; another payload is a conflict.
 */
export function request(ctx: Context<unknown, IdempotentCallStash>) {
  const idem = ctx.stash.idempotency;
  return ddb.get({ key: idempotencyKey(idem.operation, idem.callerId, idem.key), consistentRead: true });
}

/** Fails with IdempotencyConflict when the key was used with another payload. */
export function response(ctx: Context<unknown, IdempotentCallStash>) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const idem = ctx.stash.idempotency;
  const record = ctx.result as Record<string, unknown> | null;
  if (record) ctx.stash.replayId = replayIdOf(record, idem);
  return null;
}
