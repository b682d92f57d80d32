import type { ActorType, OrderStatus, VendorOrderStatus } from './generated/schema.js';
import type { StoredStatusChange } from './views.js';

/**
 * The order process as transition tables. Every status write is conditional on the expected status and
 * version, and checked against these tables, so a late, duplicate or out-of-order event never moves an
 * order backwards. Resolver-safe: stays inside the APPSYNC_JS subset.
 */

/** Who may make one edge of a transition table: the actors, by the to-status. */
export type Edges<S extends string> = Partial<Record<S, readonly ActorType[]>>;

/**
 * Which order statuses may follow each order status, and who may make each move. A vendor (or an admin
 * acting for one) moves the order only through its part: the order's status then follows from its vendor
 * orders (deriveOrderStatus), as the actor of that vendor-order move.
 */
export const ORDER_TRANSITIONS: Record<OrderStatus, Edges<OrderStatus>> = {
  PLACED: { PAYMENT_PENDING: ['CUSTOMER'], CANCELLED: ['CUSTOMER', 'ADMIN', 'SYSTEM'] },
  PAYMENT_PENDING: { PAID: ['SYSTEM'], PAYMENT_FAILED: ['SYSTEM'] },
  PAYMENT_FAILED: { PAYMENT_PENDING: ['CUSTOMER'], CANCELLED: ['CUSTOMER', 'ADMIN', 'SYSTEM'] },
  PAID: { FULFILLING: ['VENDOR', 'ADMIN'], CANCELLED: ['CUSTOMER', 'ADMIN', 'VENDOR'] },
  FULFILLING: {
    SHIPPED: ['VENDOR', 'ADMIN'],
    DELIVERED: ['VENDOR', 'ADMIN'],
    CANCELLED: ['VENDOR', 'ADMIN'],
  },
  SHIPPED: { DELIVERED: ['VENDOR', 'ADMIN'] },
  DELIVERED: { COMPLETED: ['SYSTEM'] },
  COMPLETED: {},
  CANCELLED: {},
};

/**
 * Which vendor-order statuses may follow each vendor-order status, and who may make each move. A
 * customer, an admin or the system cancels open vendor orders only by cancelling the whole order.
 */
export const VENDOR_ORDER_TRANSITIONS: Record<VendorOrderStatus, Edges<VendorOrderStatus>> = {
  PENDING: {
    ACCEPTED: ['VENDOR', 'ADMIN'],
    REJECTED: ['VENDOR', 'ADMIN'],
    CANCELLED: ['VENDOR', 'ADMIN', 'CUSTOMER', 'SYSTEM'],
  },
  ACCEPTED: { SHIPPED: ['VENDOR', 'ADMIN'], CANCELLED: ['VENDOR', 'ADMIN', 'CUSTOMER', 'SYSTEM'] },
  SHIPPED: { DELIVERED: ['VENDOR', 'ADMIN'] },
  DELIVERED: {},
  REJECTED: {},
  CANCELLED: {},
};

/** Statuses in which an order waits for a payment; the sweeper cancels such orders once they expire. */
export const UNPAID_STATUSES: readonly OrderStatus[] = ['PLACED', 'PAYMENT_FAILED'];

/** Order statuses in which vendors work on their parts. */
export const VENDOR_ACTIVE_ORDER_STATUSES: readonly OrderStatus[] = ['PAID', 'FULFILLING', 'SHIPPED'];

/** True when the table allows from → to, for this actor or (without one) for anyone. */
function allowed<S extends string>(edges: Edges<S>, to: S, actor?: ActorType): boolean {
  const actors = edges[to];
  if (!actors) return false;
  return actor === undefined || actors.includes(actor);
}

/** True when the order process allows from → to, for this actor or (without one) for anyone. */
export function canTransition(from: OrderStatus, to: OrderStatus, actor?: ActorType): boolean {
  return allowed(ORDER_TRANSITIONS[from], to, actor);
}

/** True when a vendor order may move from → to, for this actor or (without one) for anyone. */
export function canTransitionVendorOrder(
  from: VendorOrderStatus,
  to: VendorOrderStatus,
  actor?: ActorType,
): boolean {
  return allowed(VENDOR_ORDER_TRANSITIONS[from], to, actor);
}

/** The order statuses that may follow `from`, for anyone. */
export function nextOrderStatuses(from: OrderStatus): OrderStatus[] {
  return Object.keys(ORDER_TRANSITIONS[from]) as OrderStatus[];
}

/** The vendor-order statuses that may follow `from`, for anyone. */
export function nextVendorOrderStatuses(from: VendorOrderStatus): VendorOrderStatus[] {
  return Object.keys(VENDOR_ORDER_TRANSITIONS[from]) as VendorOrderStatus[];
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

/** One entry of an order's statusHistory, as stored (domain/views.ts statusChangeView is its view). */
export type StatusChangeRecord = StoredStatusChange;
