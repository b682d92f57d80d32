import { describe, expect, it } from 'vitest';
import {
  customerEventOf,
  myOrdersFilter,
  notificationFilter,
  orderEventFilter,
  paymentResultEventOf,
  placedOrdersFilter,
  vendorEventFilter,
  vendorEventOf,
} from '../../../domain/audience.js';

describe('status event audiences', () => {
  it('builds a vendor event that names only that vendor and carries no payment', () => {
    // Act
    const event = vendorEventOf({
      orderId: 'o1',
      customerId: 'c1',
      status: 'PAID',
      vendorId: 'v1',
      vendorStatus: 'ACCEPTED',
      actor: 'VENDOR',
      version: 4,
      correlationId: 'corr',
      at: 'now',
    });
    // Assess
    expect(event).toMatchObject({ audience: 'VENDOR', vendorIds: ['v1'], vendorId: 'v1', payment: null });
  });

  it('marks the relayed change as the customer-facing event', () => {
    // Act
    const event = customerEventOf({
      orderId: 'o1',
      customerId: 'c1',
      vendorIds: ['v1', 'v2'],
      status: 'PAID',
      actor: 'SYSTEM',
      version: 3,
      correlationId: 'corr',
      at: 'now',
    });
    // Assess
    expect(event).toMatchObject({ audience: 'CUSTOMER', vendorIds: ['v1', 'v2'], vendorId: null });
  });

  it('filters each caller to its audience: customers and admins the customer events, a vendor its own', () => {
    // Act
    const customer = orderEventFilter({ kind: 'customer', id: 'c1', vendorId: null, groups: [] }, 'o1');
    const admin = orderEventFilter({ kind: 'admin', id: 'a1', vendorId: null, groups: [] }, 'o1');
    const vendor = orderEventFilter({ kind: 'vendor', id: 'u1', vendorId: 'v1', groups: [] }, 'o1');
    const vendorWithoutId = orderEventFilter({ kind: 'vendor', id: 'u1', vendorId: null, groups: [] }, 'o1');
    const anonymous = orderEventFilter({ kind: 'anonymous', id: '', vendorId: null, groups: [] }, 'o1');
    // Assess
    expect(customer).toEqual({
      orderId: { eq: 'o1' },
      audience: { eq: 'CUSTOMER' },
      customerId: { eq: 'c1' },
    });
    expect(admin).toEqual({ orderId: { eq: 'o1' }, audience: { eq: 'CUSTOMER' } });
    expect(vendor).toEqual({ orderId: { eq: 'o1' }, audience: { eq: 'VENDOR' }, vendorId: { eq: 'v1' } });
    expect(vendorWithoutId).toBeNull();
    expect(anonymous).toBeNull();
    expect(vendorEventFilter({ kind: 'vendor', id: 'u1', vendorId: 'v1', groups: [] }, 'v1')).toEqual({
      audience: { eq: 'VENDOR' },
      vendorId: { eq: 'v1' },
    });
    expect(vendorEventFilter({ kind: 'vendor', id: 'u1', vendorId: 'v1', groups: [] }, 'v2')).toBeNull();
    expect(vendorEventFilter({ kind: 'admin', id: 'a1', vendorId: null, groups: [] }, 'v2')).toEqual({
      audience: { eq: 'CUSTOMER' },
      vendorIds: { containsAny: ['v2'] },
    });
  });

  it('makes a payment result that moved the order the customer event of that move, and any other an INTERNAL one', () => {
    // Prepare
    const order = {
      id: 'o1',
      customerId: 'c1',
      vendorIds: ['v1', 'v2'],
      status: 'PAYMENT_PENDING' as const,
      version: 2,
      correlationId: 'corr',
    };
    const payment = {
      orderId: 'o1',
      amount: 1000,
      currency: 'EUR' as const,
      status: 'DECLINED' as const,
      method: null,
      attempts: 1,
      failureReason: 'card_declined',
      refundedAmount: 0,
      updatedAt: 't1',
    };
    // Act
    const moved = paymentResultEventOf(order, payment, {
      status: 'PAYMENT_FAILED',
      reason: 'card_declined',
      at: 't1',
    });
    const unmoved = paymentResultEventOf({ ...order, status: 'PAYMENT_FAILED', version: 3 }, payment, null);
    // Assess: the move is what the stream's relay carried; the other names the order as it stands
    expect(moved).toMatchObject({
      audience: 'CUSTOMER',
      status: 'PAYMENT_FAILED',
      previousStatus: 'PAYMENT_PENDING',
      reason: 'card_declined',
      version: 3,
      actor: 'SYSTEM',
      vendorIds: ['v1', 'v2'],
      payment,
    });
    expect(unmoved).toMatchObject({
      audience: 'INTERNAL',
      status: 'PAYMENT_FAILED',
      previousStatus: null,
      version: 3,
    });
  });

  it('filters onMyOrdersChanged on the audience too, and onNotification on a recipient or a shared list', () => {
    // Act
    const mine = myOrdersFilter({ kind: 'customer', id: 'c1', vendorId: null, groups: ['customer'] });
    const notVendor = myOrdersFilter({ kind: 'vendor', id: 'u', vendorId: 'v1', groups: ['vendor'] });
    // Assess
    expect(mine).toEqual({ audience: { eq: 'CUSTOMER' }, customerId: { eq: 'c1' } });
    expect(notVendor).toBeNull();
    expect(notificationFilter('vendor#v1')).toEqual({
      or: [{ recipient: { eq: 'vendor#v1' } }, { recipients: { containsAny: ['vendor#v1'] } }],
    });
  });

  it("filters onOrderPlaced on the customer's own orders, lets an admin see all and refuses everyone else", () => {
    // Act
    const customer = placedOrdersFilter({ kind: 'customer', id: 'c1', vendorId: null, groups: ['customer'] });
    const admin = placedOrdersFilter({ kind: 'admin', id: 'a1', vendorId: null, groups: ['admin'] });
    const vendor = placedOrdersFilter({ kind: 'vendor', id: 'u', vendorId: 'v1', groups: ['vendor'] });
    const iam = placedOrdersFilter({ kind: 'iam', id: 'arn', vendorId: null, groups: [] });
    const anonymous = placedOrdersFilter({ kind: 'anonymous', id: '', vendorId: null, groups: [] });
    // Assess: the payload is placeOrder's Order, whose customerId is the placing customer's sub
    expect(customer).toEqual({ customerId: { eq: 'c1' } });
    expect(admin).toEqual({});
    expect([vendor, iam, anonymous]).toEqual([null, null, null]);
  });
});
