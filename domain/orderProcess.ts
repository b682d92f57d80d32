import type { OrderStatus, VendorOrderStatus, ActorType } from '../resolvers/generated/schema.js';

/**
 * The order process as transition tables. Every status write is conditional on the expected status and
 * version, and checked against these tables, so a late, duplicate or out-of-order event never moves an
 * order backwards. Resolver-safe: stays inside the APPSYNC_JS subset.
 */

/** Which order statuses may follow each order status. */
export const ORDER_TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  PLACED: ['PAYMENT_PENDING', 'CANCELLED'],
  PAYMENT_PENDING: ['PAID', 'PAYMENT_FAILED'],
  PAYMENT_FAILED: ['PAYMENT_PENDING', 'CANCELLED'],
  PAID: ['FULFILLING', 'CANCELLED'],
  FULFILLING: ['SHIPPED', 'DELIVERED', 'CANCELLED'],
  SHIPPED: ['DELIVERED'],
  DELIVERED: ['COMPLETED'],
  COMPLETED: [],
  CANCELLED: [],
};

/** Which vendor-order statuses may follow each vendor-order status. */
export const VENDOR_ORDER_TRANSITIONS: Record<VendorOrderStatus, readonly VendorOrderStatus[]> = {
  PENDING: ['ACCEPTED', 'REJECTED', 'CANCELLED'],
  ACCEPTED: ['SHIPPED', 'CANCELLED'],
  SHIPPED: ['DELIVERED'],
  DELIVERED: [],
  REJECTED: [],
  CANCELLED: [],
};

/** Statuses from which a customer or an admin may cancel an order. */
export const CANCELLABLE_STATUSES: readonly OrderStatus[] = ['PLACED', 'PAYMENT_FAILED', 'PAID'];

/** Statuses in which an order waits for a payment; the sweeper cancels such orders once they expire. */
export const UNPAID_STATUSES: readonly OrderStatus[] = ['PLACED', 'PAYMENT_FAILED'];

/** Order statuses in which vendors work on their parts. */
export const VENDOR_ACTIVE_ORDER_STATUSES: readonly OrderStatus[] = ['PAID', 'FULFILLING', 'SHIPPED'];

/** True when the order process allows from → to. */
export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS[from].includes(to);
}

/** True when a vendor order may move from → to. */
export function canTransitionVendorOrder(from: VendorOrderStatus, to: VendorOrderStatus): boolean {
  return VENDOR_ORDER_TRANSITIONS[from].includes(to);
}

/** True for a vendor-order status that no longer takes part in fulfilment. */
export function isVendorOrderClosed(status: VendorOrderStatus): boolean {
  return status === 'REJECTED' || status === 'CANCELLED';
}

/**
 * The parent order's status as it follows from its vendor orders, once the order is paid. Returns the
 * current status when the vendor orders do not move it.
 */
export function deriveOrderStatus(current: OrderStatus, vendorStatuses: VendorOrderStatus[]): OrderStatus {
  if (!VENDOR_ACTIVE_ORDER_STATUSES.includes(current)) return current;
  const active = vendorStatuses.filter((s) => s !== 'REJECTED' && s !== 'CANCELLED');
  if (active.length === 0) return 'CANCELLED';
  if (active.every((s) => s === 'DELIVERED')) return 'DELIVERED';
  if (active.every((s) => s === 'SHIPPED' || s === 'DELIVERED')) return 'SHIPPED';
  if (active.some((s) => s !== 'PENDING')) return current === 'PAID' ? 'FULFILLING' : current;
  return current;
}

/** One entry of an order's statusHistory. */
export interface StatusChangeRecord {
  from: OrderStatus | null;
  to: OrderStatus;
  vendorId: string | null;
  vendorStatus: VendorOrderStatus | null;
  actor: ActorType;
  actorId: string | null;
  reason: string | null;
  at: string;
}
