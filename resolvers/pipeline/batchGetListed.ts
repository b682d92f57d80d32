import { type Context, runtime, util } from '@aws-appsync/utils';
import { tableNameOf } from '../../domain/writes.js';
import type { ListStash } from '../lib/stash.js';

/**
 * List pipelines, step 3 (table): the items of the page's keys, in list order (the indexes are KEYS_ONLY,
 * so a status or stock change never rewrites an index entry), then the status filter if the list has one.
 */
export function request(ctx: Context<unknown, ListStash>) {
  const table = tableNameOf(ctx.env);
  if (!table) util.error('The API has no TABLE_NAME environment variable', 'ConfigurationError');
  const merged = ctx.stash.merged;
  const keys = merged ? merged.keys : [];
  if (keys.length === 0) runtime.earlyReturn([]);
  // A list of the table itself read whole items already.
  if (ctx.stash.list.index === null) runtime.earlyReturn(keys);
  ctx.stash.listTable = table;
  return {
    operation: 'BatchGetItem',
    tables: {
      [table]: { keys: keys.map((k) => util.dynamodb.toMapValues({ PK: k['PK'], SK: k['SK'] })) },
    },
  };
}

/** The items in list order; an item deleted since its index entry was read is left out. */
export function response(ctx: Context<unknown, ListStash>) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const table = ctx.stash.listTable ?? '';
  const result = ctx.result as {
    data: Record<string, (Record<string, unknown> | null)[]>;
    unprocessedKeys: Record<string, unknown[]>;
  };
  const unprocessed = result.unprocessedKeys[table] ?? [];
  if (unprocessed.length > 0)
    util.error(
      'DynamoDB did not read every item of the page; retry the call',
      'DynamoDB:ProvisionedThroughputExceededException',
    );
  const plan = ctx.stash.list;
  const items = (result.data[table] ?? []).filter((item): item is Record<string, unknown> => item !== null);
  return plan.status === null ? items : items.filter((item) => item['status'] === plan.status);
}
