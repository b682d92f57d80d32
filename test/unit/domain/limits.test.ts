import { describe, expect, it } from 'vitest';
import {
  badOrderField,
  badProductField,
  fitsInt,
  MAX_INT,
  MAX_PRICE,
  MAX_QUANTITY,
  representable,
  tooLong,
} from '../../../domain/limits.js';
import { validateInventoryChange } from '../../../domain/inventory.js';
import { priceLines, validatePlaceOrder } from '../../../domain/order.js';

const product = (productId: string, price: number) => ({
  vendorId: 'v1',
  productId,
  name: productId,
  price,
  currency: 'USD',
  available: 1000,
  reserved: 0,
});

describe('limits', () => {
  it('bounds prices so the largest line of any price fits an Int', () => {
    // Assess: the invariant, not only the value
    expect(MAX_PRICE * MAX_QUANTITY).toBeLessThanOrEqual(MAX_INT);
    expect((MAX_PRICE + 1) * MAX_QUANTITY).toBeGreaterThan(MAX_INT);
    expect(fitsInt(MAX_INT)).toBe(true);
    expect(fitsInt(MAX_INT + 1)).toBe(false);
    expect(fitsInt(-MAX_INT - 1)).toBe(true);
  });

  it('rejects a price above the bound, naming the field', () => {
    // Act
    const violation = validateInventoryChange({ vendorId: 'v1', productId: 'p1', price: MAX_PRICE + 1 });
    // Assess
    expect(violation).toMatchObject({ field: 'price' });
    expect(validateInventoryChange({ vendorId: 'v1', productId: 'p1', price: MAX_PRICE })).toBeNull();
  });

  it('rejects an order whose total would not fit an Int', () => {
    // Act
    const pricing = priceLines(
      [
        { vendorId: 'v1', productId: 'a', quantity: 100 },
        { vendorId: 'v1', productId: 'b', quantity: 100 },
      ],
      [product('a', MAX_PRICE), product('b', MAX_PRICE)],
    );
    // Assess
    expect(pricing).toMatchObject({ kind: 'invalid', violation: { field: 'lines' } });
  });

  it('names the first string over its limit, and the limit', () => {
    // Act
    const violation = tooLong([
      ['a', 'ok', 5],
      ['b', null, 5],
      ['c', 'too long', 5],
    ]);
    // Assess
    expect(violation).toEqual({ field: 'c', reason: 'c must be at most 5 characters, received 8' });
  });

  it('rejects an oversized product id and shipping name before the catalog is read', () => {
    // Prepare
    const address = { name: 'A', line1: 'l', city: 'c', postalCode: 'p', country: 'GB' };
    const line = { vendorId: 'v1', productId: 'p1', quantity: 1 };
    // Act
    const id = validatePlaceOrder({
      lines: [{ ...line, productId: 'x'.repeat(2048) }],
      shippingAddress: address,
    });
    const name = validatePlaceOrder({
      lines: [line],
      shippingAddress: { ...address, name: 'x'.repeat(201) },
    });
    // Assess
    expect(id).toMatchObject({ field: 'lines.productId' });
    expect(name).toMatchObject({ field: 'shippingAddress.name' });
  });

  it('keeps the items of a page that fit and names those that do not', () => {
    // Prepare
    const orders = [
      { id: 'good', total: 10, version: 1, lines: [], vendorOrders: [], payment: null },
      { id: 'bad', total: 4_000_000_000, version: 1, lines: [], vendorOrders: [], payment: null },
      {
        id: 'bad-part',
        total: 10,
        version: 1,
        lines: [],
        vendorOrders: [
          { subtotal: 10, version: 1, lines: [{ quantity: 2, unitPrice: 3e9, lineTotal: 6e9 }] },
        ],
        payment: null,
      },
    ];
    // Act
    const page = representable(orders, badOrderField, (o) => String(o['id']));
    // Assess
    expect(page.items.map((o) => o.id)).toEqual(['good']);
    expect(page.left).toEqual([
      { id: 'bad', field: 'total' },
      { id: 'bad-part', field: 'vendorOrders.lines.unitPrice' },
    ]);
    expect(badProductField({ price: 3e9, available: 1, reserved: 0, lowStockThreshold: 1, version: 1 })).toBe(
      'price',
    );
  });
});
