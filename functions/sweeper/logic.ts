import type { Logger } from '@aws-lambda-powertools/logger';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { INDEX, LIST_SORT_KEY, orderKey, orderStatusPartitions } from '../../domain/keys.js';
import { UNPAID_STATUSES } from '../../domain/orderProcess.js';
import { transition, type ItemUpdate, type Transition, type OrderChange } from '../../domain/transition.js';
import { conditionExpression, setExpression } from '../../domain/writes.js';
import type { OrderStatus } from '../../domain/generated/schema.js';
import type { StoredOrder } from '../../domain/views.js';

/** What the sweeper needs; tests pass fakes or DynamoDB Local. */
export interface SweeperDeps {
  doc: Pick<DynamoDBDocumentClient, 'send'>;
  tableName: string;
  logger: Pick<Logger, 'info'>;
  clock: () => Date;
  /** Orders unpaid for longer than this are cancelled. */
  unpaidTtlMinutes: number;
}

/**
 * The orders in one status created before `before` (or all), oldest first: the keys from every shard of
 * the status's byStatus partition (a KEYS_ONLY index), then each order item, read consistently since the
 * sweeper writes on what it reads; an order that has moved on since the index saw it is left out.
 */
async function ordersIn(
  status: OrderStatus,
  before: string | null,
  deps: SweeperDeps,
): Promise<StoredOrder[]> {
  const keys: Record<string, string>[] = [];
  for (const partition of orderStatusPartitions(status)) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await deps.doc.send(
        new QueryCommand({
          TableName: deps.tableName,
          IndexName: INDEX.byStatus,
          KeyConditionExpression: before ? '#pk = :pk AND #sk < :before' : '#pk = :pk',
          ExpressionAttributeNames: before ? { '#pk': 'GSI3PK', '#sk': LIST_SORT_KEY } : { '#pk': 'GSI3PK' },
          ExpressionAttributeValues: before ? { ':pk': partition, ':before': before } : { ':pk': partition },
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
    const order = out.Item as StoredOrder | undefined;
    if (order && order.status === status) orders.push(order);
  }
  return orders;
}

function updateOf(tableName: string, { key, parts }: ItemUpdate) {
  return {
    Update: {
      TableName: tableName,
      Key: key,
      UpdateExpression: setExpression(parts),
      ConditionExpression: conditionExpression(parts),
      ExpressionAttributeNames: parts.names,
      ExpressionAttributeValues: parts.values,
    },
  };
}

/** Writes a checked change; false when the tables refuse it or the order moved meanwhile. */
async function apply(moved: Transition<OrderChange<StoredOrder>>, deps: SweeperDeps): Promise<boolean> {
  if (!moved.ok) return false;
  return write(
    moved.change.writes.map((w) => updateOf(deps.tableName, w)),
    deps,
  );
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
  const order = out.Item as StoredOrder | undefined;
  if (!order || order.status !== 'DELIVERED') return false;
  return completeOrder(order, deps);
}

/** Runs one status change as a transaction; false when the order moved meanwhile (someone else won). */
async function write(items: object[], deps: SweeperDeps): Promise<boolean> {
  try {
    await deps.doc.send(new TransactWriteCommand({ TransactItems: items as never }));
    return true;
  } catch (error) {
    if (error instanceof TransactionCanceledException) return false;
    throw error;
  }
}

/**
 * One sweep: cancels orders left PLACED or PAYMENT_FAILED longer than the TTL, and completes delivered
 * orders. Reads the byStatus index (never a Scan); each write is conditional on status and version, so
 * an order paid or cancelled meanwhile is left alone and a rerun changes nothing.
 */
export async function sweep(deps: SweeperDeps): Promise<{ expired: string[]; completed: string[] }> {
  const cutoff = new Date(deps.clock().getTime() - deps.unpaidTtlMinutes * 60_000).toISOString();
  const expired: string[] = [];
  for (const status of UNPAID_STATUSES) {
    for (const order of await ordersIn(status, cutoff, deps)) {
      const reason = `unpaid for more than ${deps.unpaidTtlMinutes} minutes`;
      if (await expireOrder(order, reason, deps)) expired.push(order.id);
    }
  }
  const completed: string[] = [];
  for (const order of await ordersIn('DELIVERED', null, deps)) {
    if (await completeOrder(order, deps)) completed.push(order.id);
  }
  deps.logger.info('sweep done', { expired: expired.length, completed: completed.length, cutoff });
  return { expired, completed };
}
