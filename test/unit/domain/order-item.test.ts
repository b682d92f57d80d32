import { describe, expect, it } from 'vitest';
import { marshall } from '@aws-sdk/util-dynamodb';
import { toDomainEvent, type StreamRecord } from '../../../domain/events/fromStream.js';
import { newOrderItem } from '../../../domain/order.js';
import { orderKey, orderListKeys } from '../../../domain/keys.js';
import { transition, transitionVendorOrder } from '../../../domain/transition.js';
import { emptyUpdate, orderStatusChange } from '../../../domain/writes.js';
import {
  orderFromItem,
  orderItemOf,
  orderView,
  type OrderItem,
  type StoredOrder,
} from '../../../domain/views.js';

const CUSTOMER = '0f8fad5b-d9cb-469f-a165-70867728950e';
const ID = '01JH8Z5W3Q4V6X7Y8Z9A0B1C2D';
const at = (minute: number) => `2026-01-01T10:${String(minute).padStart(2, '0')}:00.000Z`;

/** A placed order of two vendors, as placeOrder builds it (no client correlation id: the order id). */
function placed(fields: { correlationId?: string } = {}): StoredOrder {
  return newOrderItem({
    id: ID,
    customerId: CUSTOMER,
    lines: [
      { vendorId: 'v1', productId: 'p1', name: 'Lamp', quantity: 1, unitPrice: 3490, lineTotal: 3490 },
      { vendorId: 'v2', productId: 'p2', name: 'Cup', quantity: 2, unitPrice: 500, lineTotal: 1000 },
    ],
    currency: 'EUR',
    shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'London', postalCode: 'N1', country: 'GB' },
    correlationId: fields.correlationId ?? ID,
    now: at(0),
  });
}

/** The order after a status change, as the writer's transition says it is (it must be allowed). */
function moved(order: StoredOrder, change: ReturnType<typeof transition<StoredOrder>>): StoredOrder {
  if (!change.ok) throw new Error(change.error.message);
  return change.change.order;
}

/** The order paid: processPayment at minute 1 (the customer), the charge result at minute 2. */
function paid(order = placed()): StoredOrder {
  const pending = moved(
    order,
    transition(order, 'PAYMENT_PENDING', { type: 'CUSTOMER', id: CUSTOMER }, at(1)),
  );
  pending.payment = {
    amount: order.total,
    status: 'PENDING',
    method: 'CARD',
    attempts: 1,
    refundedAmount: 0,
    updatedAt: at(1),
  };
  pending.paymentKeys = { k1: { request: 'CARD:tok_success', attempt: 1 } };
  pending.paymentToken = 'tok_success';
  const done = moved(pending, transition(pending, 'PAID', { type: 'SYSTEM', id: null }, at(2)));
  done.payment = { ...pending.payment, status: 'SUCCEEDED', updatedAt: at(2) };
  delete done.paymentToken;
  return done;
}

/** What a table read gives for an order the writer stored: its key and what orderItemOf stores. */
const readBack = (order: StoredOrder): StoredOrder =>
  orderFromItem({ ...orderKey(order.id), ...orderItemOf(order) } as OrderItem);

describe('the order item (domain/views.ts orderItemOf, orderFromItem)', () => {
  it('gives back the whole order from what it stores, at every stage of the order', () => {
    // Prepare: placed, pending, paid, a refund (times of its own), a vendor's move and an admin's cancel
    const order = placed();
    const p = paid(order);
    const refunded: StoredOrder = {
      ...p,
      payment: { ...p.payment!, status: 'PARTIALLY_REFUNDED', refundedAmount: 1000, updatedAt: at(3) },
      refundedVendorIds: ['v2'],
      updatedAt: at(3),
      version: p.version + 1,
    };
    const accepted = transitionVendorOrder(p, 'v1', 'ACCEPTED', { type: 'VENDOR', id: 'vendor-user' }, at(4));
    if (!accepted.ok) throw new Error(accepted.error.message);
    const fulfilling = accepted.change.order;
    const cancelled = moved(
      fulfilling,
      transition(fulfilling, 'CANCELLED', { type: 'ADMIN', id: 'an-admin' }, at(5), { reason: 'fraud' }),
    );
    const withHeader = placed({ correlationId: 'from-the-client' });
    // Act and Assess: the order as read is the order as written (updatedAt given even where it is derived)
    for (const o of [order, p, refunded, fulfilling, cancelled, withHeader]) {
      const last = o.statusHistory[o.statusHistory.length - 1]!;
      expect(readBack(o)).toEqual({ ...o, updatedAt: o.updatedAt ?? last.at });
    }
  });

  it('stores none of what its keys, its total or its history say, for an order paid without a correlation id', () => {
    // Act
    const item = orderItemOf(paid());
    // Assess
    for (const name of ['id', 'customerId', 'createdAt', 'correlationId', 'updatedAt', 'paymentToken']) {
      expect(item).not.toHaveProperty(name);
    }
    expect(item.statusHistory).toEqual([
      { to: 'PAYMENT_PENDING', actor: 'CUSTOMER', at: at(1) },
      { to: 'PAID', actor: 'SYSTEM', at: at(2) },
    ]);
    expect(item.payment).toEqual({ status: 'SUCCEEDED', method: 'CARD', attempts: 1, refundedAmount: 0 });
    expect(item).toMatchObject({ GSI1PK: `CUSTOMER#${CUSTOMER}`, GSISK: `${at(0)}#${ID}`, entity: 'ORDER' });
  });

  it('keeps what differs from what it would derive: another actor, a refund time, a client correlation id', () => {
    // Prepare
    const p = paid(placed({ correlationId: 'from-the-client' }));
    const cancelled = moved(
      p,
      transition(p, 'CANCELLED', { type: 'ADMIN', id: 'an-admin' }, at(5), { reason: 'fraud' }),
    );
    cancelled.payment = { ...cancelled.payment!, amount: 1, status: 'REFUNDED', updatedAt: at(6) };
    cancelled.updatedAt = at(6);
    // Act
    const item = orderItemOf(cancelled);
    // Assess
    expect(item).toMatchObject({ correlationId: 'from-the-client', updatedAt: at(6) });
    expect(item.payment).toMatchObject({ amount: 1, updatedAt: at(6) });
    expect(item.statusHistory?.at(-1)).toEqual({
      to: 'CANCELLED',
      actor: 'ADMIN',
      actorId: 'an-admin',
      reason: 'fraud',
      at: at(5),
    });
  });

  it('reads an item written before (every attribute, nulls, the placement entry) as the views read it then', () => {
    // Prepare: a paid order item as the code before stored it
    const before = {
      ...orderKey(ID),
      entity: 'ORDER',
      GSI1PK: `CUSTOMER#${CUSTOMER}`,
      GSISK: `${at(0)}#${ID}`,
      ...paid(),
      correlationId: 'e1c5a4e2-0bb5-4b5e-9c41-3b9d1d6b6a39',
      statusHistory: [
        { from: null, to: 'PLACED', actor: 'CUSTOMER', actorId: CUSTOMER, reason: null, at: at(0) },
        { from: 'PLACED', to: 'PAYMENT_PENDING', actor: 'CUSTOMER', actorId: CUSTOMER, at: at(1) },
        { from: 'PAYMENT_PENDING', to: 'PAID', actor: 'SYSTEM', actorId: null, at: at(2) },
      ],
      payment: {
        orderId: ID,
        amount: 4490,
        currency: 'EUR',
        status: 'SUCCEEDED',
        method: null,
        attempts: 1,
        failureReason: null,
        refundedAmount: 0,
        updatedAt: at(2),
      },
      updatedAt: at(2),
      refundedVendorIds: null,
    };
    // Act
    const read = orderFromItem(before as unknown as OrderItem);
    // Assess
    expect(orderView(read)).toEqual(orderView(before as unknown as StoredOrder));
    expect(read.statusHistory).toEqual(before.statusHistory);
  });

  it('appends the entries of a status change as the item stores them, and removes a stored updatedAt', () => {
    // Prepare: a paid order the customer cancels, and one an admin cancels
    const p = paid();
    const customerEntry = {
      from: 'PAID',
      to: 'CANCELLED',
      actor: 'CUSTOMER',
      actorId: CUSTOMER,
      at: at(7),
    } as const;
    const adminEntry = { ...customerEntry, actor: 'ADMIN', actorId: 'an-admin' } as const;
    // Act
    const byCustomer = orderStatusChange(emptyUpdate(), p, 'CANCELLED', [customerEntry]);
    const byAdmin = orderStatusChange(emptyUpdate(), p, 'CANCELLED', [adminEntry]);
    // Assess
    expect(byCustomer.values[':entries']).toEqual([{ to: 'CANCELLED', actor: 'CUSTOMER', at: at(7) }]);
    expect(byAdmin.values[':entries']).toEqual([
      { to: 'CANCELLED', actor: 'ADMIN', actorId: 'an-admin', at: at(7) },
    ]);
    expect(byCustomer.removes).toContain('#updatedAt');
    expect(byCustomer.sets.join()).not.toContain('#updatedAt');
  });
});

/** The stream record of an order item's MODIFY from `before` to `after` (plain items). */
const modify = (after: object, before: object): StreamRecord => ({
  eventID: 'evt-1',
  eventName: 'MODIFY',
  dynamodb: {
    ApproximateCreationDateTime: 1767261600,
    NewImage: marshall(after, { removeUndefinedValues: true }) as StreamRecord['dynamodb']['NewImage'],
    OldImage: marshall(before, { removeUndefinedValues: true }) as StreamRecord['dynamodb']['OldImage'],
  },
});

/** The image of an order as the code before stored it: every attribute, its list keys. */
const formerImage = (o: StoredOrder) => ({
  ...orderKey(o.id),
  entity: 'ORDER',
  ...orderListKeys(o.id, o.customerId, o.status, o.createdAt),
  ...o,
});

/** The image of an order as orderItemOf stores it. */
const image = (o: StoredOrder) => ({ ...orderKey(o.id), ...orderItemOf(o) });

describe('the stream enricher on order images of either shape (domain/events/fromStream.ts)', () => {
  it('emits the same envelopes from the stored item as from the item as written before', () => {
    // Prepare: the payment request, the charge result, and a customer's cancel of a paid order
    const order = placed();
    const p = paid(order);
    const pending = { ...p, status: 'PAYMENT_PENDING' as const, statusHistory: p.statusHistory.slice(0, 2) };
    pending.payment = { ...p.payment!, status: 'PENDING', updatedAt: at(1) };
    pending.paymentToken = 'tok_success';
    pending.updatedAt = at(1);
    pending.version = 2;
    const cancelled = moved(p, transition(p, 'CANCELLED', { type: 'CUSTOMER', id: CUSTOMER }, at(3)));
    const moves: [StoredOrder, StoredOrder, string][] = [
      [order, pending, 'payment.requested'],
      [pending, p, 'order.statusChanged'],
      [p, cancelled, 'order.statusChanged'],
    ];
    for (const [before, after, type] of moves) {
      // Act
      const fromItem = toDomainEvent(modify(image(after), image(before)));
      const fromFormer = toDomainEvent(modify(formerImage(after), formerImage(before)));
      // Assess
      expect(fromItem.at(-1)?.type).toBe(type);
      expect(fromItem).toEqual(fromFormer);
      for (const event of fromItem)
        expect(event).toMatchObject({ correlationId: ID, data: { orderId: ID, customerId: CUSTOMER } });
    }
  });

  it('says who moved the order and when from the stored entries (payment.requested, order.statusChanged)', () => {
    // Prepare
    const p = paid();
    const cancelled = moved(p, transition(p, 'CANCELLED', { type: 'CUSTOMER', id: CUSTOMER }, at(3)));
    const pending = { ...p, status: 'PAYMENT_PENDING' as const, statusHistory: p.statusHistory.slice(0, 2) };
    pending.payment = { ...p.payment!, status: 'PENDING', updatedAt: at(1) };
    pending.paymentToken = 'tok_success';
    // Act
    const requested = toDomainEvent(modify(image(pending), image(placed()))).at(-1);
    const changed = toDomainEvent(modify(image(cancelled), image(p))).at(-1);
    // Assess
    expect(requested?.data).toMatchObject({ attempt: 1, amount: 4490, requestedAt: at(1) });
    expect(changed?.data).toMatchObject({
      status: 'CANCELLED',
      previousStatus: 'PAID',
      actor: 'CUSTOMER',
      at: at(3),
      payment: { orderId: ID, amount: 4490, currency: 'EUR', updatedAt: at(2) },
    });
  });
});
