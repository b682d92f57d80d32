import { type Context, runtime, util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';
import { mergeShardPages } from '../../domain/paging.js';
import type { ListStash } from '../lib/stash.js';

/**
 * List pipelines, step 2 (table), once per shard (sealShard0 … sealShard3): the first run merges the
 * shards' keys into the page. A shard the page used only part of needs a position AppSync seals itself,
 * so this reads exactly its last kept entry (limit 1): the nextToken of that query stands right after
 * it. Other shards are skipped: their position is their own nextToken, or where they were.
 */
export function request(ctx: Context<unknown, ListStash>) {
  const plan = ctx.stash.list;
  const merged = ctx.stash.merged ?? mergeShardPages(plan, ctx.stash.shardPages);
  ctx.stash.merged = merged;
  const shard = ctx.stash.sealStep;
  ctx.stash.sealStep = shard + 1;
  const last = merged.lastKept[shard];
  const partition = plan.partitions[shard];
  if (merged.next[shard] !== null || last === null || last === undefined || partition === undefined)
    runtime.earlyReturn(null);
  ctx.stash.sealShard = shard;
  return ddb.query({
    index: plan.index ?? undefined,
    query: { [plan.pkName]: { eq: partition }, [plan.skName]: { eq: last } },
    scanIndexForward: plan.forward,
    limit: 1,
  });
}

/** The shard's next position: right after its last kept entry. */
export function response(ctx: Context<unknown, ListStash>) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const merged = ctx.stash.merged;
  const shard = ctx.stash.sealShard;
  const result = ctx.result as { nextToken?: string | null };
  // DynamoDB answers a query that reached its limit with a LastEvaluatedKey, so the token is there; if it
  // were not, the shard stays where the page started (a repeat, never a gap).
  if (merged && shard !== undefined && result.nextToken) merged.next[shard] = result.nextToken;
  return null;
}
