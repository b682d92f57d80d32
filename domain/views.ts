import type { Caller } from './identity.js';
import { customerPartition, orderKey, orderListKeys } from './keys.js';
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
 * stored at all. Nor does it repeat what its keys or its history say (orderItemOf, orderFromItem): its id
 * (PK), customer (GSI1PK) and creation time (GSISK), the placement entry, an entry's `from` (the entry
 * before's `to`), a customer's own id on its entries, the times its history gives, and a correlation id
 * that is the order id. Every reader goes through orderFromItem, which gives the whole StoredOrder, so
 * items written before (with nulls, whole vendor parts, every attribute) read the same. GraphQL answers
 * null for a nullable field the view leaves null. Resolver-safe: stays inside the APPSYNC_JS subset.
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
 * The whole order (PK ORDER#id, SK ORDER) as every reader uses it, from orderFromItem: the item stores
 * less (OrderItem). `updatedAt` is absent until the order first changes (it is createdAt until then);
 * `payment` until the first processPayment; `refundedVendorIds` until the first refund; `paymentKeys`
 * and `paymentToken` belong to processPayment's calls.
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

/**
 * The payment as the order item holds it (orderFromItem derives the rest): `amount` only when it is not
 * the order's total (processPayment charges the total), `updatedAt` only when the history does not say it.
 */
export type StoredPaymentItem = Omit<StoredPayment, 'amount' | 'updatedAt'> & {
  amount?: number | null;
  updatedAt?: string | null;
};

/**
 * The order item's attributes as the table holds them, in the shape orderItemOf writes or in any shape
 * written before (every attribute stored), with the keys it derives attributes from: PK (the id), GSI1PK
 * (the customer, orderListKeys) and GSISK (the creation time). A stream image and a GetItem both hold
 * them. Read it only through orderFromItem.
 */
export interface OrderItem extends Omit<
  StoredOrder,
  'id' | 'customerId' | 'createdAt' | 'correlationId' | 'statusHistory' | 'payment'
> {
  PK: string;
  GSI1PK?: string;
  GSISK?: string;
  entity?: string;
  id?: string;
  customerId?: string;
  createdAt?: string;
  correlationId?: string | null;
  statusHistory?: StoredStatusChange[] | null;
  payment?: StoredPaymentItem | null;
}

/** The order statuses a payment write moves an order to (processPayment, a charge result). */
const PAYMENT_MOVES: readonly OrderStatus[] = ['PAYMENT_PENDING', 'PAID', 'PAYMENT_FAILED'];

/**
 * When the order's payment last changed, as its history says: the time of its last payment move (each
 * payment write but a refund's makes one, at the same time). Null before the first.
 */
function paymentMoveAt(history: readonly StoredStatusChange[]): string | null {
  let at: string | null = null;
  for (const entry of history) if (PAYMENT_MOVES.includes(entry.to)) at = entry.at;
  return at;
}

/** Whether a stored entry is the placement entry (an item written before that entry was derived). */
function isPlacementEntry(entry: StoredStatusChange): boolean {
  return entry.to === 'PLACED' && !entry.from;
}

/** The first entry of every order's history: its customer placed it at its creation time. */
function placementEntry(customerId: string, createdAt: string): StoredStatusChange {
  return { to: 'PLACED', actor: 'CUSTOMER', at: createdAt, actorId: customerId };
}

/**
 * One stored history entry in full: without `from`, it moved from the entry before's `to`; a customer's
 * entry without `actorId` was made by the order's customer (only an order's customer acts as CUSTOMER:
 * placeOrder, processPayment and cancelOrder check it).
 */
function entryFromItem(
  entry: StoredStatusChange,
  previous: StoredStatusChange | null,
  customerId: string,
): StoredStatusChange {
  const full: StoredStatusChange = { ...entry };
  if (!full.from && previous) full.from = previous.to;
  if (full.actor === 'CUSTOMER' && !full.actorId) full.actorId = customerId;
  return full;
}

/**
 * A history entry as the order item stores it after an entry whose `to` is `previousTo`: without what
 * entryFromItem derives (its `from` when it is previousTo, the customer's own id) and without null.
 * Every writer that appends entries stores them through it (domain/writes.ts orderStatusChange).
 */
export function storedEntryOf(
  entry: StoredStatusChange,
  previousTo: OrderStatus | null,
  customerId: string,
): StoredStatusChange {
  const stored: StoredStatusChange = { to: entry.to, actor: entry.actor, at: entry.at };
  if (entry.from && entry.from !== previousTo) stored.from = entry.from;
  if (entry.vendorId) stored.vendorId = entry.vendorId;
  if (entry.vendorStatus) stored.vendorStatus = entry.vendorStatus;
  if (entry.actorId && !(entry.actor === 'CUSTOMER' && entry.actorId === customerId))
    stored.actorId = entry.actorId;
  if (entry.reason !== undefined && entry.reason !== null) stored.reason = entry.reason;
  return stored;
}

/**
 * The payment as the order item stores it, for an order of `total` whose last payment move is at
 * `movedAt`: without its amount when that is the total, nor its updatedAt when that is the move's time
 * (orderFromItem gives both back), as a payment write with a status change stores it; a refund, which
 * moves no status, keeps its own time.
 */
export function storedPaymentOf(
  payment: StoredPayment,
  total: number,
  movedAt: string | null,
): StoredPaymentItem {
  const stored: StoredPaymentItem = {
    status: payment.status,
    attempts: payment.attempts,
    refundedAmount: payment.refundedAmount,
  };
  if (payment.amount !== total) stored.amount = payment.amount;
  if (payment.method) stored.method = payment.method;
  if (payment.failureReason) stored.failureReason = payment.failureReason;
  if (payment.updatedAt !== movedAt) stored.updatedAt = payment.updatedAt;
  return stored;
}

/**
 * The whole history from the stored entries: the placement entry when the item leaves it out, and each
 * entry with what entryFromItem derives from the one before it. Its own function, which hands the array
 * back whole, so the local runtime proves the code halts (local/appsync/runtime/bounded.ts).
 */
function historyFromItem(
  stored: readonly StoredStatusChange[],
  customerId: string,
  createdAt: string,
): StoredStatusChange[] {
  const history: StoredStatusChange[] = [];
  let last: StoredStatusChange | null = null;
  const first = stored[0];
  if (!(first && isPlacementEntry(first))) {
    last = placementEntry(customerId, createdAt);
    history.push(last);
  }
  for (const entry of stored) {
    const full = entryFromItem(entry, last, customerId);
    history.push(full);
    last = full;
  }
  return history;
}

/**
 * The whole order from its item as stored, in any shape (OrderItem): what the item leaves out comes from
 * its keys (id, customer, creation time), its history (the placement entry, each entry's `from`, a
 * customer's id, the order's and the payment's updatedAt) and its total (the payment's amount), and a
 * correlation id not stored is the order id (placeOrder's default). Every reader of an order item or a stream image of one goes through it.
 */
export function orderFromItem(item: OrderItem): StoredOrder {
  const id = item.id ?? item.PK.slice(orderKey('').PK.length);
  const customerId = item.customerId ?? (item.GSI1PK ?? '').slice(customerPartition('').length);
  const createdAt = item.createdAt ?? (item.GSISK ?? '').split('#')[0] ?? '';
  const stored = item.statusHistory ?? [];
  const history = historyFromItem(stored, customerId, createdAt);
  let lastAt = createdAt;
  for (const entry of history) lastAt = entry.at;
  const order: StoredOrder = {
    id,
    customerId,
    status: item.status,
    lines: item.lines,
    vendorOrders: item.vendorOrders,
    total: item.total,
    currency: item.currency,
    shippingAddress: item.shippingAddress,
    statusHistory: history,
    correlationId: item.correlationId ? item.correlationId : id,
    createdAt,
    updatedAt: item.updatedAt ? item.updatedAt : lastAt,
    version: item.version,
  };
  const payment = item.payment;
  if (payment) {
    const amount = typeof payment.amount === 'number' ? payment.amount : item.total;
    const updatedAt = payment.updatedAt ? payment.updatedAt : (paymentMoveAt(history) ?? lastAt);
    order.payment = { ...payment, amount, updatedAt };
  }
  if (item.refundedVendorIds) order.refundedVendorIds = item.refundedVendorIds;
  if (item.paymentKeys) order.paymentKeys = item.paymentKeys;
  if (item.paymentToken) order.paymentToken = item.paymentToken;
  return order;
}

/** An order item as a reader gets it (GetItem, a list's BatchGetItem): the whole order, or null. */
export function orderFromItemOrNull(item: OrderItem | null | undefined): StoredOrder | null {
  return item ? orderFromItem(item) : null;
}

/**
 * The item of an order as a PutItem writes it, without its key (orderKey): its list keys (which hold
 * its id, customer and creation time, domain/keys.ts orderListKeys) and the attributes orderFromItem
 * cannot derive, nothing else (no null, no empty list, no placement entry).
 */
export function orderItemOf(order: StoredOrder): Omit<OrderItem, 'PK'> {
  const item: Omit<OrderItem, 'PK'> = {
    entity: 'ORDER',
    ...orderListKeys(order.id, order.customerId, order.status, order.createdAt),
    status: order.status,
    lines: order.lines,
    vendorOrders: order.vendorOrders,
    total: order.total,
    currency: order.currency,
    shippingAddress: order.shippingAddress,
    version: order.version,
  };
  const entries: StoredStatusChange[] = [];
  let previousTo: OrderStatus | null = null;
  for (const entry of order.statusHistory) {
    const derived =
      previousTo === null &&
      isPlacementEntry(entry) &&
      entry.actor === 'CUSTOMER' &&
      entry.actorId === order.customerId &&
      entry.at === order.createdAt &&
      !entry.reason;
    if (!derived) entries.push(storedEntryOf(entry, previousTo, order.customerId));
    previousTo = entry.to;
  }
  if (entries.length > 0) item.statusHistory = entries;
  const last = order.statusHistory[order.statusHistory.length - 1];
  const lastAt = last ? last.at : order.createdAt;
  if (order.updatedAt && order.updatedAt !== lastAt) item.updatedAt = order.updatedAt;
  if (order.correlationId !== order.id) item.correlationId = order.correlationId;
  if (order.payment)
    item.payment = storedPaymentOf(order.payment, order.total, paymentMoveAt(order.statusHistory));
  if (order.refundedVendorIds && order.refundedVendorIds.length > 0)
    item.refundedVendorIds = order.refundedVendorIds;
  if (order.paymentKeys) item.paymentKeys = order.paymentKeys;
  if (order.paymentToken) item.paymentToken = order.paymentToken;
  return item;
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
