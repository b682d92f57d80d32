import type { ActorType, OrderStatus, VendorOrderStatus } from './generated/schema.js';
import { businessError, type BusinessErrorOf } from './errors.js';
import { orderKey } from './keys.js';
import { historyEntry } from './order.js';
import {
  canTransition,
  canTransitionVendorOrder,
  deriveOrderStatus,
  isVendorOrderClosed,
  VENDOR_ACTIVE_ORDER_STATUSES,
  type StatusChangeRecord,
} from './orderProcess.js';
import { embeddedVendorStatus, emptyUpdate, orderStatusChange, type UpdateParts } from './writes.js';

/**
 * The one path for every order and vendor-order status change (Vendure's OrderStateMachine): it checks
 * the transition tables in orderProcess.ts and returns the conditional update plus the history entry.
 * The order item is the one copy of its vendor parts' state (a vendor's list entry holds only keys,
 * domain/keys.ts vendorOrderEntryKey), so every change, a vendor's move or a cancellation that closes
 * the open parts, is ONE conditional UpdateItem of the order item: no transaction (one of a single item
 * costs twice). Resolver steps and Lambda consumers only send what it returns (resolvers/lib/transact.ts,
 * the sweeper); nothing else writes a status. Resolver-safe: stays inside the APPSYNC_JS subset.
 */

/** What a status change reads of a vendor order (the order item's embedded part, domain/views.ts). */
export interface VendorOrderState {
  vendorId: string;
  status: VendorOrderStatus;
  version: number;
  updatedAt?: string | null;
  tracking?: unknown;
}

/** What a status change reads of an order: the whole order (domain/views.ts StoredOrder, orderFromItem). */
export interface OrderState<V extends VendorOrderState = VendorOrderState> {
  id: string;
  customerId: string;
  status: OrderStatus;
  version: number;
  updatedAt?: string | null;
  statusHistory: StatusChangeRecord[];
  vendorOrders: V[];
}

/** The vendor-order type of an order type. */
type VendorOrderOf<O extends OrderState> = O['vendorOrders'][number];

/** Who makes a change: the actor type the tables name, and the user's id (null for the system). */
export interface Actor {
  type: ActorType;
  id: string | null;
}

/** One item's conditional update. */
export interface ItemUpdate {
  key: { PK: string; SK: string };
  parts: UpdateParts;
}

/** A checked order status change: the order as it is after it, its history entry, and the write. */
export interface OrderChange<O> {
  order: O;
  entry: StatusChangeRecord;
  /**
   * The order item's conditional update, the change's only write (its embedded parts included), to which
   * a writer adds its own clauses (the payment it records).
   */
  orderUpdate: ItemUpdate;
}

/** A checked vendor-order status change: the vendor order after it, plus the order change it makes. */
export interface VendorOrderChange<O, V> extends OrderChange<O> {
  vendorOrder: V;
}

/** Why a status change is refused. */
export type TransitionError = BusinessErrorOf<'InvalidTransition'> | BusinessErrorOf<'NotFound'>;

/** A status change, or why it is refused (a business error, never an exception). */
export type Transition<C> = { ok: true; change: C } | { ok: false; error: TransitionError };

function refused(message: string, from: string, to: string): { ok: false; error: TransitionError } {
  return { ok: false, error: businessError('InvalidTransition', message, { from, to }) };
}

function orderRefusal(orderId: string, from: OrderStatus, to: OrderStatus): string {
  if (to === 'CANCELLED') return `Order ${orderId} is ${from} and cannot be cancelled`;
  if (to === 'PAYMENT_PENDING') return `Order ${orderId} is ${from} and cannot be paid`;
  return `Order ${orderId} cannot move from ${from} to ${to}`;
}

/**
 * Moves an order to `to` as `actor`: checked against ORDER_TRANSITIONS, conditional on the status and
 * version read. Cancelling also cancels every vendor order still open (each checked against
 * VENDOR_ORDER_TRANSITIONS), on the order item in the same write.
 */
export function transition<O extends OrderState>(
  order: O,
  to: OrderStatus,
  actor: Actor,
  now: string,
  extra: { reason?: string | null } = {},
): Transition<OrderChange<O>> {
  type V = VendorOrderOf<O>;
  if (!canTransition(order.status, to, actor.type)) {
    return refused(orderRefusal(order.id, order.status, to), order.status, to);
  }
  const reason = extra.reason ?? null;
  const entry = historyEntry(order.status, to, actor.type, actor.id, now, { reason });
  const parts = orderStatusChange(emptyUpdate(), order, to, [entry]);
  const orderUpdate: ItemUpdate = { key: orderKey(order.id), parts };
  const vendorOrders: V[] = [];
  let refusal: { ok: false; error: TransitionError } | null = null;
  let index = 0;
  for (const vo of order.vendorOrders) {
    const i = index;
    index = index + 1;
    if (to !== 'CANCELLED' || isVendorOrderClosed(vo.status)) {
      vendorOrders.push(vo);
    } else if (!canTransitionVendorOrder(vo.status, 'CANCELLED', actor.type)) {
      refusal = refused(
        `Vendor order ${order.id}/${vo.vendorId} is ${vo.status} and cannot be cancelled`,
        vo.status,
        'CANCELLED',
      );
      break;
    } else {
      embeddedVendorStatus(parts, i, 'CANCELLED', now);
      vendorOrders.push({ ...vo, status: 'CANCELLED', updatedAt: now, version: vo.version + 1 });
    }
  }
  if (refusal) return refusal;
  const updated: O = {
    ...order,
    status: to,
    vendorOrders,
    statusHistory: [...order.statusHistory, entry],
    updatedAt: now,
    version: order.version + 1,
  };
  return { ok: true, change: { order: updated, entry, orderUpdate } };
}

/**
 * Moves one vendor's part to `to` as `actor`, and the order to the status that follows from all its
 * vendor orders (deriveOrderStatus): both checked against the tables, only while vendors work on the
 * order (VENDOR_ACTIVE_ORDER_STATUSES), in one update of the order item conditional on what was read.
 */
export function transitionVendorOrder<O extends OrderState>(
  order: O,
  vendorId: string,
  to: VendorOrderStatus,
  actor: Actor,
  now: string,
  extra: { reason?: string | null; tracking?: VendorOrderOf<O>['tracking'] } = {},
): Transition<VendorOrderChange<O, VendorOrderOf<O>>> {
  type V = VendorOrderOf<O>;
  const index = order.vendorOrders.findIndex((v) => v.vendorId === vendorId);
  const vo = order.vendorOrders[index];
  if (!vo) {
    return {
      ok: false,
      error: businessError('NotFound', `Order ${order.id} has no part for vendor ${vendorId}`, null),
    };
  }
  if (
    !VENDOR_ACTIVE_ORDER_STATUSES.includes(order.status) ||
    !canTransitionVendorOrder(vo.status, to, actor.type)
  ) {
    return refused(
      `Vendor order ${order.id}/${vo.vendorId} is ${vo.status} (order ${order.status}) and cannot become ${to}`,
      vo.status,
      to,
    );
  }
  const statuses = order.vendorOrders.map((v) => (v.vendorId === vendorId ? to : v.status));
  const derived = deriveOrderStatus(order.status, statuses);
  if (derived !== order.status && !canTransition(order.status, derived, actor.type)) {
    return refused(orderRefusal(order.id, order.status, derived), order.status, derived);
  }
  const reason = extra.reason ?? null;
  const tracking = extra.tracking;
  const entry = historyEntry(order.status, derived, actor.type, actor.id, now, {
    vendorId,
    vendorStatus: to,
    reason,
  });
  const parts = embeddedVendorStatus(
    orderStatusChange(emptyUpdate(), order, derived, [entry]),
    index,
    to,
    now,
    { tracking },
  );
  const orderUpdate: ItemUpdate = { key: orderKey(order.id), parts };
  // As the order item holds it after the write: tracking only once set.
  const vendorOrder: V = { ...vo, status: to, updatedAt: now, version: vo.version + 1 };
  if (tracking !== undefined) vendorOrder.tracking = tracking;
  const updated: O = {
    ...order,
    status: derived,
    vendorOrders: order.vendorOrders.map((v) => (v.vendorId === vendorId ? vendorOrder : v)),
    statusHistory: [...order.statusHistory, entry],
    updatedAt: now,
    version: order.version + 1,
  };
  return {
    ok: true,
    change: {
      order: updated,
      vendorOrder,
      entry,
      orderUpdate,
    },
  };
}
