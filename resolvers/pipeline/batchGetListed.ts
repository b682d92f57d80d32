import { type Context, runtime, util } from '@aws-appsync/utils';
import { orderIdOfEntry, orderKey } from '../../domain/keys.js';
import { tableNameOf } from '../../domain/writes.js';
import type { ListStash } from '../lib/stash.js';

/** An embedded vendor part, as far as this step reads it. */
interface ListedPart {
  vendorId: string;
  status: string;
}

/**
 * List pipelines, step 3 (table): the items of the page's keys, in list order (the indexes are KEYS_ONLY,
 * so a status or stock change never rewrites an index entry), then the status filter if the list has one.
 * A vendor's list (plan.partsOf) holds entries of the table that name orders: this reads those ORDER
 * items, the one copy of each part's state.
 */
export function request(ctx: Context<unknown, ListStash>) {
  const table = tableNameOf(ctx.env);
  if (!table) util.error('The API has no TABLE_NAME environment variable', 'ConfigurationError');
  const merged = ctx.stash.merged;
  const keys = merged ? merged.keys : [];
  if (keys.length === 0) runtime.earlyReturn([]);
  const plan = ctx.stash.list;
  // A list of the table itself read whole items already.
  if (plan.index === null && plan.partsOf === null) runtime.earlyReturn(keys);
  ctx.stash.listTable = table;
  const itemKeys =
    plan.partsOf === null
      ? keys.map((k) => ({ PK: k['PK'], SK: k['SK'] }))
      : keys.map((k) => orderKey(orderIdOfEntry(k[plan.skName] ?? '')));
  return {
    operation: 'BatchGetItem',
    tables: { [table]: { keys: itemKeys.map((k) => util.dynamodb.toMapValues(k)) } },
  };
}

/**
 * The items in list order; an item deleted since its entry was read is left out. A vendor's list keeps
 * the orders with a part of that vendor, its status filter applied to that part.
 */
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
  const vendorId = plan.partsOf;
  if (vendorId !== null) {
    return items.filter((order) => {
      const parts = Array.isArray(order['vendorOrders']) ? (order['vendorOrders'] as ListedPart[]) : [];
      const part = parts.find((p) => p.vendorId === vendorId);
      return part !== undefined && (plan.status === null || part.status === plan.status);
    });
  }
  return plan.status === null ? items : items.filter((item) => item['status'] === plan.status);
}
