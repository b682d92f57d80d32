import { describe, expect, it } from 'vitest';
import {
  applyEvent,
  applyPlacedOrder,
  eventKey,
  rowsFromOrders,
  rowsFromVendorOrders,
  type BoardRow,
  type StatusEvent,
} from '../../console/page/board-state.js';

const order = (id: string, status: string, version: number) => ({
  id,
  status,
  version,
  total: 3490,
  currency: 'EUR',
  vendorOrders: [{ vendorId: 'v-aurora', status: 'PENDING' }],
});
const event = (overrides: Partial<StatusEvent> & { orderId: string }): StatusEvent => ({
  status: 'PAID',
  previousStatus: 'PAYMENT_PENDING',
  vendorId: null,
  vendorStatus: null,
  actor: 'SYSTEM',
  version: 3,
  at: '2026-12-01T20:00:00.000Z',
  ...overrides,
});

describe('the order board state', () => {
  it('moves a known order to the status of a newer event', () => {
    // Prepare
    const rows = rowsFromOrders([order('o-1', 'PAYMENT_PENDING', 2)]);
    // Act
    const next = applyEvent(rows, event({ orderId: 'o-1', status: 'PAID', version: 3 }));
    // Assess
    expect(next.map((r) => [r.orderId, r.status, r.version])).toEqual([['o-1', 'PAID', 3]]);
  });

  it('keeps the newer status when an older event arrives after it', () => {
    // Prepare: given the PAID event (version 3) already applied
    const rows = applyEvent(
      rowsFromOrders([order('o-1', 'PLACED', 1)]),
      event({ orderId: 'o-1', version: 3 }),
    );
    // Act: when the PAYMENT_PENDING event (version 2) arrives late, as an unordered bus may deliver it
    const next = applyEvent(rows, event({ orderId: 'o-1', status: 'PAYMENT_PENDING', version: 2 }));
    // Assess
    expect(next[0]?.status).toBe('PAID');
    expect(next[0]?.version).toBe(3);
  });

  it("sets a vendor part's status from an event about that part", () => {
    // Prepare
    const rows = rowsFromOrders([order('o-1', 'PAID', 3)]);
    // Act
    const next = applyEvent(
      rows,
      event({
        orderId: 'o-1',
        status: 'FULFILLING',
        vendorId: 'v-aurora',
        vendorStatus: 'ACCEPTED',
        version: 4,
      }),
    );
    // Assess
    expect(next[0]?.parts).toEqual({ 'v-aurora': 'ACCEPTED' });
    expect(next[0]?.status).toBe('FULFILLING');
  });

  it("shows a new order's parts as PENDING from its PLACED or PAID event, and keeps a part's own status", () => {
    // Prepare
    const seen: BoardRow[] = [{ orderId: 'o2', parts: { v1: 'ACCEPTED' }, version: 4 }];
    // Act
    const placed = applyEvent([], { orderId: 'o1', status: 'PLACED', vendorIds: ['v1', 'v2'], version: 1 });
    const paid = applyEvent(seen, { orderId: 'o2', status: 'PAID', vendorIds: ['v1', 'v2'], version: 3 });
    // Assess
    expect(placed[0]?.parts).toEqual({ v1: 'PENDING', v2: 'PENDING' });
    expect(paid[0]?.parts).toEqual({ v1: 'ACCEPTED', v2: 'PENDING' });
  });

  it('puts an order it has not seen on top, from the event alone', () => {
    // Prepare
    const rows: BoardRow[] = rowsFromVendorOrders([
      {
        orderId: 'o-old',
        vendorId: 'v-aurora',
        status: 'SHIPPED',
        subtotal: 100,
        currency: 'EUR',
        version: 9,
      },
    ]);
    // Act: an event with only the orderId, as a narrower per-audience event might be
    const next = applyEvent(rows, { orderId: 'o-new' });
    // Assess
    expect(next.map((r) => r.orderId)).toEqual(['o-new', 'o-old']);
    expect(next[0]?.status).toBeUndefined();
    expect(next[1]?.parts).toEqual({ 'v-aurora': 'SHIPPED' });
  });

  it('gives the same event heard on two subscriptions one key, and different changes different keys', () => {
    // Prepare
    const placed = event({ orderId: 'o-1', status: 'PLACED', version: 1 });
    // Act / Assess
    expect(eventKey({ ...placed })).toBe(eventKey(placed));
    expect(eventKey({ ...placed, vendorId: 'v-aurora', vendorStatus: 'PENDING' })).not.toBe(eventKey(placed));
  });

  it('puts a pushed new order on top with every part PENDING, and never undoes a newer status', () => {
    // Prepare: onOrderPlaced delivers the fields placeOrder selected, the others null
    const pushed = { id: 'o-new', status: 'PLACED', vendorIds: ['v-aurora', 'v-borealis'], version: 1 };
    const paidAlready = rowsFromOrders([order('o-old', 'PAID', 3)]);
    // Act
    const rows = applyPlacedOrder(paidAlready, { ...pushed, total: 5000, currency: 'EUR', createdAt: null });
    const late = applyPlacedOrder(
      applyEvent([], event({ orderId: 'o-new', status: 'PAID', version: 2 })),
      pushed,
    );
    // Assess
    expect(rows.map((r) => r.orderId)).toEqual(['o-new', 'o-old']);
    expect(rows[0]).toEqual({
      orderId: 'o-new',
      status: 'PLACED',
      parts: { 'v-aurora': 'PENDING', 'v-borealis': 'PENDING' },
      total: 5000,
      currency: 'EUR',
      version: 1,
    });
    expect(late[0]).toMatchObject({ orderId: 'o-new', status: 'PAID', version: 2 });
  });
});
