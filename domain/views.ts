import type { Caller } from './identity.js';
import type {
  ActorType,
  Address,
  Currency,
  Order,
  OrderLine,
  OrderStatus,
  Payment,
  PaymentMethod,
  PaymentStatus,
  StatusChange,
  Tracking,
  VendorOrder,
  VendorOrderStatus,
} from './generated/schema.js';

/**
 * The order item as it is stored, and the GraphQL views built from it; what each caller may see of an
 * order. DynamoDB bills every write by the item's size in 1 KB units (twice inside a transaction), so
 * the order item keeps nothing it can derive and no null: a vendor part holds only what the order needs
 * of it (its lines, subtotal, orderId, currency and createdAt come from the order), a history entry and
 * the payment only the attributes that are set, and the vendor ids and an empty refund list are not
 * stored at all. GraphQL answers null for a nullable field the view leaves null. Items written before
 * (with nulls and whole vendor parts) read the same. Resolver-safe: stays inside the APPSYNC_JS subset.
 */

/** A line as the order item stores it: its total is unitPrice × quantity (lineOf). */
export interface StoredLine {
  vendorId: string;
  productId: string;
  name: string;
  quantity: number;
  unitPrice: number;
  /** Only on items written before the total was derived. */
  lineTotal?: number | null;
}

/**
 * A vendor's part as the order item embeds it, the one copy of the part's state: what its moves change
 * (status, version, updatedAt, tracking once set); its lines, subtotal and times derive from the order
 * (vendorOrderView). `updatedAt` is absent until the part first moves (it is the order's createdAt until
 * then). The vendor's list entry (domain/keys.ts vendorOrderEntryKey) holds keys only.
 */
export interface StoredVendorPart {
  vendorId: string;
  status: VendorOrderStatus;
  version: number;
  updatedAt?: string | null;
  tracking?: Tracking | null;
}

/** A history entry as stored: an attribute that is null is left out. */
export interface StoredStatusChange {
  from?: OrderStatus | null;
  to: OrderStatus;
  vendorId?: string | null;
  vendorStatus?: VendorOrderStatus | null;
  actor: ActorType;
  actorId?: string | null;
  reason?: string | null;
  at: string;
}

/** The payment as stored on the order: its orderId and currency are the order's, nulls left out. */
export interface StoredPayment {
  amount: number;
  status: PaymentStatus;
  method?: PaymentMethod | null;
  attempts: number;
  failureReason?: string | null;
  refundedAmount: number;
  updatedAt: string;
}

/**
 * The order item (PK ORDER#id, SK ORDER), without its keys. `updatedAt` is absent until the order first
 * changes (it is createdAt until then); `payment` until the first processPayment; `refundedVendorIds`
 * until the first refund; `paymentKeys` and `paymentToken` belong to processPayment's calls.
 */
export interface StoredOrder {
  id: string;
  customerId: string;
  status: OrderStatus;
  lines: StoredLine[];
  vendorOrders: StoredVendorPart[];
  total: number;
  currency: string;
  shippingAddress: Omit<Address, '__typename' | 'line2'> & { line2?: string | null };
  payment?: StoredPayment | null;
  statusHistory: StoredStatusChange[];
  correlationId: string;
  createdAt: string;
  updatedAt?: string | null;
  version: number;
  refundedVendorIds?: string[] | null;
  paymentKeys?: Record<string, { request: string; attempt: number }> | null;
  paymentToken?: string | null;
}

/** A line as GraphQL returns it, its total derived. */
export function lineOf(line: StoredLine): OrderLine {
  return {
    vendorId: line.vendorId,
    productId: line.productId,
    name: line.name,
    quantity: line.quantity,
    unitPrice: line.unitPrice,
    lineTotal: line.unitPrice * line.quantity,
  };
}

/** The vendor ids of an order, in the order of its parts (first appearance in its lines). */
export function orderVendorIds(order: Pick<StoredOrder, 'vendorOrders'>): string[] {
  return order.vendorOrders.map((v) => v.vendorId);
}

/** One vendor's lines of an order, in order. */
export function vendorLines(order: Pick<StoredOrder, 'lines'>, vendorId: string): OrderLine[] {
  return order.lines.filter((l) => l.vendorId === vendorId).map((l) => lineOf(l));
}

/** One vendor's part of an order as GraphQL returns it (Order.vendorOrders, updateVendorOrderStatus). */
export function vendorOrderView(
  order: Pick<StoredOrder, 'id' | 'lines' | 'currency' | 'createdAt'>,
  part: StoredVendorPart,
): VendorOrder {
  const lines = vendorLines(order, part.vendorId);
  return {
    orderId: order.id,
    vendorId: part.vendorId,
    status: part.status,
    lines,
    subtotal: lines.reduce((t, l) => t + l.lineTotal, 0),
    currency: order.currency as Currency,
    tracking: part.tracking ?? null,
    createdAt: order.createdAt,
    updatedAt: part.updatedAt ?? order.createdAt,
    version: part.version,
  };
}

/** The order's payment as GraphQL returns it, or null before the first processPayment. */
export function paymentView(
  order: Pick<StoredOrder, 'id' | 'currency'>,
  payment: StoredPayment | null | undefined,
): Payment | null {
  if (!payment) return null;
  return {
    orderId: order.id,
    amount: payment.amount,
    currency: order.currency as Currency,
    status: payment.status,
    method: payment.method ?? null,
    attempts: payment.attempts,
    failureReason: payment.failureReason ?? null,
    refundedAmount: payment.refundedAmount,
    updatedAt: payment.updatedAt,
  };
}

/** An address as GraphQL returns it (a missing line2 is null), from the stored order or a request. */
export function addressView(a: StoredOrder['shippingAddress']): Address {
  return {
    name: a.name,
    line1: a.line1,
    line2: a.line2 ?? null,
    city: a.city,
    postalCode: a.postalCode,
    country: a.country,
  };
}

/** A history entry as GraphQL returns it. */
export function statusChangeView(entry: StoredStatusChange): StatusChange {
  return {
    from: entry.from ?? null,
    to: entry.to,
    vendorId: entry.vendorId ?? null,
    vendorStatus: entry.vendorStatus ?? null,
    actor: entry.actor,
    actorId: entry.actorId ?? null,
    reason: entry.reason ?? null,
    at: entry.at,
  };
}

/** The whole order as GraphQL returns it (for any caller: viewOrderFor then cuts what a caller sees). */
export function orderView(order: StoredOrder): Order {
  return {
    id: order.id,
    customerId: order.customerId,
    status: order.status,
    lines: order.lines.map((l) => lineOf(l)),
    vendorOrders: order.vendorOrders.map((v) => vendorOrderView(order, v)),
    vendorIds: orderVendorIds(order),
    total: order.total,
    currency: order.currency as Currency,
    shippingAddress: addressView(order.shippingAddress),
    payment: paymentView(order, order.payment),
    statusHistory: (order.statusHistory ?? []).map((e) => statusChangeView(e)),
    correlationId: order.correlationId,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt ?? order.createdAt,
    version: order.version,
  };
}

/**
 * The history a vendor may see: its own part's entries in full, and the order-level entries (no
 * vendorId) without who made them and why; another vendor's entries are left out.
 */
export function vendorHistory(history: readonly StatusChange[], vendorId: string): StatusChange[] {
  const seen: StatusChange[] = [];
  for (const entry of history) {
    const entryVendor = entry.vendorId ?? null;
    if (entryVendor === vendorId) seen.push(entry);
    else if (entryVendor === null) seen.push({ ...entry, actorId: null, reason: null });
  }
  return seen;
}

/** The order (its view, orderView) as the caller may see it, or null when the caller may not see it at all. */
export function viewOrderFor(order: Order, caller: Caller): Order | null {
  if (caller.kind === 'admin' || caller.kind === 'iam') return order;
  if (caller.kind === 'customer') return order.customerId === caller.id ? order : null;
  if (caller.kind === 'vendor' && caller.vendorId !== null) {
    const vendorId = caller.vendorId;
    if (!order.vendorIds.includes(vendorId)) return null;
    return {
      ...order,
      lines: order.lines.filter((l) => l.vendorId === vendorId),
      vendorOrders: order.vendorOrders.filter((v) => v.vendorId === vendorId),
      vendorIds: [vendorId],
      total: order.vendorOrders.filter((v) => v.vendorId === vendorId).reduce((t, v) => t + v.subtotal, 0),
      payment: null,
      statusHistory: vendorHistory(order.statusHistory ?? [], vendorId),
    };
  }
  return null;
}
