import {
  MAX_ADDRESS_LINE_LENGTH,
  MAX_COUNTRY_LENGTH,
  MAX_ID_LENGTH,
  MAX_INT,
  MAX_LINES,
  MAX_NAME_LENGTH,
  MAX_QUANTITY,
  MAX_VENDORS,
  MAX_POSTAL_CODE_LENGTH,
  tooLong,
} from './limits.js';
import { isCurrency, sum } from './money.js';
import { splitByVendor, type PricedLine, type VendorPart } from './split.js';
import type { OrderStatus, PlaceOrderInput, VendorOrderStatus } from './generated/schema.js';
import type { StatusChangeRecord } from './orderProcess.js';
import { addressView, type StoredLine, type StoredOrder, type StoredVendorPart } from './views.js';

/**
 * Placing an order: input rules, pricing from the catalog, the stock check, and the items one order
 * writes. Resolver-safe: stays inside the APPSYNC_JS subset.
 */

export { MAX_LINES, MAX_QUANTITY, MAX_VENDORS } from './limits.js';
/** DynamoDB's TransactWriteItems limit, which AppSync applies as is. */
export const MAX_TRANSACT_ITEMS = 100;

/** A rule the input breaks: errorInfo of a ValidationError. */
export interface Violation {
  field: string;
  reason: string;
}

/** A product as the catalog stores it. */
export interface CatalogProduct {
  vendorId: string;
  productId: string;
  name: string;
  price: number;
  currency: string;
  available: number;
  reserved: number;
}

/** One product that cannot be reserved: an entry of OutOfStock's errorInfo.products. */
export interface StockShortage {
  vendorId: string;
  productId: string;
  requested: number;
  available: number;
}

/** A product by its catalog identity: an entry of ConcurrentModification's errorInfo.products. */
export interface ProductRef {
  vendorId: string;
  productId: string;
}

/** The catalog's identity of a product, used to match lines to products. */
export function productRef(vendorId: string, productId: string): string {
  return `${vendorId}/${productId}`;
}

/** The distinct vendors of some lines, in first-appearance order. */
export function vendorIdsOf(lines: readonly { vendorId: string }[]): string[] {
  const ids: string[] = [];
  for (const line of lines) if (!ids.includes(line.vendorId)) ids.push(line.vendorId);
  return ids;
}

/** Checks the input rules; the first broken rule, or null. */
export function validatePlaceOrder(input: PlaceOrderInput): Violation | null {
  const lines = input.lines;
  if (lines.length < 1 || lines.length > MAX_LINES) {
    return { field: 'lines', reason: `an order holds 1 to ${MAX_LINES} lines, received ${lines.length}` };
  }
  const seen: string[] = [];
  for (const line of lines) {
    const ref = productRef(line.vendorId, line.productId);
    if (line.vendorId.trim() === '' || line.productId.trim() === '') {
      return { field: 'lines', reason: 'vendorId and productId must not be empty' };
    }
    const long = tooLong([
      ['lines.vendorId', line.vendorId, MAX_ID_LENGTH],
      ['lines.productId', line.productId, MAX_ID_LENGTH],
    ]);
    if (long) return long;
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_QUANTITY) {
      return {
        field: 'lines.quantity',
        reason: `quantity must be 1 to ${MAX_QUANTITY}, received ${line.quantity} for ${ref}`,
      };
    }
    if (seen.includes(ref)) return { field: 'lines', reason: `product ${ref} appears in more than one line` };
    seen.push(ref);
  }
  // One transaction writes the order, each vendor's list entry and each product: at most
  // 1 + MAX_VENDORS + MAX_LINES = 60 items, within TransactWriteItems' 100 (MAX_TRANSACT_ITEMS).
  const vendors = vendorIdsOf(lines).length;
  if (vendors > MAX_VENDORS) {
    return {
      field: 'lines',
      reason: `an order holds lines of at most ${MAX_VENDORS} vendors, received ${vendors}`,
    };
  }
  const address = input.shippingAddress;
  const required: [string, string][] = [
    ['name', address.name],
    ['line1', address.line1],
    ['city', address.city],
    ['postalCode', address.postalCode],
    ['country', address.country],
  ];
  for (const [name, value] of required) {
    if (value.trim() === '') {
      return { field: `shippingAddress.${name}`, reason: `shippingAddress.${name} must not be empty` };
    }
  }
  return tooLong([
    ['shippingAddress.name', address.name, MAX_NAME_LENGTH],
    ['shippingAddress.line1', address.line1, MAX_ADDRESS_LINE_LENGTH],
    ['shippingAddress.line2', address.line2, MAX_ADDRESS_LINE_LENGTH],
    ['shippingAddress.city', address.city, MAX_ADDRESS_LINE_LENGTH],
    ['shippingAddress.postalCode', address.postalCode, MAX_POSTAL_CODE_LENGTH],
    ['shippingAddress.country', address.country, MAX_COUNTRY_LENGTH],
  ]);
}

/**
 * The request as a canonical string, so a replay with the same payload is recognised whatever the line
 * order. Keys are written in a fixed order; no generic deep sort is needed. It takes a request or the
 * order placed from one (its lines and address as stored, which is how placeOrder compares a replay with
 * the order its key placed): an empty line2 is not stored, so it reads as none.
 */
export function canonicalOrderRequest(input: {
  lines: { vendorId: string; productId: string; quantity: number }[];
  shippingAddress: StoredOrder['shippingAddress'];
}): string {
  // Each line as its own JSON string, sorted: the default string sort needs no comparator function.
  const lines = input.lines
    .map((l) => JSON.stringify({ vendorId: l.vendorId, productId: l.productId, quantity: l.quantity }))
    .sort();
  const a = input.shippingAddress;
  const shippingAddress = { ...addressView(a), line2: a.line2 ? a.line2 : null };
  return JSON.stringify({ lines, shippingAddress });
}

/** The outcome of pricing lines against the catalog. */
export type Pricing =
  | { kind: 'priced'; lines: PricedLine[]; currency: string; shortages: StockShortage[] }
  | { kind: 'missing'; vendorId: string; productId: string }
  | { kind: 'invalid'; violation: Violation };

/**
 * Prices each line from the catalog (never from the client), checks one currency per order, and lists
 * every product whose available stock is below the requested quantity.
 */
export function priceLines(
  requested: readonly { vendorId: string; productId: string; quantity: number }[],
  products: readonly (CatalogProduct | null)[],
): Pricing {
  const byRef: Record<string, CatalogProduct> = {};
  for (const p of products) if (p) byRef[productRef(p.vendorId, p.productId)] = p;
  const lines: PricedLine[] = [];
  const shortages: StockShortage[] = [];
  let currency = '';
  for (const line of requested) {
    const product = byRef[productRef(line.vendorId, line.productId)];
    if (!product) return { kind: 'missing', vendorId: line.vendorId, productId: line.productId };
    if (!isCurrency(product.currency)) {
      return {
        kind: 'invalid',
        violation: { field: 'lines', reason: `product ${line.productId} has no valid currency` },
      };
    }
    if (currency !== '' && product.currency !== currency) {
      return {
        kind: 'invalid',
        violation: {
          field: 'lines',
          reason: `an order is paid in one currency; ${product.productId} is in ${product.currency}, not ${currency}`,
        },
      };
    }
    currency = product.currency;
    if (product.available < line.quantity) {
      shortages.push({
        vendorId: line.vendorId,
        productId: line.productId,
        requested: line.quantity,
        available: product.available,
      });
    }
    const lineTotal = product.price * line.quantity;
    // A price written before the limits existed can still make a line the API cannot return.
    if (lineTotal > MAX_INT) {
      return {
        kind: 'invalid',
        violation: {
          field: 'lines.quantity',
          reason: `the line total of ${line.productId} would be ${lineTotal}, above the largest amount ${MAX_INT}`,
        },
      };
    }
    lines.push({
      vendorId: line.vendorId,
      productId: line.productId,
      name: product.name,
      quantity: line.quantity,
      unitPrice: product.price,
      lineTotal,
    });
  }
  const total = sum(lines.map((l) => l.lineTotal));
  if (total > MAX_INT) {
    return {
      kind: 'invalid',
      violation: {
        field: 'lines',
        reason: `the order total would be ${total}, above the largest amount ${MAX_INT}; split the order`,
      },
    };
  }
  return { kind: 'priced', lines, currency, shortages };
}

/** A history entry for the order's statusHistory, as stored: an attribute that is null is left out. */
export function historyEntry(
  from: OrderStatus | null,
  to: OrderStatus,
  actor: StatusChangeRecord['actor'],
  actorId: string | null,
  at: string,
  extra: { vendorId?: string | null; vendorStatus?: VendorOrderStatus | null; reason?: string | null } = {},
): StatusChangeRecord {
  const entry: StatusChangeRecord = { to, actor, at };
  if (from !== null) entry.from = from;
  if (extra.vendorId) entry.vendorId = extra.vendorId;
  if (extra.vendorStatus) entry.vendorStatus = extra.vendorStatus;
  if (actorId !== null) entry.actorId = actorId;
  if (extra.reason !== undefined && extra.reason !== null) entry.reason = extra.reason;
  return entry;
}

/**
 * A vendor's part as the order item embeds it at placement (domain/views.ts StoredVendorPart): its lines,
 * subtotal and times are the order's until the part moves.
 */
export function embeddedPartOf(part: VendorPart): StoredVendorPart {
  return { vendorId: part.vendorId, status: 'PENDING', version: 1 };
}

/**
 * The order item of a new order (without its keys), as stored: nothing it can derive (a line's total,
 * the vendor ids, a part's lines and times), no null, no empty list (domain/views.ts).
 */
export function newOrderItem(o: {
  id: string;
  customerId: string;
  lines: readonly PricedLine[];
  currency: string;
  shippingAddress: StoredOrder['shippingAddress'];
  correlationId: string;
  now: string;
}): StoredOrder {
  const totals = orderTotals(o.lines);
  const a = o.shippingAddress;
  const shippingAddress: StoredOrder['shippingAddress'] = {
    name: a.name,
    line1: a.line1,
    city: a.city,
    postalCode: a.postalCode,
    country: a.country,
  };
  if (a.line2) shippingAddress.line2 = a.line2;
  const lines: StoredLine[] = [];
  for (const l of o.lines) {
    lines.push({
      vendorId: l.vendorId,
      productId: l.productId,
      name: l.name,
      quantity: l.quantity,
      unitPrice: l.unitPrice,
    });
  }
  return {
    id: o.id,
    customerId: o.customerId,
    status: 'PLACED',
    lines,
    vendorOrders: totals.parts.map((p) => embeddedPartOf(p)),
    total: totals.total,
    currency: o.currency,
    shippingAddress,
    statusHistory: [historyEntry(null, 'PLACED', 'CUSTOMER', o.customerId, o.now)],
    correlationId: o.correlationId,
    createdAt: o.now,
    version: 1,
  };
}

/** The totals of an order: the vendor subtotals always add up to the order total. */
export function orderTotals(lines: readonly PricedLine[]): { parts: VendorPart[]; total: number } {
  const parts = splitByVendor(lines);
  return { parts, total: sum(parts.map((p) => p.subtotal)) };
}

/** Why one product's stock move cancelled the order's transaction, judged from the item as it is now. */
export type StockMoveFailure =
  { kind: 'short'; shortage: StockShortage } | { kind: 'changed'; product: ProductRef };

/**
 * Judges a stock move whose condition failed from the product's current item (null: it is gone): short
 * when the item lacks the stock, else changed since the order priced it (price, name or currency; the
 * vendor is part of the product's key). The item comes from the failed condition itself, so it is the
 * product as the transaction saw it, not as a possibly stale read did.
 */
export function stockMoveFailure(
  line: PricedLine,
  current: Pick<CatalogProduct, 'available'> | null,
): StockMoveFailure {
  const available = current ? current.available : 0;
  if (available < line.quantity) {
    return {
      kind: 'short',
      shortage: { vendorId: line.vendorId, productId: line.productId, requested: line.quantity, available },
    };
  }
  return { kind: 'changed', product: { vendorId: line.vendorId, productId: line.productId } };
}
