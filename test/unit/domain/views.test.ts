import { describe, expect, it } from 'vitest';
import type { Caller } from '../../../domain/identity.js';
import { viewOrderFor } from '../../../domain/views.js';
import type { Order, StatusChange } from '../../../domain/generated/schema.js';

const vendor = (vendorId: string): Caller => ({
  kind: 'vendor',
  id: `user-${vendorId}`,
  vendorId,
  groups: ['vendor'],
});

function change(fields: Partial<StatusChange>): StatusChange {
  return {
    from: null,
    to: 'PAID',
    vendorId: null,
    vendorStatus: null,
    actor: 'SYSTEM',
    actorId: null,
    reason: null,
    at: '2025-01-01T00:00:00.000Z',
    ...fields,
  };
}

/** A paid two-vendor order on which v2 rejected its part and v1 accepted. */
function mixedOrder(): Order {
  const part = (vendorId: string, status: 'ACCEPTED' | 'REJECTED', subtotal: number) => ({
    orderId: 'o1',
    vendorId,
    status,
    lines: [],
    subtotal,
    currency: 'USD' as const,
    tracking: null,
    createdAt: 'then',
    updatedAt: 'now',
    version: 2,
  });
  return {
    id: 'o1',
    customerId: 'c1',
    status: 'FULFILLING',
    lines: [],
    vendorOrders: [part('v1', 'ACCEPTED', 300), part('v2', 'REJECTED', 700)],
    vendorIds: ['v1', 'v2'],
    total: 1000,
    currency: 'USD',
    shippingAddress: { name: 'A', line1: 'l', line2: null, city: 'c', postalCode: 'p', country: 'GB' },
    payment: null,
    statusHistory: [
      change({ to: 'PLACED', actor: 'CUSTOMER', actorId: 'c1' }),
      change({ from: 'PAYMENT_PENDING', to: 'PAYMENT_FAILED', reason: 'card_declined' }),
      change({
        from: 'PAID',
        to: 'PAID',
        vendorId: 'v2',
        vendorStatus: 'REJECTED',
        actor: 'VENDOR',
        actorId: 'user-v2',
        reason: 'out of beans',
      }),
      change({
        from: 'PAID',
        to: 'FULFILLING',
        vendorId: 'v1',
        vendorStatus: 'ACCEPTED',
        actor: 'VENDOR',
        actorId: 'user-v1',
        reason: 'ready',
      }),
    ],
    correlationId: 'corr',
    createdAt: 'then',
    updatedAt: 'now',
    version: 6,
  };
}

describe('viewOrderFor', () => {
  it("shows a vendor its own history entries, and no other vendor's reason or user id", () => {
    // Prepare
    const order = mixedOrder();
    // Act
    const seen = viewOrderFor(order, vendor('v1'));
    // Assess
    expect(seen?.statusHistory.map((h) => [h.to, h.vendorId, h.actorId, h.reason])).toEqual([
      ['PLACED', null, null, null],
      ['PAYMENT_FAILED', null, null, null],
      ['FULFILLING', 'v1', 'user-v1', 'ready'],
    ]);
    expect(JSON.stringify(seen)).not.toContain('v2');
    expect(JSON.stringify(seen)).not.toContain('out of beans');
  });

  it('shows the customer and admins the whole history', () => {
    // Prepare
    const order = mixedOrder();
    // Act
    const customer = viewOrderFor(order, {
      kind: 'customer',
      id: 'c1',
      vendorId: null,
      groups: ['customer'],
    });
    const admin = viewOrderFor(order, { kind: 'admin', id: 'a1', vendorId: null, groups: ['admin'] });
    // Assess
    expect(customer?.statusHistory).toEqual(order.statusHistory);
    expect(admin?.statusHistory).toEqual(order.statusHistory);
  });
});
