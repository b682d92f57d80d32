import { MAX_ID_LENGTH, MAX_NAME_LENGTH, MAX_PRICE, MAX_QUANTITY, MAX_STOCK, tooLong } from './limits.js';
import { isCurrency, isNonNegativeInteger } from './money.js';

/**
 * Inventory rules. Resolver-safe: stays inside the APPSYNC_JS subset.
 */

/** The fields a vendor or admin may set on a product. */
export interface InventoryChange {
  vendorId: string;
  productId: string;
  name?: string | null;
  price?: number | null;
  currency?: string | null;
  available?: number | null;
  lowStockThreshold?: number | null;
}

/** The low-stock threshold a product gets when none is set. */
export const DEFAULT_LOW_STOCK_THRESHOLD = 5;

/** A rule the change breaks, or null. */
export interface InventoryViolation {
  field: string;
  reason: string;
}

/** Checks values: non-negative integers, minor-unit prices, known currencies, non-empty names. */
export function validateInventoryChange(change: InventoryChange): InventoryViolation | null {
  if (change.vendorId.trim() === '') return { field: 'vendorId', reason: 'vendorId must not be empty' };
  if (change.productId.trim() === '') return { field: 'productId', reason: 'productId must not be empty' };
  if (change.name !== undefined && change.name !== null && change.name.trim() === '') {
    return { field: 'name', reason: 'name must not be empty' };
  }
  const long = tooLong([
    ['vendorId', change.vendorId, MAX_ID_LENGTH],
    ['productId', change.productId, MAX_ID_LENGTH],
    ['name', change.name, MAX_NAME_LENGTH],
  ]);
  if (long) return long;
  if (change.price !== undefined && change.price !== null && change.price > MAX_PRICE) {
    return {
      field: 'price',
      reason: `price must be at most ${MAX_PRICE} minor units, so that ${MAX_QUANTITY} of it fit an order line, received ${change.price}`,
    };
  }
  if (change.available !== undefined && change.available !== null && change.available > MAX_STOCK) {
    return {
      field: 'available',
      reason: `available must be at most ${MAX_STOCK}, received ${change.available}`,
    };
  }
  if (
    change.lowStockThreshold !== undefined &&
    change.lowStockThreshold !== null &&
    change.lowStockThreshold > MAX_STOCK
  ) {
    return {
      field: 'lowStockThreshold',
      reason: `lowStockThreshold must be at most ${MAX_STOCK}, received ${change.lowStockThreshold}`,
    };
  }
  if (change.price !== undefined && change.price !== null && !isNonNegativeInteger(change.price)) {
    return {
      field: 'price',
      reason: `price must be a non-negative integer in minor units, received ${change.price}`,
    };
  }
  if (change.currency !== undefined && change.currency !== null && !isCurrency(change.currency)) {
    return {
      field: 'currency',
      reason: `currency must be one of USD, EUR, GBP, received ${change.currency}`,
    };
  }
  if (
    change.available !== undefined &&
    change.available !== null &&
    !isNonNegativeInteger(change.available)
  ) {
    return {
      field: 'available',
      reason: `available must be a non-negative integer, received ${change.available}`,
    };
  }
  if (
    change.lowStockThreshold !== undefined &&
    change.lowStockThreshold !== null &&
    !isNonNegativeInteger(change.lowStockThreshold)
  ) {
    return {
      field: 'lowStockThreshold',
      reason: `lowStockThreshold must be a non-negative integer, received ${change.lowStockThreshold}`,
    };
  }
  const fields = [change.name, change.price, change.currency, change.available, change.lowStockThreshold];
  if (fields.every((f) => f === undefined || f === null)) {
    return {
      field: 'input',
      reason: 'give at least one of name, price, currency, available, lowStockThreshold',
    };
  }
  return null;
}

/** True when a change carries everything a new product needs. */
export function createsCompleteProduct(change: InventoryChange): boolean {
  return !!change.name && change.price !== undefined && change.price !== null && !!change.currency;
}
