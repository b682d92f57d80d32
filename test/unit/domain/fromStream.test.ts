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
    const [event] = toDomainEvent(record('MODIFY', order({ status: 'PAID', version: 2 }), order()));
    // Assess
    expect(event?.type).toBe('order.statusChanged');
    if (event?.type !== 'order.statusChanged') return;
    expect(event.data.previousStatus).toBe('PLACED');
  });

  it('maps a new order to order.statusChanged with a null previous status and a valid envelope', () => {
    // Act
    const events = toDomainEvent(record('INSERT', order()));
    // Assess: the order's event only (its PENDING parts are announced by its vendorIds)
    expect(events).toHaveLength(1);
    const event = events[0];
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
    const [changed] = toDomainEvent(record('MODIFY', order({ status: 'PAYMENT_FAILED' }), order()));
    const same = toDomainEvent(record('MODIFY', order({ version: 2 }), order()));
    // Assess
    expect(changed?.data).toMatchObject({ status: 'PAYMENT_FAILED', previousStatus: 'PLACED' });
    expect(same).toEqual([]);
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
    expect(requested).toHaveLength(1);
    expect(requested[0]).toMatchObject({
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
    expect(again).toEqual([]);
  });

  it('maps nothing for a payment attempt item, which processPayment no longer writes', () => {
    // Act
    const event = toDomainEvent(
      record('INSERT', { entity: 'PAYMENT', orderId: 'o1', attempt: 1, paymentToken: 'tok_success' }),
    );
    // Assess
    expect(event).toEqual([]);
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
    const [crossing] = toDomainEvent(record('MODIFY', product(4, 2), product(6, 0)));
    const above = toDomainEvent(record('MODIFY', product(8, 2), product(10, 0)));
    const below = toDomainEvent(record('MODIFY', product(2, 4), product(4, 2)));
    const commit = toDomainEvent(record('MODIFY', product(4, 0), product(4, 2)));
    // Assess
    expect(crossing).toMatchObject({
      type: 'product.changed',
      data: { available: 4, previousAvailable: 6, lowStockThreshold: 5 },
    });
    expect(parseEnvelope(crossing).type).toBe('product.changed');
    expect([above, below, commit]).toEqual([[], [], []]);
  });
});

describe('vendorOrder.statusChanged from the order item', () => {
  // Prepare: a paid two-vendor order as the order item stores it (parts without lines, line totals derived)
  const lines = [
    { vendorId: 'v1', productId: 'p1', name: 'Pen', quantity: 2, unitPrice: 100 },
    { vendorId: 'v2', productId: 'p2', name: 'Ink', quantity: 1, unitPrice: 350 },
    { vendorId: 'v1', productId: 'p3', name: 'Pad', quantity: 1, unitPrice: 50 },
  ];
  const placed = { to: 'PLACED', actor: 'CUSTOMER', actorId: 'c1', at: '2025-01-01T00:00:00.000Z' };
  const paidEntry = { from: 'PAYMENT_PENDING', to: 'PAID', actor: 'SYSTEM', at: '2025-01-01T00:01:00.000Z' };
  const paid = (fields: Record<string, unknown> = {}) =>
    order({
      status: 'PAID',
      lines,
      vendorOrders: [
        { vendorId: 'v1', status: 'PENDING', version: 1 },
        { vendorId: 'v2', status: 'PENDING', version: 1 },
      ],
      total: 600,
      payment: undefined,
      statusHistory: [placed, paidEntry],
      version: 4,
      ...fields,
    });
  const at = '2025-01-01T00:05:00.000Z';

  it("maps a vendor's move that moves the order to the part's event first, then the order's, each with its own id", () => {
    // Prepare: v1 accepts, so the order goes FULFILLING (one UpdateItem of the order item)
    const entry = {
      from: 'PAID',
      to: 'FULFILLING',
      vendorId: 'v1',
      vendorStatus: 'ACCEPTED',
      actor: 'VENDOR',
      actorId: 'u-v1',
      at,
    };
    const moved = paid({
      status: 'FULFILLING',
      vendorOrders: [
        { vendorId: 'v1', status: 'ACCEPTED', version: 2, updatedAt: at },
        { vendorId: 'v2', status: 'PENDING', version: 1 },
      ],
      statusHistory: [placed, paidEntry, entry],
      updatedAt: at,
      version: 5,
    });
    // Act
    const events = toDomainEvent(record('MODIFY', moved, paid()));
    // Assess: the part's event carries the same envelope fields the vendor-order item's did
    expect(events.map((e) => [e.type, e.id])).toEqual([
      ['vendorOrder.statusChanged', 'evt-1:v1'],
      ['order.statusChanged', 'evt-1'],
    ]);
    expect(events[0]).toMatchObject({ correlationId: 'corr', time: '2025-01-01T00:00:00.000Z' });
    expect(events[0]?.data).toEqual({
      orderId: 'o1',
      vendorId: 'v1',
      customerId: 'c1',
      status: 'ACCEPTED',
      previousStatus: 'PENDING',
      lines: [
        { vendorId: 'v1', productId: 'p1', name: 'Pen', quantity: 2, unitPrice: 100, lineTotal: 200 },
        { vendorId: 'v1', productId: 'p3', name: 'Pad', quantity: 1, unitPrice: 50, lineTotal: 50 },
      ],
      subtotal: 250,
      currency: 'USD',
      reason: null,
      version: 2,
      at,
    });
    expect(events[1]?.data).toMatchObject({ status: 'FULFILLING', previousStatus: 'PAID', version: 5 });
    for (const event of events) expect(() => parseEnvelope(event)).not.toThrow();
  });

  it("maps a rejection that leaves the order PAID to the part's event alone, with the reason of its history entry", () => {
    // Prepare: v2 rejects while v1 is still pending
    const entry = {
      from: 'PAID',
      to: 'PAID',
      vendorId: 'v2',
      vendorStatus: 'REJECTED',
      actor: 'VENDOR',
      reason: 'out of ink',
      at,
    };
    const rejected = paid({
      vendorOrders: [
        { vendorId: 'v1', status: 'PENDING', version: 1 },
        { vendorId: 'v2', status: 'REJECTED', version: 2, updatedAt: at },
      ],
      statusHistory: [placed, paidEntry, entry],
      updatedAt: at,
      version: 5,
    });
    // Act
    const events = toDomainEvent(record('MODIFY', rejected, paid()));
    // Assess
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'vendorOrder.statusChanged',
      id: 'evt-1:v2',
      data: {
        vendorId: 'v2',
        status: 'REJECTED',
        previousStatus: 'PENDING',
        subtotal: 350,
        reason: 'out of ink',
        version: 2,
        at,
      },
    });
  });

  it("maps a cancellation of the order to one event per part it closes, with the order's reason, then the order's", () => {
    // Prepare: v2 rejected earlier; the customer cancels, which closes v1 only
    const rejectedAt = '2025-01-01T00:02:00.000Z';
    const rejection = {
      from: 'PAID',
      to: 'PAID',
      vendorId: 'v2',
      vendorStatus: 'REJECTED',
      actor: 'VENDOR',
      reason: 'out of ink',
      at: rejectedAt,
    };
    const before = paid({
      vendorOrders: [
        { vendorId: 'v1', status: 'PENDING', version: 1 },
        { vendorId: 'v2', status: 'REJECTED', version: 2, updatedAt: rejectedAt },
      ],
      statusHistory: [placed, paidEntry, rejection],
      version: 5,
    });
    const cancel = {
      from: 'PAID',
      to: 'CANCELLED',
      actor: 'CUSTOMER',
      actorId: 'c1',
      reason: 'changed my mind',
      at,
    };
    const cancelled = paid({
      status: 'CANCELLED',
      vendorOrders: [
        { vendorId: 'v1', status: 'CANCELLED', version: 2, updatedAt: at },
        { vendorId: 'v2', status: 'REJECTED', version: 2, updatedAt: rejectedAt },
      ],
      statusHistory: [placed, paidEntry, rejection, cancel],
      updatedAt: at,
      version: 6,
    });
    // Act
    const events = toDomainEvent(record('MODIFY', cancelled, before));
    // Assess
    expect(events.map((e) => [e.type, (e.data as { status?: string }).status])).toEqual([
      ['vendorOrder.statusChanged', 'CANCELLED'],
      ['order.statusChanged', 'CANCELLED'],
    ]);
    expect(events[0]?.data).toMatchObject({
      vendorId: 'v1',
      previousStatus: 'PENDING',
      reason: 'changed my mind',
      subtotal: 250,
    });
  });

  it('maps nothing for a write that moves no part and keeps the status (a refund of a rejected part)', () => {
    // Prepare
    const rejected = paid({
      vendorOrders: [
        { vendorId: 'v1', status: 'PENDING', version: 1 },
        { vendorId: 'v2', status: 'REJECTED', version: 2, updatedAt: at },
      ],
    });
    const refunded = { ...rejected, refundedVendorIds: ['v2'], version: 6 };
    // Act and Assess
    expect(toDomainEvent(record('MODIFY', refunded, rejected))).toEqual([]);
  });

  it('maps nothing for the vendor-order items of the earlier design, whose writes no longer happen', () => {
    // Prepare: an item written before the order item became the one copy of its parts
    const legacy = {
      PK: 'ORDER#o1',
      SK: 'VENDOR#v1',
      entity: 'VENDOR_ORDER',
      orderId: 'o1',
      vendorId: 'v1',
      status: 'ACCEPTED',
    };
    // Act and Assess
    expect(toDomainEvent(record('MODIFY', legacy, { ...legacy, status: 'PENDING' }))).toEqual([]);
    expect(
      toDomainEvent(
        record('INSERT', { PK: 'VENDORORDERS#0#v1', SK: `${at}#o1`, entity: 'VENDOR_ORDER_ENTRY' }),
      ),
    ).toEqual([]);
  });

  it("keeps a batch's events in record order, each record's together", () => {
    // Prepare: two writes of one order, then another order's
    const accepted = paid({
      status: 'FULFILLING',
      vendorOrders: [
        { vendorId: 'v1', status: 'ACCEPTED', version: 2, updatedAt: at },
        { vendorId: 'v2', status: 'PENDING', version: 1 },
      ],
      version: 5,
    });
    const both = {
      ...accepted,
      vendorOrders: [
        { vendorId: 'v1', status: 'ACCEPTED', version: 2, updatedAt: at },
        { vendorId: 'v2', status: 'ACCEPTED', version: 2, updatedAt: at },
      ],
      version: 6,
    };
    const other = order({ id: 'o2', status: 'PAYMENT_FAILED' });
    const batch = [
      { ...record('MODIFY', accepted, paid()), eventID: 'e1' },
      { ...record('MODIFY', both, accepted), eventID: 'e2' },
      { ...record('MODIFY', other, order({ id: 'o2' })), eventID: 'e3' },
    ];
    // Act
    const events = toDomainEvents(batch);
    // Assess
    expect(events.map((e) => e.id)).toEqual(['e1:v1', 'e1', 'e2:v2', 'e3']);
  });
});
