import type { Caller } from './identity.js';
import type { Order, StatusChange } from './generated/schema.js';

/**
 * What each caller may see of an order. Resolver-safe: stays inside the APPSYNC_JS subset.
 */

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

/** The order as the caller may see it, or null when the caller may not see it at all. */
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
