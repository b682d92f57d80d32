/**
 * The order board's state: rows from the first list query, changed by each status event. Only
 * `orderId` is required of an event; every other field of OrderStatusEvent is used when present, so a
 * narrower per-audience event shape still moves the board.
 */

/** One order on the board. */
export interface BoardRow {
  readonly orderId: string;
  /** The order's status, when the caller may see it. */
  readonly status?: string;
  /** Each vendor part's status, by vendor id. */
  readonly parts: Readonly<Record<string, string>>;
  readonly total?: number;
  readonly currency?: string;
  readonly createdAt?: string;
  /** The order version of the newest change applied, so an older event never undoes a newer one. */
  readonly version: number;
}

/** A status event as subscriptions deliver it (OrderStatusEvent in schema.graphql); all but orderId optional. */
export interface StatusEvent {
  readonly orderId: string;
  readonly status?: string | null;
  readonly previousStatus?: string | null;
  readonly vendorId?: string | null;
  readonly vendorStatus?: string | null;
  /** The vendors of the order the caller may see (a vendor: itself only). */
  readonly vendorIds?: readonly string[] | null;
  readonly actor?: string | null;
  readonly reason?: string | null;
  readonly version?: number | null;
  readonly at?: string | null;
}

/** An order as `myOrders` and `orders` list it. */
export interface ListedOrder {
  readonly id: string;
  readonly status?: string;
  readonly total?: number;
  readonly currency?: string;
  readonly createdAt?: string;
  readonly version?: number;
  readonly vendorOrders?: readonly { vendorId: string; status: string }[];
}

/** A vendor part as `vendorOrders` lists it. */
export interface ListedVendorOrder {
  readonly orderId: string;
  readonly vendorId: string;
  readonly status: string;
  readonly subtotal?: number;
  readonly currency?: string;
  readonly createdAt?: string;
  readonly version?: number;
}

/** Board rows from a list of orders, in the list's order (newest first). */
export function rowsFromOrders(orders: readonly ListedOrder[]): BoardRow[] {
  return orders.map((o) => ({
    orderId: o.id,
    ...(o.status ? { status: o.status } : {}),
    parts: Object.fromEntries((o.vendorOrders ?? []).map((p) => [p.vendorId, p.status])),
    ...(o.total !== undefined ? { total: o.total } : {}),
    ...(o.currency ? { currency: o.currency } : {}),
    ...(o.createdAt ? { createdAt: o.createdAt } : {}),
    version: o.version ?? 0,
  }));
}

/** Board rows from a vendor's parts: the order status is unknown until an event tells it. */
export function rowsFromVendorOrders(parts: readonly ListedVendorOrder[]): BoardRow[] {
  return parts.map((p) => ({
    orderId: p.orderId,
    parts: { [p.vendorId]: p.status },
    ...(p.subtotal !== undefined ? { total: p.subtotal } : {}),
    ...(p.currency ? { currency: p.currency } : {}),
    ...(p.createdAt ? { createdAt: p.createdAt } : {}),
    version: p.version ?? 0,
  }));
}

/**
 * The board after one event: a new order goes on top; a known one takes the event's order status unless
 * it already shows a newer version, and a vendor part takes its status from an event about that part.
 */
export function applyEvent(rows: readonly BoardRow[], event: StatusEvent): BoardRow[] {
  const index = rows.findIndex((r) => r.orderId === event.orderId);
  const row: BoardRow = rows[index] ?? { orderId: event.orderId, parts: {}, version: -1 };
  const version = event.version ?? row.version;
  const newer = version >= row.version;
  // A part is PENDING from placement until its own first event (ACCEPTED, REJECTED, CANCELLED), which is
  // not pushed on its own: at PLACED and PAID every part of the event's vendorIds is still PENDING.
  const pending =
    !event.vendorId && (event.status === 'PLACED' || event.status === 'PAID')
      ? Object.fromEntries((event.vendorIds ?? []).map((v) => [v, 'PENDING']))
      : {};
  const known = { ...pending, ...row.parts };
  const parts =
    event.vendorId && event.vendorStatus ? { ...known, [event.vendorId]: event.vendorStatus } : known;
  const next: BoardRow = {
    ...row,
    ...(newer && event.status ? { status: event.status } : {}),
    parts,
    version: Math.max(version, row.version),
  };
  return index < 0 ? [next, ...rows] : rows.map((r, i) => (i === index ? next : r));
}

/** A new order as onOrderPlaced delivers it: the fields placeOrder selected, the others null. */
export interface PlacedOrder {
  readonly id: string;
  readonly status?: string | null;
  readonly vendorIds?: readonly string[] | null;
  readonly total?: number | null;
  readonly currency?: string | null;
  readonly createdAt?: string | null;
  readonly version?: number | null;
}

/** The status event a placed order means for the board (PLACED, every part PENDING). */
export function placedEventOf(order: PlacedOrder): StatusEvent {
  return {
    orderId: order.id,
    status: order.status ?? null,
    vendorIds: order.vendorIds ?? null,
    version: order.version ?? null,
    at: order.createdAt ?? null,
  };
}

/** The board after a new order was pushed: its row (on top when new), with total and time when sent. */
export function applyPlacedOrder(rows: readonly BoardRow[], order: PlacedOrder): BoardRow[] {
  return applyEvent(rows, placedEventOf(order)).map((row) =>
    row.orderId !== order.id
      ? row
      : {
          ...row,
          ...(row.total === undefined && typeof order.total === 'number' ? { total: order.total } : {}),
          ...(row.currency === undefined && order.currency ? { currency: order.currency } : {}),
          ...(row.createdAt === undefined && order.createdAt ? { createdAt: order.createdAt } : {}),
        },
  );
}

/** Whether two deliveries are the same event (an admin hears a two-vendor order on two subscriptions). */
export function eventKey(event: StatusEvent): string {
  return [event.orderId, event.version, event.status, event.vendorId, event.vendorStatus, event.at].join('|');
}
