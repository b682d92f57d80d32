import { type Context, runtime, util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';
import { INVALID_PAGE_TOKEN, type ShardPage } from '../../domain/paging.js';
import type { ListStash } from '../lib/stash.js';

/**
 * List pipelines, step 1 (table), once per shard (listShard0 … listShard3 run this code in turn): reads
 * the keys of one shard from its position, newest first, at most a page of them. A shard past the list's
 * partitions, or one already read to the end, is skipped.
 */
export function request(ctx: Context<unknown, ListStash>) {
  const plan = ctx.stash.list;
  const shard = ctx.stash.listStep;
  ctx.stash.listStep = shard + 1;
  const partition = plan.partitions[shard];
  const cursor = plan.cursors[shard];
  if (partition === undefined || cursor === undefined || cursor === 'done') runtime.earlyReturn(null);
  ctx.stash.listShard = shard;
  const key: Record<string, unknown> = { [plan.pkName]: { eq: partition } };
  if (plan.skPrefix) key[plan.skName] = { beginsWith: plan.skPrefix };
  return ddb.query({
    index: plan.index ?? undefined,
    query: key,
    scanIndexForward: plan.forward,
    limit: plan.limit,
    nextToken: cursor === 'top' ? undefined : cursor,
  });
}

/** Keeps the shard's keys and its own nextToken for the merge. */
export function response(ctx: Context<unknown, ListStash>) {
  const plan = ctx.stash.list;
  if (ctx.error) {
    // A shard token spent on another shard's query is outside its key condition: not this list's token.
    const started = plan.cursors[ctx.stash.listShard ?? -1] !== 'top';
    if (started) util.error(INVALID_PAGE_TOKEN.message, INVALID_PAGE_TOKEN.type);
    util.error(ctx.error.message, ctx.error.type);
  }
  const result = ctx.result as { items: Record<string, string>[]; nextToken?: string | null };
  const page: ShardPage = {
    shard: ctx.stash.listShard ?? -1,
    keys: result.items,
    nextToken: result.nextToken ?? null,
  };
  ctx.stash.shardPages.push(page);
  return null;
}
