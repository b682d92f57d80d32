import { describe, expect, it } from 'vitest';
import {
  canTransition,
  canTransitionVendorOrder,
  deriveOrderStatus,
  nextVendorOrderStatuses,
  ORDER_TRANSITIONS,
  VENDOR_ORDER_TRANSITIONS,
} from '../../../domain/orderProcess.js';
import type { OrderStatus, VendorOrderStatus } from '../../../domain/generated/schema.js';

const ORDER_STATUSES = Object.keys(ORDER_TRANSITIONS) as OrderStatus[];
const VENDOR_STATUSES = Object.keys(VENDOR_ORDER_TRANSITIONS) as VendorOrderStatus[];

describe('order process', () => {
  it.each([
    ['PLACED', 'PAYMENT_PENDING'],
    ['PAYMENT_PENDING', 'PAID'],
    ['PAYMENT_PENDING', 'PAYMENT_FAILED'],
    ['PAYMENT_FAILED', 'PAYMENT_PENDING'],
    ['PAID', 'CANCELLED'],
    ['DELIVERED', 'COMPLETED'],
  ] as [OrderStatus, OrderStatus][])('allows %s → %s', (from, to) => {
    // Act
    const allowed = canTransition(from, to);
    // Assess
    expect(allowed).toBe(true);
  });

  it.each([
    ['PLACED', 'PAID'],
    ['PAYMENT_PENDING', 'CANCELLED'],
    ['SHIPPED', 'CANCELLED'],
    ['PAID', 'PLACED'],
  ] as [OrderStatus, OrderStatus][])('rejects %s → %s', (from, to) => {
    // Act
    const allowed = canTransition(from, to);
    // Assess
    expect(allowed).toBe(false);
  });

  it('lets nothing leave a terminal status', () => {
    // Act
    const leaving = ORDER_STATUSES.filter(
      (to) => canTransition('COMPLETED', to) || canTransition('CANCELLED', to),
    );
    const vendorLeaving = VENDOR_STATUSES.filter(
      (to) =>
        canTransitionVendorOrder('DELIVERED', to) ||
        canTransitionVendorOrder('REJECTED', to) ||
        canTransitionVendorOrder('CANCELLED', to),
    );
    // Assess
    expect(leaving).toEqual([]);
    expect(vendorLeaving).toEqual([]);
  });

  it('rejects a vendor order skipping acceptance', () => {
    // Act
    const shipped = canTransitionVendorOrder('PENDING', 'SHIPPED');
    // Assess
    expect(shipped).toBe(false);
    expect(canTransitionVendorOrder('ACCEPTED', 'SHIPPED')).toBe(true);
  });

  it('only ever derives a status the order process allows, over every reachable state of a three-vendor order', () => {
    // Prepare: explore every state reachable from a paid order by single vendor moves
    const start = {
      status: 'PAID' as OrderStatus,
      vendors: ['PENDING', 'PENDING', 'PENDING'] as VendorOrderStatus[],
    };
    const seen = new Set<string>();
    const queue = [start];
    const forbidden: string[] = [];
    while (queue.length > 0) {
      const state = queue.shift()!;
      const id = `${state.status}:${state.vendors.join(',')}`;
      if (seen.has(id)) continue;
      seen.add(id);
      if (state.status === 'CANCELLED' || state.status === 'DELIVERED') continue;
      state.vendors.forEach((from, i) => {
        for (const to of nextVendorOrderStatuses(from)) {
          const vendors = state.vendors.map((s, j) => (j === i ? to : s));
          // Act
          const derived = deriveOrderStatus(state.status, vendors);
          // Assess (collected)
          if (derived !== state.status && !canTransition(state.status, derived, 'VENDOR'))
            forbidden.push(`${id} → ${derived}`);
          queue.push({ status: derived, vendors });
        }
      });
    }
    // Assess
    expect(forbidden).toEqual([]);
    expect(seen.size).toBeGreaterThan(50);
  });

  it('derives FULFILLING, SHIPPED, DELIVERED and CANCELLED from the vendor orders', () => {
    // Act and Assess
    expect(deriveOrderStatus('PAID', ['ACCEPTED', 'PENDING'])).toBe('FULFILLING');
    expect(deriveOrderStatus('FULFILLING', ['SHIPPED', 'REJECTED'])).toBe('SHIPPED');
    expect(deriveOrderStatus('SHIPPED', ['DELIVERED', 'CANCELLED'])).toBe('DELIVERED');
    expect(deriveOrderStatus('PAID', ['REJECTED', 'REJECTED'])).toBe('CANCELLED');
    expect(deriveOrderStatus('PLACED', ['REJECTED'])).toBe('PLACED'); // unpaid orders are not moved by vendors
  });
});
