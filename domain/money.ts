/**
 * Money in integer minor units. Resolver-safe: stays inside the APPSYNC_JS subset.
 */

/** Currencies the marketplace accepts (ISO 4217). */
export const CURRENCIES = ['USD', 'EUR', 'GBP'] as const;

/** A currency the marketplace accepts. */
export type CurrencyCode = (typeof CURRENCIES)[number];

/** True for a known currency code. */
export function isCurrency(value: unknown): value is CurrencyCode {
  return typeof value === 'string' && (CURRENCIES as readonly string[]).includes(value);
}

/** True for a non-negative safe integer: the only valid amount or stock count. */
export function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Sums integer amounts. */
export function sum(amounts: readonly number[]): number {
  let total = 0;
  for (const amount of amounts) total = total + amount;
  return total;
}
