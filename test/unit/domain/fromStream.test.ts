import { describe, expect, it } from 'vitest';
import { marshall } from '@aws-sdk/util-dynamodb';
import { parseEnvelope } from '../../../domain/events/envelope.js';
import { toDomainEvent, toDomainEvents, type StreamRecord } from '../../../domain/events/fromStream.js';

const line = { vendorId: 'v1', productId: 'p1', name: 'Pen', quantity: 2, unitPrice: 100, lineTotal: 200 };
const order = (fields: Record<string, unknown> = {}) => ({
  PK: 'ORDER#o1',
  SK: 'ORDER',
  entity: 'ORDER',
  id: 'o1',
  customerId: 'c1',
  status: 'PLACED',
  lines: [line],
  vendorOrders: [{ orderId: 'o1', vendorId: 'v1', status: 'PENDING', subtotal: 200 }],
  vendorIds: ['v1'],
  total: 200,
  currency: 'USD',
  payment: null,
  statusHistory: [
    {
      from: null,
      to: 'PLACED',
      actor: 'CUSTOMER',
      actorId: 'c1',
      reason: null,
      at: '2025-01-01T00:00:00.000Z',
    },
  ],
  correlationId: 'corr',
  updatedAt: '2025-01-01T00:00:00.000Z',
  version: 1,
  ...fields,
});
const record = (
  eventName: StreamRecord['eventName'],
  next: Record<string, unknown>,
  old?: Record<string, unknown>,
): StreamRecord => ({
  eventID: 'evt-1',
  eventName,
  dynamodb: {
    ApproximateCreationDateTime: 1735689600,
    NewImage: marshall(next, { removeUndefinedValues: true }) as StreamRecord['dynamodb']['NewImage'],
    ...(old
      ? { OldImage: marshall(old, { removeUndefinedValues: true }) as StreamRecord['dynamodb']['OldImage'] }
      : {}),
  },
});

describe('toDomainEvent', () => {
  it('rejects an order item that makes no valid event, naming the field, before the event reaches the bus', () => {
    // Prepare: a status the order process does not have
    const bad = record('MODIFY', order({ status: 'LOST' }), order());
    // Act and Assess
    expect(() => toDomainEvent(bad)).toThrow(/status/);
  });

  it('answers an envelope whose data narrows on its type without a cast', () => {
    // Act
    const event = toDomainEvent(record('MODIFY', order({ status: 'PAID', version: 2 }), order()));
    // Assess
    expect(event?.type).toBe('order.statusChanged');
    if (event?.type !== 'order.statusChanged') return;
    expect(event.data.previousStatus).toBe('PLACED');
  });

  it('maps a new order to order.statusChanged with a null previous status and a valid envelope', () => {
    // Act
    const event = toDomainEvent(record('INSERT', order()));
    // Assess
    expect(event).toMatchObject({
      type: 'order.statusChanged',
      id: 'evt-1',
      correlationId: 'corr',
      time: '2025-01-01T00:00:00.000Z',
    });
    expect(event?.data).toMatchObject({
      orderId: 'o1',
      status: 'PLACED',
      previousStatus: null,
      actor: 'CUSTOMER',
    });
    expect(() => parseEnvelope(event)).not.toThrow();
  });

  it('maps a status change and ignores a modify that keeps the status', () => {
    // Act
    const changed = toDomainEvent(record('MODIFY', order({ status: 'PAYMENT_FAILED' }), order()));
    const same = toDomainEvent(record('MODIFY', order({ version: 2 }), order()));
    // Assess
    expect(changed?.data).toMatchObject({ status: 'PAYMENT_FAILED', previousStatus: 'PLACED' });
    expect(same).toBeNull();
  });

  it("maps an order's move to PAYMENT_PENDING to payment.requested for the attempt on the order, and only that", () => {
    // Prepare: processPayment writes the attempt onto the order item (no payment item of its own)
    const payment = {
      orderId: 'o1',
      amount: 200,
      currency: 'USD',
      status: 'PENDING',
      method: 'CARD',
      attempts: 2,
      failureReason: null,
      refundedAmount: 0,
      updatedAt: '2025-01-01T00:01:00.000Z',
    };
    const failed = order({ status: 'PAYMENT_FAILED', version: 3 });
    const pending = order({ status: 'PAYMENT_PENDING', version: 4, payment, paymentToken: 'tok_success' });
    // Act
    const requested = toDomainEvent(record('MODIFY', pending, failed));
    const again = toDomainEvent(record('MODIFY', { ...pending, version: 5 }, pending));
    // Assess
    expect(requested).toMatchObject({
      type: 'payment.requested',
      correlationId: 'corr',
      data: {
        orderId: 'o1',
        customerId: 'c1',
        attempt: 2,
        amount: 200,
        currency: 'USD',
        paymentToken: 'tok_success',
        method: 'CARD',
        requestedAt: '2025-01-01T00:01:00.000Z',
      },
    });
    expect(again).toBeNull();
  });

  it('maps nothing for a payment attempt item, which processPayment no longer writes', () => {
    // Act
    const event = toDomainEvent(
      record('INSERT', { entity: 'PAYMENT', orderId: 'o1', attempt: 1, paymentToken: 'tok_success' }),
    );
    // Assess
    expect(event).toBeNull();
  });

  it('maps nothing for items that are not domain entities (idempotency, stock state, notifications)', () => {
    // Act
    const events = toDomainEvents([
      record('INSERT', { entity: 'IDEMPOTENCY', PK: 'x' }),
      record('INSERT', { entity: 'STOCK', PK: 'y' }),
      record('INSERT', { entity: 'NOTIFICATION', PK: 'z' }),
    ]);
    // Assess
    expect(events).toEqual([]);
  });

  it('maps a stock move to product.changed only when it crosses below the low-stock threshold', () => {
    // Prepare
    const product = (available: number, reserved: number) => ({
      PK: 'VENDOR#v1',
      SK: 'PRODUCT#p1',
      entity: 'PRODUCT',
      vendorId: 'v1',
      productId: 'p1',
      name: 'Pen',
      available,
      reserved,
      lowStockThreshold: 5,
    });
    // Act: a reservation that crosses, one that stays above, one already below, and a commit
    const crossing = toDomainEvent(record('MODIFY', product(4, 2), product(6, 0)));
    const above = toDomainEvent(record('MODIFY', product(8, 2), product(10, 0)));
    const below = toDomainEvent(record('MODIFY', product(2, 4), product(4, 2)));
    const commit = toDomainEvent(record('MODIFY', product(4, 0), product(4, 2)));
    // Assess
    expect(crossing).toMatchObject({
      type: 'product.changed',
      data: { available: 4, previousAvailable: 6, lowStockThreshold: 5 },
    });
    expect(parseEnvelope(crossing).type).toBe('product.changed');
    expect([above, below, commit]).toEqual([null, null, null]);
  });
});
