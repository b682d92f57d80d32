import type { Logger } from '@aws-lambda-powertools/logger';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Envelope } from '../../domain/events/envelope.js';
import { productKey, stockStateKey } from '../../domain/keys.js';
import { linesByVendor } from '../lib/table.js';

/**
 * Stock follows each vendor part of an order through three states, kept in one STOCK item per part:
 * RESERVED (implicit: placeOrder moved available → reserved), COMMITTED (the part shipped: reserved -= q)
 * and RELEASED (returned: available += q, and reserved -= q if it was never committed). Every move is one
 * transaction conditional on the state it read, so redeliveries and races (a vendor rejecting while the
 * part ships) apply each move exactly once.
 *
 * `reserved` counts the units held by vendor parts that have not shipped (placed, paid or in
 * fulfilment), not only unpaid ones: the commit happens when the part ships, not when the order is paid.
 * Payment moves no stock (available already excludes the units), so committing at PAID cost every paid
 * order a transaction per vendor part (its STOCK item and every product at twice the units, 10 WRU and
 * 2 RRU for the base order) on the path that pushes PAID. At shipping the same write happens once per
 * part, off that path; a part can no longer be cancelled once shipped (orderProcess.ts), so a release
 * after a commit only comes from a part rejected or cancelled later, which the states already handle.
 */

/** Where a vendor part's stock stands. */
export type StockState = 'RESERVED' | 'COMMITTED' | 'RELEASED';

/** What the inventory logic needs. */
export interface InventoryDeps {
  doc: Pick<DynamoDBDocumentClient, 'send'>;
  tableName: string;
  logger: Pick<Logger, 'info' | 'debug'>;
  clock?: () => Date;
}

/** A line's stock-relevant fields. */
export interface StockLine {
  vendorId: string;
  productId: string;
  quantity: number;
}

const MAX_TRIES = 3;

function productMove(
  tableName: string,
  line: StockLine,
  from: StockState,
  to: StockState,
  now: string,
  correlationId: string,
) {
  const releaseReserved = from === 'RESERVED' && to === 'RELEASED';
  const sets =
    to === 'COMMITTED'
      ? '#reserved = #reserved - :q'
      : releaseReserved
        ? '#reserved = #reserved - :q, #available = #available + :q'
        : '#available = #available + :q';
  return {
    Update: {
      TableName: tableName,
      Key: productKey(line.vendorId, line.productId),
      UpdateExpression: `SET ${sets}, #updatedAt = :now, #correlationId = :cid ADD #version :one`,
      ConditionExpression: 'attribute_exists(PK)',
      // DynamoDB rejects names the expression does not use, so each move names only what it touches.
      ExpressionAttributeNames: {
        '#updatedAt': 'updatedAt',
        '#correlationId': 'correlationId',
        '#version': 'version',
        ...(to === 'COMMITTED' || releaseReserved ? { '#reserved': 'reserved' } : {}),
        ...(to === 'COMMITTED' ? {} : { '#available': 'available' }),
      },
      ExpressionAttributeValues: { ':q': line.quantity, ':now': now, ':cid': correlationId, ':one': 1 },
    },
  };
}

/** Moves one vendor part's stock to `to`; a move already made (or made impossible) changes nothing. */
export async function moveStock(
  orderId: string,
  vendorId: string,
  lines: readonly StockLine[],
  to: 'COMMITTED' | 'RELEASED',
  correlationId: string,
  deps: InventoryDeps,
): Promise<{ from: StockState; moved: boolean }> {
  const key = stockStateKey(orderId, vendorId);
  for (let attempt = 1; ; attempt += 1) {
    const read = await deps.doc.send(
      new GetCommand({ TableName: deps.tableName, Key: key, ConsistentRead: true }),
    );
    const from = ((read.Item?.state as StockState | undefined) ?? 'RESERVED') as StockState;
    const allowed = to === 'COMMITTED' ? from === 'RESERVED' : from !== 'RELEASED';
    if (!allowed) {
      deps.logger.debug('stock move already made', { orderId, vendorId, from, to });
      return { from, moved: false };
    }
    const now = (deps.clock ?? (() => new Date()))().toISOString();
    const stateWrite = {
      Put: {
        TableName: deps.tableName,
        Item: { ...key, entity: 'STOCK', orderId, vendorId, state: to, updatedAt: now, correlationId },
        ConditionExpression: from === 'RESERVED' ? 'attribute_not_exists(PK)' : '#state = :from',
        ...(from === 'RESERVED'
          ? {}
          : {
              ExpressionAttributeNames: { '#state': 'state' },
              ExpressionAttributeValues: { ':from': from },
            }),
      },
    };
    try {
      await deps.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            stateWrite,
            ...lines.map((l) => productMove(deps.tableName, l, from, to, now, correlationId)),
          ],
        }),
      );
      deps.logger.info('stock moved', { orderId, vendorId, from, to, lines: lines.length });
      return { from, moved: true };
    } catch (error) {
      const stateChanged =
        error instanceof TransactionCanceledException &&
        error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed';
      if (!stateChanged || attempt >= MAX_TRIES) throw error;
    }
  }
}

/** The vendor-part statuses that move stock, and where to (infra/api-stack.ts routes only these). */
const STOCK_MOVES_BY_VENDOR_STATUS = {
  SHIPPED: 'COMMITTED',
  REJECTED: 'RELEASED',
  CANCELLED: 'RELEASED',
} as const;

/**
 * Routes one domain event: a cancelled order releases every part; a shipped vendor part commits that
 * part, a rejected or cancelled one releases it. A paid order moves no stock. product.changed needs
 * nothing here (the notification consumer raises low-stock alerts).
 */
export async function handleInventoryEvent(envelope: Envelope, deps: InventoryDeps): Promise<void> {
  if (envelope.type === 'order.statusChanged') {
    const data = envelope.data;
    if (data.status !== 'CANCELLED') return;
    // Each vendor part has its own STOCK item and products, so the parts move independently and at once;
    // every move settles before the handler returns, and any failure fails the event (Lambda retries it,
    // and a part already moved is left alone the second time).
    const moves = await Promise.allSettled(
      [...linesByVendor(data.lines)].map(([vendorId, lines]) =>
        moveStock(data.orderId, vendorId, lines, 'RELEASED', envelope.correlationId, deps),
      ),
    );
    const failed = moves.find((m): m is PromiseRejectedResult => m.status === 'rejected');
    if (failed) throw failed.reason;
    return;
  }
  if (envelope.type === 'vendorOrder.statusChanged') {
    const data = envelope.data;
    const status = data.status;
    if (status !== 'SHIPPED' && status !== 'REJECTED' && status !== 'CANCELLED') return;
    const to = STOCK_MOVES_BY_VENDOR_STATUS[status];
    await moveStock(data.orderId, data.vendorId, data.lines, to, envelope.correlationId, deps);
  }
}
