import { describe, expect, it } from 'vitest';
import { sum } from '../../../domain/money.js';
import { splitByVendor, type PricedLine } from '../../../domain/split.js';

/** A small deterministic generator, so the property runs over the same inputs every time. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

function line(fields: Partial<PricedLine>): PricedLine {
  const quantity = fields.quantity ?? 1;
  const unitPrice = fields.unitPrice ?? 100;
  return {
    vendorId: 'v1',
    productId: 'p',
    name: 'n',
    quantity,
    unitPrice,
    lineTotal: quantity * unitPrice,
    ...fields,
  };
}

describe('splitByVendor', () => {
  it('splits one order into one vendor order per vendor, in first-appearance order', () => {
    // Prepare
    const lines = [
      line({ vendorId: 'v1' }),
      line({ vendorId: 'v2' }),
      line({ vendorId: 'v1', productId: 'q' }),
    ];
    // Act
    const parts = splitByVendor(lines);
    // Assess
    expect(parts.map((p) => p.vendorId)).toEqual(['v1', 'v2']);
    expect(sum(parts.map((p) => p.subtotal))).toBe(sum(lines.map((l) => l.lineTotal))); // the invariant
  });

  it('keeps every line and the total over 500 generated orders', () => {
    const next = random(42);
    for (let run = 0; run < 500; run += 1) {
      // Prepare
      const count = 1 + Math.floor(next() * 50);
      const lines = Array.from({ length: count }, (_, i) =>
        line({
          vendorId: `v${Math.floor(next() * 7)}`,
          productId: `p${i}`,
          quantity: 1 + Math.floor(next() * 100),
          unitPrice: Math.floor(next() * 100_000),
        }),
      );
      // Act
      const parts = splitByVendor(lines);
      // Assess
      expect(sum(parts.map((p) => p.subtotal))).toBe(sum(lines.map((l) => l.lineTotal)));
      expect(sum(parts.map((p) => p.lines.length))).toBe(lines.length);
      expect(new Set(parts.map((p) => p.vendorId)).size).toBe(parts.length);
      for (const part of parts) expect(part.lines.every((l) => l.vendorId === part.vendorId)).toBe(true);
    }
  });
});
