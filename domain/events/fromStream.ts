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

function vendorOrderEvent(newItem: Item, oldItem: Item | null): Omit<RawEnvelope, 'id' | 'time'> | null {
  const previousStatus = (oldItem?.status as string | undefined) ?? null;
  if (oldItem && previousStatus === newItem.status) return null;
  return {
    type: 'vendorOrder.statusChanged',
    version: ENVELOPE_VERSION,
    correlationId: String(newItem.correlationId ?? ''),
    data: {
      orderId: newItem.orderId,
      vendorId: newItem.vendorId,
      customerId: newItem.customerId,
      status: newItem.status,
      previousStatus,
      lines: newItem.lines ?? [],
      subtotal: newItem.subtotal,
      currency: newItem.currency,
      reason: (newItem.reason as string | null | undefined) ?? null,
      version: newItem.version,
      at: newItem.updatedAt,
    },
  };
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

/**
 * The domain event a stream record means, or null when it means none (other entities, no change).
 * Validated here, where events are produced, so every consumer gets a well-formed envelope: an item that
 * does not make one throws (a ZodError naming the field), and the pipe retries the batch, then sends it to
 * its dead-letter queue.
 */
export function toDomainEvent(record: StreamRecord): Envelope | null {
  if (record.eventName === 'REMOVE') return null;
  const newItem = image(record.dynamodb.NewImage);
  if (!newItem) return null;
  const oldItem = image(record.dynamodb.OldImage);
  let event: Omit<RawEnvelope, 'id' | 'time'> | null = null;
  switch (newItem.entity) {
    case 'ORDER': {
      // The whole order: the item derives some of its attributes from its keys and history (domain/views.ts).
      const order = orderFromItem(newItem as unknown as OrderItem) as unknown as Item;
      event =
        order.status === 'PAYMENT_PENDING'
          ? paymentRequestedEvent(order, oldItem)
          : orderEvent(order, oldItem);
      break;
    }
    case 'VENDOR_ORDER':
      event = vendorOrderEvent(newItem, oldItem);
      break;
    case 'PRODUCT':
      event = productEvent(newItem, oldItem);
      break;
    default:
      event = null;
  }
  if (!event) return null;
  const seconds = record.dynamodb.ApproximateCreationDateTime;
  const time = seconds ? new Date(seconds * 1000).toISOString() : new Date().toISOString();
  const correlationId = event.correlationId || record.eventID;
  return EnvelopeSchema.parse({ ...event, id: record.eventID, time, correlationId });
}

/**
 * Maps a batch. Pipes sends every element of the returned array to the target; a record that means no
 * event still needs an element, so the pipe filter should already have dropped such records.
 */
export function toDomainEvents(records: readonly StreamRecord[]): Envelope[] {
  return records.map(toDomainEvent).filter((e): e is Envelope => e !== null);
}
