import type { ProductRef, StockShortage } from './order.js';

/**
 * The business errors the API answers, each with the shape of its errorInfo: expected failures are data
 * (Vendure's typed error results), and a resolver turns one into AppSync's error with one call
 * (resolvers/lib/errors.ts). Resolver-safe: stays inside the APPSYNC_JS subset.
 */

/** The errorInfo of each business errorType. */
export interface BusinessErrorInfo {
  /** The status (or the payment status) does not allow the move. */
  InvalidTransition: { from: string; to: string };
  /** The item is missing, or the caller may not see it (so ids cannot be probed); a product names itself. */
  NotFound: { vendorId: string; productId: string } | null;
  /** The input breaks a rule. */
  ValidationError: { field: string; reason: string };
  /** Some products do not have the stock the order asks for. */
  OutOfStock: { products: StockShortage[] };
  /**
   * The item changed between the read and the conditional write; the caller retries. placeOrder names the
   * products whose price, name or currency changed since it priced the order.
   */
  ConcurrentModification: { products: ProductRef[] } | null;
  /** The idempotency key was used before with another payload. */
  IdempotencyConflict: { idempotencyKey: string };
  /** A stored amount is outside the GraphQL Int range (the item is left out, or the read fails). */
  AmountOutOfRange: { id: string; field: string };
  /** A service the field needs (the order assistant) cannot answer right now. */
  NotAvailable: null;
}

/** The errorType of a business error. */
export type BusinessErrorType = keyof BusinessErrorInfo;

/** One business error: its errorType, a message for people, and its typed errorInfo. */
export type BusinessError = {
  [K in BusinessErrorType]: { errorType: K; message: string; errorInfo: BusinessErrorInfo[K] };
}[BusinessErrorType];

/** The business error of one errorType. */
export type BusinessErrorOf<K extends BusinessErrorType> = Extract<BusinessError, { errorType: K }>;

/** Builds a business error. */
export function businessError<K extends BusinessErrorType>(
  errorType: K,
  message: string,
  errorInfo: BusinessErrorInfo[K],
): BusinessErrorOf<K> {
  return { errorType, message, errorInfo } as BusinessErrorOf<K>;
}
