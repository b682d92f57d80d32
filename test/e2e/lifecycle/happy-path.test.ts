import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OnMyOrdersChangedDocument,
  OnOrderPlacedDocument,
  OnOrderStatusChangedDocument,
  type OrderStatus,
} from '../../generated/graphql.js';
import { subscribe } from '../support/client.js';
import { getProduct, line, moveVendorPart, orderReaches, pay, placedOrder } from '../support/orders.js';
import { startScenarioStack, type ScenarioStack } from '../support/scenario-stack.js';

/**
 * The order-level statuses a two-vendor order passes through when both vendors fulfil it one after the
 * other (domain/orderProcess.ts deriveOrderStatus): the first acceptance makes it FULFILLING, the last
 * shipment SHIPPED, the last delivery DELIVERED, and the DELIVERED event completes it (sweeper consumer).
 * PAYMENT_PENDING comes between PLACED and PAID but is not pushed (domain/audience.ts
 * UNPUSHED_ORDER_STATUSES): the customer's own processPayment answered it. PLACED is placeOrder's own
 * answer, pushed through onOrderPlaced, so the status subscriptions start at PAID.
 */
const ORDER_STATUSES: OrderStatus[] = [
  'PLACED',
  'PAYMENT_PENDING',
  'PAID',
  'FULFILLING',
  'SHIPPED',
  'DELIVERED',
  'COMPLETED',
];

describe('a multi-vendor order from placement to completion', () => {
  let ctx: ScenarioStack;

  beforeAll(async () => {
    ctx = await startScenarioStack();
  });

  afterAll(async () => {
    await ctx?.stack.stop();
  });

  it('streams every status change to the customer in order while both vendors fulfil their parts', async () => {
    // Prepare: given the customer watches all of its orders before placing one
    const { customer, aurora, borealis } = ctx.users;
    const headlampBefore = await getProduct(customer, 'v-aurora', 'p-headlamp');
    const mine = subscribe(customer, OnMyOrdersChangedDocument, {});
    const placedLive = subscribe(customer, OnOrderPlacedDocument, {});
    await Promise.all([mine.started, placedLive.started]);

    // Act: when the customer places a two-vendor order, watches it, and pays
    const order = await placedOrder(customer, [
      line('v-aurora', 'p-headlamp', 2),
      line('v-borealis', 'p-espresso', 1),
    ]);
    const watch = subscribe(customer, OnOrderStatusChangedDocument, { orderId: order.id });
    await watch.started;
    // Each step waits for the previous status to arrive, as a UI would: an event bus rule's targets get
    // events unordered (EventBridge "Ordering and deduplicating events": a subscriber is UNORDERED
    // unless FIFO), so only the steps themselves order the relays.
    await placedLive.waitFor((o) => o.id === order.id);
    await pay(customer, order.id, 'tok_success');
    await watch.waitFor((e) => e.status === 'PAID' && e.vendorId === null);
    // and each vendor accepts, ships with tracking and delivers its part
    for (const [vendor, vendorId] of [
      [aurora, 'v-aurora'],
      [borealis, 'v-borealis'],
    ] as const) {
      for (const status of ['ACCEPTED', 'SHIPPED', 'DELIVERED'] as const) {
        await moveVendorPart(vendor, order.id, vendorId, status);
        await watch.waitFor((e) => e.vendorId === vendorId && e.vendorStatus === status);
      }
    }
    await watch.waitFor((e) => e.status === 'DELIVERED' && e.vendorId === null);
    // and the delivery itself completes the order: no schedule is needed
    await watch.waitFor((e) => e.status === 'COMPLETED');
    await mine.waitFor((e) => e.status === 'COMPLETED');
    await ctx.stack.idle();

    // Assess: the order-status projection of the stream is the whole process, once each, in order
    const orderLevel = (events: typeof mine.events) =>
      events.filter((e) => e.orderId === order.id && e.vendorId === null);
    expect(placedLive.events.filter((o) => o.id === order.id)).toEqual([
      expect.objectContaining({ id: order.id, status: 'PLACED', version: order.version }),
    ]);
    const pushed = ORDER_STATUSES.filter((status) => status !== 'PAYMENT_PENDING' && status !== 'PLACED');
    expect(orderLevel(mine.events).map((e) => e.status)).toEqual(pushed);
    // each event still names the status it left, PAID the unpushed PAYMENT_PENDING
    expect(orderLevel(mine.events).map((e) => e.previousStatus)).toEqual(ORDER_STATUSES.slice(1, -1));
    const versions = orderLevel(mine.events).map((e) => e.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
    // the per-order subscription started after placement, so it sees a suffix of the same sequence
    const watched = orderLevel(watch.events).map((e) => e.status);
    expect(watched.length).toBeGreaterThanOrEqual(pushed.length - 1);
    expect(watched).toEqual(pushed.slice(pushed.length - watched.length));
    // vendor-level events carry the vendor and its part's status, in each vendor's order; a part is
    // PENDING from placement, which the placed order (with every vendorId) announces, so its first own
    // event is ACCEPTED (README, "Subscriptions": pushes only where a listener needs them)
    for (const vendorId of ['v-aurora', 'v-borealis']) {
      const part = mine.events.filter((e) => e.orderId === order.id && e.vendorId === vendorId);
      expect(part.map((e) => e.vendorStatus)).toEqual(['ACCEPTED', 'SHIPPED', 'DELIVERED']);
      expect(part.every((e) => e.actor === 'VENDOR' && e.vendorIds.length === 2)).toBe(true);
    }
    // and the order itself ends COMPLETED, paid in full, with tracking on each part
    const final = await orderReaches(customer, order.id, 'COMPLETED');
    expect(final.payment).toMatchObject({
      status: 'SUCCEEDED',
      amount: order.total,
      attempts: 1,
      refundedAmount: 0,
    });
    expect(final.vendorOrders.map((v) => [v.vendorId, v.status, v.tracking?.carrier])).toEqual([
      ['v-aurora', 'DELIVERED', 'Posten'],
      ['v-borealis', 'DELIVERED', 'Posten'],
    ]);
    expect(final.vendorOrders.reduce((sum, v) => sum + v.subtotal, 0)).toBe(final.total); // the invariant
    // the paid stock left the catalog for good: no longer available, no longer reserved
    const headlampAfter = await getProduct(customer, 'v-aurora', 'p-headlamp');
    expect([headlampAfter.available, headlampAfter.reserved]).toEqual([
      headlampBefore.available - 2,
      headlampBefore.reserved,
    ]);
    mine.close();
    placedLive.close();
    watch.close();
  }, 120_000);
});
