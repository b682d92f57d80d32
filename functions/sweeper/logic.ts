import type { Logger } from '@aws-lambda-powertools/logger';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import {
  INDEX,
  LIST_SHARDS,
  LIST_SORT_KEY,
  allOrdersPartition,
  orderKey,
  orderStatusPartitions,
  shardNumbers,
  sweeperWatermarkKey,
} from '../../domain/keys.js';
import { UNPAID_STATUSES } from '../../domain/orderProcess.js';
import { transition, type ItemUpdate, type Transition, type OrderChange } from '../../domain/transition.js';
import { conditionExpression, setExpression } from '../../domain/writes.js';
import type { OrderStatus } from '../../domain/generated/schema.js';
import { orderFromItem, type OrderItem, type StoredOrder } from '../../domain/views.js';

/** What the sweeper needs; tests pass fakes or DynamoDB Local. */
export interface SweeperDeps {
  doc: Pick<DynamoDBDocumentClient, 'send'>;
  tableName: string;
  logger: Pick<Logger, 'info' | 'warn'>;
  clock: () => Date;
  /** Orders unpaid for longer than this are cancelled. */
  unpaidTtlMinutes: number;
  /** The most all-orders pages (of SWEEP_PAGE_SIZE keys) one run reads per shard. @default 2,000 */
  maxPagesPerShard?: number;
  /** Milliseconds the invocation has left (Lambda's context); a shard stops paging below a margin. */
  remainingMs?: () => number;
}

/** Keys per all-orders page: BatchGetItem's limit of 100 keys, so a page's orders are one BatchGetItem. */
export const SWEEP_PAGE_SIZE = 100;

/**
 * How many pages a run reads per shard at most: 200,000 orders, so a run after an outage catches up at
 * up to 800,000 orders (the 2-minute timeout usually stops it first, docs/capacity.md).
 */
export const DEFAULT_MAX_PAGES_PER_SHARD = 2_000;

/**
 * The watermark stays at least this far behind the clock, whatever the TTL: an order's all-orders entry
 * can appear in the index (eventually consistent) after one created a moment later, and the order's
 * createdAt is AppSync's clock, not the sweeper's. A shorter TTL still cancels on time; the last minutes
 * are only read again by the next run.
 */
export const WATERMARK_LAG_MS = 5 * 60_000;

/**
 * How many orders behind the watermark one shard keeps waiting for a payment result (PAYMENT_PENDING, or
 * one the sweeper lost a race on). Beyond that the watermark stops at the next such order, so nothing
 * is ever skipped; it moves on as they settle.
 */
export const MAX_PENDING = 200;

/** A shard stops starting pages when the invocation has less than this left. */
const TIME_MARGIN_MS = 20_000;

/** StoredOrder statuses that can still become (or are) unpaid: the watermark cannot pass such an order. */
const OPEN_STATUSES: readonly OrderStatus[] = [...UNPAID_STATUSES, 'PAYMENT_PENDING'];

/** One shard's watermark item: everything up to `sweptTo` is settled, except the orders in `pending`. */
interface Watermark {
  /** The sort key (createdAt#id) of the last all-orders entry swept, or null before the first run. */
  sweptTo: string | null;
  /** StoredOrder ids behind `sweptTo` that may still become unpaid, read again by every run. */
  pending: string[];
  /** Optimistic lock: 0 when the item does not exist yet. */
  version: number;
}

/** What one shard's run did. */
interface ShardRun {
  expired: string[];
  /** True when the shard reached the end of its window; false when the page or time budget ran out. */
  finished: boolean;
}

async function readWatermark(shard: number, deps: SweeperDeps): Promise<Watermark> {
  const out = await deps.doc.send(
    new GetCommand({ TableName: deps.tableName, Key: sweeperWatermarkKey(shard), ConsistentRead: true }),
  );
  const item = out.Item as Partial<Watermark> | undefined;
  return { sweptTo: item?.sweptTo ?? null, pending: item?.pending ?? [], version: item?.version ?? 0 };
}

/**
 * Stores a shard's new watermark, conditional on the version read, so a run that overlaps another (an
 * EventBridge schedule delivers at least once) never writes over its progress; the loser's work is
 * done again by the next run, which changes nothing twice (every cancellation is conditional).
 */
async function writeWatermark(shard: number, read: Watermark, next: Watermark, deps: SweeperDeps) {
  try {
    await deps.doc.send(
      new PutCommand({
        TableName: deps.tableName,
        Item: {
          ...sweeperWatermarkKey(shard),
          entity: 'SWEEPER_WATERMARK',
          sweptTo: next.sweptTo,
          pending: next.pending,
          version: read.version + 1,
          updatedAt: deps.clock().toISOString(),
        },
        ConditionExpression: read.version === 0 ? 'attribute_not_exists(PK)' : '#version = :read',
        ...(read.version === 0
          ? {}
          : {
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':read': read.version },
            }),
      }),
    );
  } catch (error) {
    if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
    deps.logger.warn('another sweep moved the watermark first', { shard });
  }
}

/**
 * The order items for `ids`, read consistently (the sweeper writes on what it reads), in BatchGetItems
 * of at most 100 keys (its limit); unprocessed keys are asked for again, as the API reference advises.
 */
async function readOrders(ids: readonly string[], deps: SweeperDeps): Promise<Map<string, StoredOrder>> {
  const orders = new Map<string, StoredOrder>();
  for (let start = 0; start < ids.length; start += BATCH_GET_LIMIT) {
    let keys: Record<string, unknown>[] = ids.slice(start, start + BATCH_GET_LIMIT).map(orderKey);
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1_000, 50 * 2 ** attempt)));
      const out = await deps.doc.send(
        new BatchGetCommand({
          RequestItems: { [deps.tableName]: { Keys: keys, ConsistentRead: true } },
        }),
      );
      for (const item of (out.Responses?.[deps.tableName] ?? []) as OrderItem[]) {
        const order = orderFromItem(item);
        orders.set(order.id, order);
      }
      keys = out.UnprocessedKeys?.[deps.tableName]?.Keys ?? [];
    }
  }
  return orders;
}

/** BatchGetItem reads at most 100 items a call. */
const BATCH_GET_LIMIT = 100;

/** The id of an order from its table key (PK ORDER#<id>). */
const orderIdOf = (pk: string) => pk.slice('ORDER#'.length);

/**
 * Cancels `order` if it is unpaid; answers whether it is settled (can never be unpaid again), so the
 * watermark may pass it. An order paid, cancelled or gone is settled; PAYMENT_PENDING, or an unpaid
 * order whose cancellation lost a race (it moved meanwhile), is not: it is read again by the next run.
 */
async function settle(order: StoredOrder | undefined, reason: string, expired: string[], deps: SweeperDeps) {
  if (!order || !OPEN_STATUSES.includes(order.status)) return true;
  if (!UNPAID_STATUSES.includes(order.status)) return false;
  const cancelled = await expireOrder(order, reason, deps);
  if (cancelled) expired.push(order.id);
  return cancelled;
}

/**
 * Sweeps one shard of the all-orders list: the orders behind its watermark still pending, then every
 * entry from the watermark up to the TTL's cutoff, oldest first, a page at a time. The watermark moves
 * to the last entry before which every order is settled or kept in `pending`, and never past
 * `now − WATERMARK_LAG_MS`; a run that runs out of budget stores how far it got.
 */
async function sweepShard(
  shard: number,
  cutoff: string,
  limit: string,
  deps: SweeperDeps,
): Promise<ShardRun> {
  const reason = `unpaid for more than ${deps.unpaidTtlMinutes} minutes`;
  const read = await readWatermark(shard, deps);
  const expired: string[] = [];
  const pending: string[] = [];
  if (read.pending.length > 0) {
    const orders = await readOrders(read.pending, deps);
    for (const id of read.pending) {
      if (!(await settle(orders.get(id), reason, expired, deps))) pending.push(id);
    }
  }
  let sweptTo = read.sweptTo;
  let blocked = false; // an open order the watermark may not pass (pending full, or too recent)
  let startKey: Record<string, unknown> | undefined;
  let pages = 0;
  const maxPages = deps.maxPagesPerShard ?? DEFAULT_MAX_PAGES_PER_SHARD;
  const outOfTime = () => deps.remainingMs !== undefined && deps.remainingMs() < TIME_MARGIN_MS;
  // A watermark at or past the cutoff (the TTL was raised since) leaves nothing to read: DynamoDB refuses
  // a BETWEEN whose lower bound is above its upper bound.
  let finished = read.sweptTo !== null && read.sweptTo >= cutoff;
  while (!finished && pages < maxPages && !outOfTime()) {
    pages++;
    const from = read.sweptTo;
    const out = await deps.doc.send(
      new QueryCommand({
        TableName: deps.tableName,
        IndexName: INDEX.byVendor,
        // BETWEEN is inclusive: the entry at the watermark is read again and skipped below. No entry
        // equals the cutoff (a sort key is createdAt#id), so this is createdAt < cutoff: older than the TTL.
        KeyConditionExpression:
          from === null ? '#pk = :pk AND #sk <= :to' : '#pk = :pk AND #sk BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#pk': 'GSI2PK', '#sk': LIST_SORT_KEY },
        ExpressionAttributeValues: {
          ':pk': allOrdersPartition(shard),
          ':to': cutoff,
          ...(from === null ? {} : { ':from': from }),
        },
        Limit: SWEEP_PAGE_SIZE,
        ExclusiveStartKey: startKey,
      }),
    );
    const entries = ((out.Items ?? []) as { PK: string; GSISK: string }[]).filter((e) => e.GSISK !== from);
    const orders =
      entries.length > 0
        ? await readOrders(
            entries.map((e) => orderIdOf(e.PK)),
            deps,
          )
        : new Map();
    for (const entry of entries) {
      const id = orderIdOf(entry.PK);
      const settled = await settle(orders.get(id), reason, expired, deps);
      if (blocked || entry.GSISK > limit) {
        blocked = true;
        continue;
      }
      if (!settled) {
        if (pending.length >= MAX_PENDING) {
          blocked = true;
          continue;
        }
        pending.push(id);
      }
      sweptTo = entry.GSISK;
    }
    startKey = out.LastEvaluatedKey;
    finished = startKey === undefined;
  }
  if (!finished) deps.logger.warn('sweep stopped before the end of its window', { shard, pages, sweptTo });
  const moved = sweptTo !== read.sweptTo || pending.join() !== read.pending.join();
  if (moved) await writeWatermark(shard, read, { sweptTo, pending, version: read.version }, deps);
  return { expired, finished };
}

/** The DELIVERED orders (byStatus, every shard), each read consistently; one that moved on is left out. */
async function deliveredOrders(deps: SweeperDeps): Promise<StoredOrder[]> {
  const keys: Record<string, string>[] = [];
  for (const partition of orderStatusPartitions('DELIVERED')) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await deps.doc.send(
        new QueryCommand({
          TableName: deps.tableName,
          IndexName: INDEX.byStatus,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': 'GSI3PK' },
          ExpressionAttributeValues: { ':pk': partition },
          ExclusiveStartKey: startKey,
        }),
      );
      keys.push(...((out.Items ?? []) as Record<string, string>[]));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
  }
  keys.sort((a, b) => (a[LIST_SORT_KEY] ?? '').localeCompare(b[LIST_SORT_KEY] ?? ''));
  const orders: StoredOrder[] = [];
  for (const key of keys) {
    const out = await deps.doc.send(
      new GetCommand({ TableName: deps.tableName, Key: { PK: key.PK, SK: key.SK }, ConsistentRead: true }),
    );
    const order = out.Item ? orderFromItem(out.Item as OrderItem) : undefined;
    if (order && order.status === 'DELIVERED') orders.push(order);
  }
  return orders;
}

/** Writes a checked change; false when the tables refuse it or the order moved meanwhile. */
async function apply(moved: Transition<OrderChange<StoredOrder>>, deps: SweeperDeps): Promise<boolean> {
  if (!moved.ok) return false;
  return write(moved.change.orderUpdate, deps);
}

/** Cancels one unpaid order as SYSTEM; the stream then releases its stock through the inventory consumer. */
export async function expireOrder(order: StoredOrder, reason: string, deps: SweeperDeps): Promise<boolean> {
  const now = deps.clock().toISOString();
  return apply(transition(order, 'CANCELLED', { type: 'SYSTEM', id: null }, now, { reason }), deps);
}

/** Closes one delivered order (DELIVERED → COMPLETED) in a write of its own, so subscribers see both. */
export async function completeOrder(order: StoredOrder, deps: SweeperDeps): Promise<boolean> {
  const now = deps.clock().toISOString();
  return apply(transition(order, 'COMPLETED', { type: 'SYSTEM', id: null }, now), deps);
}

/**
 * Completes an order as soon as it is delivered (order.statusChanged to DELIVERED). False when the order
 * is not DELIVERED any more, so a redelivered event changes nothing.
 */
export async function completeDeliveredOrder(orderId: string, deps: SweeperDeps): Promise<boolean> {
  const out = await deps.doc.send(
    new GetCommand({ TableName: deps.tableName, Key: orderKey(orderId), ConsistentRead: true }),
  );
  const order = out.Item ? orderFromItem(out.Item as OrderItem) : undefined;
  if (!order || order.status !== 'DELIVERED') return false;
  return completeOrder(order, deps);
}

/**
 * Runs one status change: ONE conditional UpdateItem of the order item, which holds its parts too (a
 * transaction of one item would cost twice); false when the order moved meanwhile (someone else won).
 */
async function write({ key, parts }: ItemUpdate, deps: SweeperDeps): Promise<boolean> {
  try {
    await deps.doc.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: key,
        UpdateExpression: setExpression(parts),
        ConditionExpression: conditionExpression(parts),
        ExpressionAttributeNames: parts.names,
        ExpressionAttributeValues: parts.values,
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

/**
 * One sweep: cancels orders left PLACED or PAYMENT_FAILED longer than the TTL, and completes delivered
 * orders. Unpaid orders are found by a creation-time window on the all-orders list (its shards in
 * parallel, each from its watermark), never a Scan and without an index entry per unpaid order; each
 * write is conditional on status and version, so an order paid or cancelled meanwhile is left alone and
 * a rerun changes nothing.
 */
export async function sweep(deps: SweeperDeps): Promise<{ expired: string[]; completed: string[] }> {
  const now = deps.clock().getTime();
  const cutoffMs = now - deps.unpaidTtlMinutes * 60_000;
  const cutoff = new Date(cutoffMs).toISOString();
  const limit = new Date(Math.min(cutoffMs, now - WATERMARK_LAG_MS)).toISOString();
  const runs = await Promise.all(shardNumbers(LIST_SHARDS).map((s) => sweepShard(s, cutoff, limit, deps)));
  const expired = runs.flatMap((r) => r.expired);
  const completed: string[] = [];
  for (const order of await deliveredOrders(deps)) {
    if (await completeOrder(order, deps)) completed.push(order.id);
  }
  const finished = runs.every((r) => r.finished);
  deps.logger.info('sweep done', { expired: expired.length, completed: completed.length, cutoff, finished });
  return { expired, completed };
}
