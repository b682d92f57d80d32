import { describe, expect, it } from 'vitest';
import { parseEnvelope } from '../../../domain/events/envelope.js';
import { handleNotificationEvent, type NotificationDeps } from '../../../functions/notification/logic.js';
import type { ParentOrder } from '../../../functions/notification/messages.js';
import { envelope, fakeAppSync, quietLogger } from './fakes.js';

const orderData = (fields: Record<string, unknown> = {}) => ({
  orderId: 'o1',
  customerId: 'c1',
  vendorIds: ['v1', 'v2'],
  status: 'PAID',
  previousStatus: 'PAYMENT_PENDING',
  total: 1000,
  currency: 'USD',
  lines: [],
  payment: {
    orderId: 'o1',
    amount: 1000,
    currency: 'USD',
    status: 'SUCCEEDED',
    attempts: 1,
    refundedAmount: 0,
    updatedAt: 'now',
  },
  reason: null,
  actor: 'SYSTEM',
  version: 4,
  at: '2025-01-01T00:00:00.000Z',
  vendorOrders: [],
  ...fields,
});

function setup(parent: ParentOrder | null = null) {
  const appsync = fakeAppSync();
  const topic: unknown[] = [];
  /** The mails of each publish call, i.e. of each PublishBatch request. */
  const batches: string[][] = [];
  const deps: NotificationDeps = {
    appsync: appsync.port,
    logger: quietLogger,
    readOrder: async () => parent,
    publishToTopic: async (notices) => {
      topic.push(...notices);
      batches.push(notices.map((n) => n.kind));
    },
  };
  // Each relay request carries at most one of each field, under its own variable (relay.ts).
  const part = (field: string, variable: string) =>
    appsync.calls
      .filter((c) => c.query.includes(`${field}(input: $${variable})`))
      .map((c) => c.variables[variable] as Record<string, unknown>);
  const relays = () => part('publishOrderStatus', 'customer');
  const vendorRelays = () => part('publishVendorOrderStatus', 'vendor');
  const notices = () => part('publishNotification', 'notification');
  const shared = () => part('publishSharedNotification', 'shared');
  return { deps, appsync, topic, batches, relays, vendorRelays, notices, shared };
}

describe('notification consumer', () => {
  it('relays an order status change with its customer notice in one request', async () => {
    // Prepare
    const s = setup();
    // Act
    await handleNotificationEvent(
      parseEnvelope(
        envelope('order.statusChanged', orderData({ status: 'SHIPPED', previousStatus: 'FULFILLING' })),
      ),
      s.deps,
    );
    // Assess
    expect(s.relays()).toEqual([
      expect.objectContaining({
        orderId: 'o1',
        customerId: 'c1',
        vendorIds: ['v1', 'v2'],
        status: 'SHIPPED',
        previousStatus: 'FULFILLING',
        correlationId: 'corr-1',
      }),
    ]);
    expect(s.notices().map((n) => [n.recipient, n.kind])).toEqual([['c1', 'ORDER_SHIPPED']]);
    expect(s.appsync.calls).toHaveLength(1);
    expect(s.appsync.calls.every((c) => c.correlationId === 'corr-1')).toBe(true);
  });

  it("sends nothing for PAID or PAYMENT_FAILED: the payment consumer's own request pushed them and their notices", async () => {
    // Prepare
    const s = setup();
    // Act
    await handleNotificationEvent(parseEnvelope(envelope('order.statusChanged', orderData())), s.deps);
    await handleNotificationEvent(
      parseEnvelope(envelope('order.statusChanged', orderData({ status: 'PAYMENT_FAILED' }))),
      s.deps,
    );
    // Assess: no request, no mail (functions/payment/logic.ts recordChargeResult sends both)
    expect(s.appsync.calls).toEqual([]);
    expect(s.topic).toEqual([]);
  });

  it("pushes nothing for PAYMENT_PENDING, which the customer's own processPayment answered", async () => {
    // Prepare
    const s = setup();
    // Act
    await handleNotificationEvent(
      parseEnvelope(
        envelope('order.statusChanged', orderData({ status: 'PAYMENT_PENDING', previousStatus: 'PLACED' })),
      ),
      s.deps,
    );
    // Assess
    expect(s.appsync.calls).toEqual([]);
    expect(s.topic).toEqual([]);
  });

  it("relays nothing and stores no notice for a new order, which placeOrder's own answer pushed", async () => {
    // Prepare: the pipe filter keeps the order's INSERT off the bus; this is a stray delivery
    const s = setup();
    // Act
    await handleNotificationEvent(
      parseEnvelope(envelope('order.statusChanged', orderData({ status: 'PLACED', previousStatus: null }))),
      s.deps,
    );
    // Assess: onOrderPlaced carries PLACED (schema.graphql); no publishOrderStatus, no ORDER_PLACED notice
    expect(s.appsync.calls).toEqual([]);
    expect(s.topic).toEqual([]);
  });

  it('copies to the topic only the notices a user needs by mail', async () => {
    // Prepare
    const s = setup();
    // Act: a completed order means no mail; a shipment does
    for (const [status, previousStatus] of [
      ['COMPLETED', 'DELIVERED'],
      ['SHIPPED', 'FULFILLING'],
    ]) {
      await handleNotificationEvent(
        parseEnvelope(envelope('order.statusChanged', orderData({ status, previousStatus }))),
        s.deps,
      );
    }
    // Assess: every notice is stored and pushed, only the shipment is mailed
    expect(s.notices().map((n) => n.kind)).toEqual(['ORDER_COMPLETED', 'ORDER_SHIPPED']);
    expect(s.topic.map((n) => (n as { kind: string }).kind)).toEqual(['ORDER_SHIPPED']);
    // one publish for the shipment's event, none for the event without mail
    expect(s.batches).toEqual([['ORDER_SHIPPED']]);
  });

  it("relays a vendor order change with the vendor's status and the parent's current status", async () => {
    // Prepare
    const s = setup({
      id: 'o1',
      customerId: 'c1',
      vendorIds: ['v1', 'v2'],
      status: 'FULFILLING',
      version: 5,
      payment: null,
    });
    const data = {
      orderId: 'o1',
      vendorId: 'v1',
      customerId: 'c1',
      status: 'ACCEPTED',
      previousStatus: 'PENDING',
      lines: [],
      subtotal: 300,
      currency: 'USD',
      reason: null,
      version: 2,
      at: 'now',
    };
    // Act
    await handleNotificationEvent(parseEnvelope(envelope('vendorOrder.statusChanged', data)), s.deps);
    // Assess
    expect(s.relays()).toEqual([
      expect.objectContaining({
        status: 'FULFILLING',
        vendorId: 'v1',
        vendorStatus: 'ACCEPTED',
        vendorIds: ['v1', 'v2'],
        version: 5,
      }),
    ]);
    expect(s.notices()).toEqual([]);
  });

  it("relays a paid order's vendor change to the customer in full and to that vendor with only its part", async () => {
    // Prepare: vendor v2 rejects its part of a paid two-vendor order
    const s = setup({
      id: 'o1',
      customerId: 'c1',
      vendorIds: ['v1', 'v2'],
      status: 'PAID',
      version: 5,
      payment: { orderId: 'o1', amount: 1000, currency: 'USD', status: 'SUCCEEDED', attempts: 1 },
    });
    const data = {
      orderId: 'o1',
      vendorId: 'v2',
      customerId: 'c1',
      status: 'REJECTED',
      previousStatus: 'PENDING',
      lines: [],
      subtotal: 700,
      currency: 'USD',
      reason: 'out of beans',
      version: 2,
      at: 'now',
    };
    // Act
    await handleNotificationEvent(parseEnvelope(envelope('vendorOrder.statusChanged', data)), s.deps);
    // Assess: the customer-facing event (customer and admins) carries the whole order
    expect(s.relays()).toEqual([
      expect.objectContaining({ vendorId: 'v2', vendorIds: ['v1', 'v2'], reason: 'out of beans' }),
    ]);
    expect(s.relays()[0]?.payment).toMatchObject({ amount: 1000, status: 'SUCCEEDED' });
    // and v2's own event names no other vendor and no payment: its input has no such fields
    expect(s.vendorRelays()).toEqual([
      {
        orderId: 'o1',
        customerId: 'c1',
        status: 'PAID',
        vendorId: 'v2',
        vendorStatus: 'REJECTED',
        reason: 'out of beans',
        actor: 'VENDOR',
        version: 5,
        correlationId: 'corr-1',
        at: 'now',
      },
    ]);
    // both in one request, as separate fields: each reaches only its own subscriptions' filters
    expect(s.appsync.calls).toHaveLength(1);
  });

  it('relays nothing to a vendor about an order-level change or an unpaid order', async () => {
    // Prepare
    const orderLevel = setup();
    const unpaid = setup({
      id: 'o1',
      customerId: 'c1',
      vendorIds: ['v1', 'v2'],
      status: 'PLACED',
      version: 1,
      payment: null,
    });
    const created = {
      orderId: 'o1',
      vendorId: 'v1',
      customerId: 'c1',
      status: 'PENDING',
      previousStatus: null,
      lines: [],
      subtotal: 300,
      currency: 'USD',
      reason: null,
      version: 1,
      at: 'now',
    };
    // Act
    await handleNotificationEvent(
      parseEnvelope(
        envelope('order.statusChanged', orderData({ status: 'SHIPPED', previousStatus: 'FULFILLING' })),
      ),
      orderLevel.deps,
    );
    await handleNotificationEvent(parseEnvelope(envelope('vendorOrder.statusChanged', created)), unpaid.deps);
    // Assess: one customer-facing relay each, no vendor relay (a paid order reaches vendors as a notice)
    expect(orderLevel.relays()).toHaveLength(1);
    expect(orderLevel.vendorRelays()).toEqual([]);
    expect(unpaid.relays()).toHaveLength(1);
    expect(unpaid.vendorRelays()).toEqual([]);
  });

  it('fails the event when its request fails, so Lambda retries it', async () => {
    // Prepare
    const deps: NotificationDeps = {
      appsync: {
        async request() {
          throw new Error('AppSync said no');
        },
      },
      logger: quietLogger,
      readOrder: async () => null,
    };
    // Act
    const run = handleNotificationEvent(
      parseEnvelope(
        envelope('order.statusChanged', orderData({ status: 'CANCELLED', previousStatus: 'PAID' })),
      ),
      deps,
    );
    // Assess
    await expect(run).rejects.toThrow('AppSync said no');
  });

  it('tells a vendor of its cancelled part only when the order had been paid', async () => {
    // Prepare
    const parent = (payment: Record<string, unknown> | null): ParentOrder => ({
      id: 'o1',
      customerId: 'c1',
      vendorIds: ['v1'],
      status: 'CANCELLED',
      version: 3,
      payment,
    });
    const data = {
      orderId: 'o1',
      vendorId: 'v1',
      customerId: 'c1',
      status: 'CANCELLED',
      previousStatus: 'PENDING',
      lines: [],
      subtotal: 1,
      currency: 'USD',
      reason: null,
      version: 2,
      at: 'now',
    };
    const paid = setup(parent({ status: 'SUCCEEDED' }));
    const declined = setup(parent({ status: 'DECLINED' }));
    // Act
    await handleNotificationEvent(parseEnvelope(envelope('vendorOrder.statusChanged', data)), paid.deps);
    await handleNotificationEvent(parseEnvelope(envelope('vendorOrder.statusChanged', data)), declined.deps);
    // Assess
    expect(paid.notices().map((n) => [n.recipient, n.kind])).toEqual([
      ['vendor#v1', 'VENDOR_ORDER_CANCELLED'],
    ]);
    expect(declined.notices()).toEqual([]);
  });

  it('alerts the vendor once when available stock crosses below the threshold', async () => {
    // Prepare
    const s = setup();
    const product = (available: number, previousAvailable: number) => ({
      vendorId: 'v1',
      productId: 'p1',
      name: 'Pen',
      available,
      previousAvailable,
      reserved: 0,
      lowStockThreshold: 5,
    });
    // Act
    await handleNotificationEvent(parseEnvelope(envelope('product.changed', product(4, 6), 'e1')), s.deps);
    await handleNotificationEvent(parseEnvelope(envelope('product.changed', product(3, 4), 'e2')), s.deps);
    // Assess
    expect(s.notices().map((n) => [n.recipient, n.kind])).toEqual([['vendor#v1', 'LOW_STOCK']]);
    expect(s.relays()).toEqual([]);
  });

  it('gives a redelivered event the same notification id, so it overwrites instead of adding', async () => {
    // Prepare
    const s = setup();
    const event = parseEnvelope(
      envelope('order.statusChanged', orderData({ status: 'SHIPPED', previousStatus: 'FULFILLING' })),
    );
    // Act
    await handleNotificationEvent(event, s.deps);
    await handleNotificationEvent(event, s.deps);
    // Assess
    const ids = s.notices().map((n) => n.id);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
  });

  it('fails when a vendor order event names an order that does not exist, so Lambda retries', async () => {
    // Prepare
    const s = setup(null);
    const data = {
      orderId: 'gone',
      vendorId: 'v1',
      customerId: 'c1',
      status: 'ACCEPTED',
      previousStatus: 'PENDING',
      lines: [],
      subtotal: 1,
      currency: 'USD',
      reason: null,
      version: 2,
      at: 'now',
    };
    // Act
    const run = handleNotificationEvent(parseEnvelope(envelope('vendorOrder.statusChanged', data)), s.deps);
    // Assess
    await expect(run).rejects.toThrow('order gone not found');
  });
});
