/**
 * Size limits of what the API accepts and returns, checked before anything is written so a caller gets
 * a ValidationError naming the field instead of a DynamoDB ValidationException or a GraphQL Int error.
 * The limits are documented in schema.graphql. Resolver-safe: stays inside the APPSYNC_JS subset.
 */

/** GraphQL's Int is a signed 32-bit integer (GraphQL spec, "Int"): the largest amount the API can return. */
export const MAX_INT = 2147483647;
/** Most lines one order may hold. */
export const MAX_LINES = 50;
/**
 * Most vendors one order may hold. One stream record of the order item can mean an event per vendor
 * part and one for the order (a whole-order cancel moves every open part), and an event bus target takes
 * at most 10 events per pipe invocation ("Amazon EventBridge Pipes batching and concurrency": the pipe
 * does not invoke a target with a longer enrichment answer), so 9 parts + the order is the most one
 * record may mean.
 */
export const MAX_VENDORS = 9;
/** Largest quantity of one line. */
export const MAX_QUANTITY = 100;
/**
 * Largest price in minor units: the largest quantity of it still has a line total that fits an Int. An
 * order total is checked on its own, since 50 such lines would not fit.
 */
export const MAX_PRICE = Math.floor(MAX_INT / MAX_QUANTITY);
/** Largest stock count a product may be set to: with everything reserved and released it still fits. */
export const MAX_STOCK = 1000000000;

/** Longest id (orderId, vendorId, productId, idempotencyKey), in characters. */
export const MAX_ID_LENGTH = 128;
/** Longest name (a product name, an address name), in characters. */
export const MAX_NAME_LENGTH = 200;
/** Longest address line or city, in characters. */
export const MAX_ADDRESS_LINE_LENGTH = 200;
/** Longest postal code, in characters. */
export const MAX_POSTAL_CODE_LENGTH = 20;
/** Longest country code (ISO 3166-1 alpha-2), in characters. */
export const MAX_COUNTRY_LENGTH = 2;
/** Longest reason (a cancellation, a rejection), in characters. */
export const MAX_REASON_LENGTH = 500;
/** Longest payment token, in characters. */
export const MAX_TOKEN_LENGTH = 256;
/** Longest carrier name or tracking number, in characters. */
export const MAX_TRACKING_LENGTH = 100;
/** Longest tracking URL, in characters. */
export const MAX_URL_LENGTH = 2048;

/** A rule the input breaks: errorInfo of a ValidationError. */
export interface LimitViolation {
  field: string;
  reason: string;
}

/** One string to check: its field name, its value (absent is fine) and its longest length. */
export type LengthCheck = [string, string | null | undefined, number];

/** The first string that is longer than its limit, as a violation naming the field and the limit. */
export function tooLong(checks: readonly LengthCheck[]): LimitViolation | null {
  for (const [field, value, max] of checks) {
    if (typeof value === 'string' && value.length > max) {
      return { field, reason: `${field} must be at most ${max} characters, received ${value.length}` };
    }
  }
  return null;
}

/** True for an integer that GraphQL's Int can carry. */
export function fitsInt(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= -MAX_INT - 1 && value <= MAX_INT;
}

/** An amount of a stored item the API cannot return: the item's id and the field. */
export interface UnrepresentableAmount {
  id: string;
  field: string;
}

interface StoredLine {
  quantity?: unknown;
  unitPrice?: unknown;
  lineTotal?: unknown;
}

function badLine(lines: unknown, prefix: string): string | null {
  if (!Array.isArray(lines)) return null;
  for (const line of lines as StoredLine[]) {
    if (!fitsInt(line.unitPrice)) return `${prefix}.unitPrice`;
    if (!fitsInt(line.lineTotal)) return `${prefix}.lineTotal`;
    if (!fitsInt(line.quantity)) return `${prefix}.quantity`;
  }
  return null;
}

/** The first field of a stored vendor order that GraphQL's Int cannot carry, or null. */
export function badVendorOrderField(vo: Record<string, unknown>, prefix = ''): string | null {
  if (!fitsInt(vo['subtotal'])) return `${prefix}subtotal`;
  if (!fitsInt(vo['version'])) return `${prefix}version`;
  return badLine(vo['lines'], `${prefix}lines`);
}

/** The first field of a stored order that GraphQL's Int cannot carry, or null. */
export function badOrderField(order: Record<string, unknown>): string | null {
  if (!fitsInt(order['total'])) return 'total';
  if (!fitsInt(order['version'])) return 'version';
  const line = badLine(order['lines'], 'lines');
  if (line) return line;
  const parts = order['vendorOrders'];
  if (Array.isArray(parts)) {
    for (const vo of parts as Record<string, unknown>[]) {
      const field = badVendorOrderField(vo, 'vendorOrders.');
      if (field) return field;
    }
  }
  const payment = order['payment'] as Record<string, unknown> | null | undefined;
  if (payment) {
    if (!fitsInt(payment['amount'])) return 'payment.amount';
    if (!fitsInt(payment['refundedAmount'])) return 'payment.refundedAmount';
  }
  return null;
}

/** The first field of a stored product that GraphQL's Int cannot carry, or null. */
export function badProductField(product: Record<string, unknown>): string | null {
  const fields = ['price', 'available', 'reserved', 'lowStockThreshold', 'version'];
  for (const field of fields) if (!fitsInt(product[field])) return field;
  return null;
}

/**
 * Splits a page into the items the API can return and those it cannot (an amount written before the
 * limits existed), so one such item does not fail the whole list for everyone whose list holds it.
 */
export function representable<T>(
  items: readonly T[],
  badField: (item: Record<string, unknown>) => string | null,
  idOf: (item: Record<string, unknown>) => string,
): { items: T[]; left: UnrepresentableAmount[] } {
  const kept: T[] = [];
  const left: UnrepresentableAmount[] = [];
  for (const item of items) {
    const record = item as unknown as Record<string, unknown>;
    const field = badField(record);
    if (field === null) kept.push(item);
    else left.push({ id: idOf(record), field });
  }
  return { items: kept, left };
}
