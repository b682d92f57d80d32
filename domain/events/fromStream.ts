import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { ENVELOPE_VERSION, EnvelopeSchema, type Envelope, type EventType } from './envelope.js';
import { orderFromItem, type OrderItem } from '../views.js';

/**
 * Maps table stream records to domain events: the pipe's enrichment step. Pure, so it is unit-tested
 * without a pipe, and the same code runs in AWS and locally.
 */

/** A DynamoDB stream record as EventBridge Pipes hands it to an enrichment or target. */
export interface StreamRecord {
  eventID: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  dynamodb: {
    ApproximateCreationDateTime?: number;
    NewImage?: Record<string, AttributeValue>;
    OldImage?: Record<string, AttributeValue>;
    SequenceNumber?: string;
  };
}

/** The bus-bound shape of one domain event (the envelope before validation). */
export interface RawEnvelope {
  type: EventType;
  version: typeof ENVELOPE_VERSION;
  id: string;
  time: string;
  correlationId: string;
  data: Record<string, unknown>;
}

type Item = Record<string, unknown>;

function image(av: Record<string, AttributeValue> | undefined): Item | null {
  return av ? (unmarshall(av) as Item) : null;
}

function lastHistory(item: Item): Item | null {
  const history = item.statusHistory;
  return Array.isArray(history) && history.length > 0 ? (history[history.length - 1] as Item) : null;
}

function vendorOrdersOf(item: Item): Item[] {
  const value = item.vendorOrders;
  if (Array.isArray(value)) return value as Item[];
  if (value && typeof value === 'object') return Object.values(value as Record<string, Item>);
  return [];
}

/** The order's lines with their totals, which the order item derives (domain/views.ts lineOf). */
function orderLinesOf(item: Item): Item[] {
  const lines = Array.isArray(item.lines) ? (item.lines as Item[]) : [];
  return lines.map((l) => ({ ...l, lineTotal: Number(l.unitPrice) * Number(l.quantity) }));
}

/** The order's payment as events carry it: the item keeps its orderId and currency on the order. */
function paymentOf(item: Item): Item | null {
  const payment = item.payment as Item | null | undefined;
  if (!payment) return null;
  return {
    orderId: item.id,
    currency: item.currency,
    method: null,
    failureReason: null,
    ...payment,
  };
}

function orderEvent(newItem: Item, oldItem: Item | null): Omit<RawEnvelope, 'id' | 'time'> | null {
  const previousStatus = (oldItem?.status as string | undefined) ?? null;
  if (oldItem && previousStatus === newItem.status) return null;
  const last = lastHistory(newItem);
  const vendorOrders = vendorOrdersOf(newItem);
  return {
    type: 'order.statusChanged',
    version: ENVELOPE_VERSION,
    correlationId: String(newItem.correlationId ?? ''),
    data: {
      orderId: newItem.id,
      customerId: newItem.customerId,
      vendorIds: vendorOrders.map((v) => v.vendorId),
      status: newItem.status,
      previousStatus,
      total: newItem.total,
      currency: newItem.currency,
      lines: orderLinesOf(newItem),
      payment: paymentOf(newItem),
      reason: (last?.reason as string | null | undefined) ?? null,
      actor: (last?.actor as string | undefined) ?? 'SYSTEM',
      version: newItem.version,
      at: (last?.at as string | undefined) ?? newItem.updatedAt,
      vendorOrders: vendorOrders.map((v) => ({ vendorId: v.vendorId, status: v.status })),
    },
  };
}

/** The stored history entries a write appended: those past the old image's (all of them for an INSERT). */
function appendedHistory(newItem: Item, oldItem: Item | null): Item[] {
  const history = Array.isArray(newItem.statusHistory) ? (newItem.statusHistory as Item[]) : [];
  const before = oldItem && Array.isArray(oldItem.statusHistory) ? oldItem.statusHistory.length : 0;
  return history.slice(before);
}

/**
 * The reason of one part's move, from the history entries the same write appended: the part's own entry
 * (its vendorId and new status) when a vendor or an admin moved it, else the order-level entry of the
 * change that moved it with the order (a cancellation of the whole order).
 */
function partReason(appended: readonly Item[], vendorId: unknown, status: unknown): string | null {
  const own = appended.filter((e) => e.vendorId === vendorId && e.vendorStatus === status);
  const orderLevel = appended.filter((e) => e.vendorId === undefined || e.vendorId === null);
  const entry = own[own.length - 1] ?? orderLevel[orderLevel.length - 1];
  return (entry?.reason as string | null | undefined) ?? null;
}

/**
 * vendorOrder.statusChanged, one per embedded part whose status differs between the order item's old and
 * new image (the order item is the one copy of a part's state: a vendor's move, or a cancellation that
 * closes the open parts, is one write of it). A new order has no old image: its PENDING parts are
 * announced by the order itself (its vendorIds), so they make no event. The part's lines and subtotal come
 * from the order's lines, its version and time from the part.
 */
function vendorOrderEvents(newItem: Item, oldItem: Item | null): Omit<RawEnvelope, 'id' | 'time'>[] {
  if (!oldItem) return [];
  const before = new Map(vendorOrdersOf(oldItem).map((v) => [v.vendorId, v]));
  const appended = appendedHistory(newItem, oldItem);
  const lines = orderLinesOf(newItem);
  const events: Omit<RawEnvelope, 'id' | 'time'>[] = [];
  for (const part of vendorOrdersOf(newItem)) {
    const previousStatus = (before.get(part.vendorId)?.status as string | undefined) ?? null;
    if (previousStatus === part.status) continue;
    const own = lines.filter((l) => l.vendorId === part.vendorId);
    events.push({
      type: 'vendorOrder.statusChanged',
      version: ENVELOPE_VERSION,
      correlationId: String(newItem.correlationId ?? ''),
      data: {
        orderId: newItem.id,
        vendorId: part.vendorId,
        customerId: newItem.customerId,
        status: part.status,
        previousStatus,
        lines: own,
        subtotal: own.reduce((t, l) => t + Number(l.lineTotal), 0),
        currency: newItem.currency,
        reason: partReason(appended, part.vendorId, part.status),
        version: part.version,
        at: part.updatedAt ?? newItem.updatedAt,
      },
    });
  }
  return events;
}

/**
 * payment.requested, from the order's move to PAYMENT_PENDING: processPayment writes the attempt onto the
 * order item (its payment, and the token until the result is recorded) in one UpdateItem, so there is no
 * attempt item of its own. Nobody is told of PAYMENT_PENDING itself (domain/audience.ts), so this is the
 * one event the move means.
 */
function paymentRequestedEvent(newItem: Item, oldItem: Item | null): Omit<RawEnvelope, 'id' | 'time'> | null {
  if (newItem.status !== 'PAYMENT_PENDING' || oldItem?.status === 'PAYMENT_PENDING') return null;
  const payment = (newItem.payment ?? {}) as Item;
  return {
    type: 'payment.requested',
    version: ENVELOPE_VERSION,
    correlationId: String(newItem.correlationId ?? ''),
    data: {
      orderId: newItem.id,
      customerId: newItem.customerId,
      attempt: payment.attempts,
      amount: payment.amount,
      currency: newItem.currency,
      paymentToken: newItem.paymentToken,
      method: payment.method ?? null,
      requestedAt: payment.updatedAt,
    },
  };
}

/**
 * True when a stock change takes a product's available stock from at or above its low-stock threshold to
 * below it: the one change that means a LOW_STOCK alert (not every change below the threshold).
 */
export function crossesLowStock(
  previousAvailable: number | null,
  available: number,
  lowStockThreshold: number,
): boolean {
  return (
    previousAvailable !== null && previousAvailable >= lowStockThreshold && available < lowStockThreshold
  );
}

/**
 * product.changed, only for a change that crosses the low-stock threshold: its one consumer (the
 * notification consumer's LOW_STOCK alert) acts on nothing else, and every order moves stock twice
 * (reserve, then commit or release), so publishing every stock move cost two bus events and two Lambda
 * runs per line for nothing.
 */
function productEvent(newItem: Item, oldItem: Item | null): Omit<RawEnvelope, 'id' | 'time'> | null {
  const previousAvailable = (oldItem?.available as number | undefined) ?? null;
  if (!crossesLowStock(previousAvailable, Number(newItem.available), Number(newItem.lowStockThreshold ?? 0)))
    return null;
  return {
    type: 'product.changed',
    version: ENVELOPE_VERSION,
    correlationId: String(newItem.correlationId ?? `product#${newItem.vendorId}#${newItem.productId}`),
    data: {
      vendorId: newItem.vendorId,
      productId: newItem.productId,
      name: newItem.name,
      available: newItem.available,
      previousAvailable,
      reserved: newItem.reserved ?? 0,
      lowStockThreshold: newItem.lowStockThreshold ?? 0,
    },
  };
}

/** A stored order item (either shape) as the whole order. */
function wholeOrder(item: Item): Item {
  return orderFromItem(item as unknown as OrderItem) as unknown as Item;
}

/** The order item's own event: payment.requested for the move to PAYMENT_PENDING, else order.statusChanged. */
function orderItemEvent(newItem: Item, oldItem: Item | null): Omit<RawEnvelope, 'id' | 'time'> | null {
  return newItem.status === 'PAYMENT_PENDING'
    ? paymentRequestedEvent(newItem, oldItem)
    : orderEvent(newItem, oldItem);
}

/**
 * The domain events a stream record means, in order (none for other entities or no change). An order
 * item's record means its parts' events first, in the order's part order, then the order's own event:
 * the order a vendor's move and the order status it derives have always had on the stream (the part's
 * item was written first), so a consumer that reads the order on a part's event sees the order as moved.
 * A record's events stay together and in record order (toDomainEvents), so the pipe delivers one order's
 * events in the order of its writes. Each event's id is deterministic (the record's eventID, and the
 * vendor id for a part's), so a redelivery carries the same ids.
 *
 * Validated here, where events are produced, so every consumer gets a well-formed envelope: an item that
 * does not make one throws (a ZodError naming the field), and the pipe retries the batch, then sends it to
 * its dead-letter queue. An item of an entity that makes no event any more (the vendor-order items,
 * VENDOR_ORDER, written before the order item became the one copy of its parts) maps to none.
 */
export function toDomainEvent(record: StreamRecord): Envelope[] {
  if (record.eventName === 'REMOVE') return [];
  const newItem = image(record.dynamodb.NewImage);
  if (!newItem) return [];
  const oldItem = image(record.dynamodb.OldImage);
  const events: { event: Omit<RawEnvelope, 'id' | 'time'>; id: string }[] = [];
  switch (newItem.entity) {
    case 'ORDER': {
      // The whole order, before and after: the item derives some of its attributes from its keys and
      // history (domain/views.ts orderFromItem), so both images are read the same way before diffing.
      const order = wholeOrder(newItem);
      const before = oldItem ? wholeOrder(oldItem) : null;
      for (const event of vendorOrderEvents(order, before)) {
        events.push({ event, id: `${record.eventID}:${String(event.data.vendorId)}` });
      }
      const own = orderItemEvent(order, before);
      if (own) events.push({ event: own, id: record.eventID });
      break;
    }
    case 'PRODUCT': {
      const event = productEvent(newItem, oldItem);
      if (event) events.push({ event, id: record.eventID });
      break;
    }
    default:
      break;
  }
  const seconds = record.dynamodb.ApproximateCreationDateTime;
  const time = seconds ? new Date(seconds * 1000).toISOString() : new Date().toISOString();
  return events.map(({ event, id }) =>
    EnvelopeSchema.parse({ ...event, id, time, correlationId: event.correlationId || record.eventID }),
  );
}

/**
 * Maps a batch: every record's events, record by record. Pipes sends every element of the returned array
 * to the target (a bus target in PutEvents calls of up to 10), so the array may be longer or shorter than
 * the batch; a record that means no event still costs its share of the batch, so the pipe filter should
 * already have dropped such records.
 */
export function toDomainEvents(records: readonly StreamRecord[]): Envelope[] {
  return records.flatMap((r) => toDomainEvent(r));
}
