import type { OrderLine } from './generated/schema.js';
import { sum } from './money.js';

/**
 * Splitting an order by vendor. Resolver-safe: stays inside the APPSYNC_JS subset.
 */

/** A priced order line: the schema's OrderLine. */
export type PricedLine = OrderLine;

/** One vendor's part of an order. */
export interface VendorPart {
  vendorId: string;
  lines: PricedLine[];
  subtotal: number;
}

/** Groups lines by vendor, in the order each vendor first appears; subtotals add up to the order total. */
export function splitByVendor(lines: readonly PricedLine[]): VendorPart[] {
  const parts: VendorPart[] = [];
  const byVendor: Record<string, VendorPart> = {};
  for (const line of lines) {
    let part = byVendor[line.vendorId];
    if (!part) {
      part = { vendorId: line.vendorId, lines: [], subtotal: 0 };
      byVendor[line.vendorId] = part;
      parts.push(part);
    }
    part.lines.push(line);
  }
  for (const part of parts) part.subtotal = sum(part.lines.map((l) => l.lineTotal));
  return parts;
}
