import { type Context, runtime, util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';
import { mergeShardPages, type ListPlan, type MergedPage, type ShardPage } from '../../domain/paging.js';

/**
 * List pipelines, step 2 (table), once per shard (sealShard0 … sealShard3): the first run merges the
 * shards' keys into the page. A shard the page used only part of needs a position AppSync seals itself,
 * so this reads exactly its last kept entry (limit 1): the nextToken of that query stands right after
 * it. Other shards are skipped: their position is their own nextToken, or where they were.
 */
export function request(ctx: Context) {
  const plan = ctx.stash.list as ListPlan;
  if (!ctx.stash.merged) ctx.stash.merged = mergeShardPages(plan, ctx.stash.shardPages as ShardPage[]);
  const merged = ctx.stash.merged as MergedPage;
  const shard = ctx.stash.sealStep as number;
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
export function response(ctx: Context) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const merged = ctx.stash.merged as MergedPage;
  const result = ctx.result as { nextToken?: string | null };
  // DynamoDB answers a query that reached its limit with a LastEvaluatedKey, so the token is there; if it
  // were not, the shard stays where the page started (a repeat, never a gap).
  if (result.nextToken) merged.next[ctx.stash.sealShard as number] = result.nextToken;
  return null;
}
