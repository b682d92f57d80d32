import { describe, expect, it } from 'vitest';
import {
  canonicalOrderRequest,
  MAX_LINES,
  MAX_TRANSACT_ITEMS,
  MAX_VENDORS,
  priceLines,
  stockMoveFailure,
  validatePlaceOrder,
  type CatalogProduct,
} from '../../../domain/order.js';
import type { PlaceOrderInput } from '../../../domain/generated/schema.js';

const address = { name: 'Ada', line1: '1 Main St', city: 'London', postalCode: 'N1', country: 'GB' };
const input = (lines: PlaceOrderInput['lines'], shippingAddress = address): PlaceOrderInput => ({
  lines,
  shippingAddress,
});
const product = (fields: Partial<CatalogProduct>): CatalogProduct => ({
  vendorId: 'v1',
  productId: 'p1',
  name: 'Pen',
  price: 150,
  currency: 'USD',
  available: 10,
  reserved: 0,
  ...fields,
});

describe('validatePlaceOrder', () => {
  it('accepts 1 to 50 lines with quantities 1 to 100', () => {
    // Act
    const violation = validatePlaceOrder(input([{ vendorId: 'v', productId: 'p', quantity: 100 }]));
    // Assess
    expect(violation).toBeNull();
  });

  it.each([
    ['no lines', input([]), 'lines'],
    [
      '51 lines',
      input(Array.from({ length: 51 }, (_, i) => ({ vendorId: 'v', productId: `p${i}`, quantity: 1 }))),
      'lines',
    ],
    ['quantity 0', input([{ vendorId: 'v', productId: 'p', quantity: 0 }]), 'lines.quantity'],
    ['quantity 101', input([{ vendorId: 'v', productId: 'p', quantity: 101 }]), 'lines.quantity'],
    [
      'a duplicate product',
      input([
        { vendorId: 'v', productId: 'p', quantity: 1 },
        { vendorId: 'v', productId: 'p', quantity: 2 },
      ]),
      'lines',
    ],
    [
      'an empty city',
      input([{ vendorId: 'v', productId: 'p', quantity: 1 }], { ...address, city: ' ' }),
      'shippingAddress.city',
    ],
  ])('rejects %s', (_name, value, field) => {
    // Act
    const violation = validatePlaceOrder(value);
    // Assess
    expect(violation?.field).toBe(field);
  });

  it('rejects an order with lines of more than 9 vendors: one record of it could mean more events than a bus takes', () => {
    // Prepare
    const lines = Array.from({ length: 10 }, (_, i) => ({ vendorId: `v${i}`, productId: 'p', quantity: 1 }));
    // Act
    const violation = validatePlaceOrder(input(lines));
    // Assess
    expect(violation).toMatchObject({
      field: 'lines',
      reason: 'an order holds lines of at most 9 vendors, received 10',
    });
  });

  it('accepts the largest order: 50 lines from 9 vendors, within one transaction', () => {
    // Prepare: 50 stock moves + 9 list entries + the order = 60 items of TransactWriteItems' 100
    const lines = Array.from({ length: MAX_LINES }, (_, i) => ({
      vendorId: `v${i % MAX_VENDORS}`,
      productId: `p${i}`,
      quantity: 1,
    }));
    // Act
    const violation = validatePlaceOrder(input(lines));
    // Assess
    expect(violation).toBeNull();
    expect(MAX_LINES + MAX_VENDORS + 1).toBeLessThanOrEqual(MAX_TRANSACT_ITEMS);
  });
});

describe('priceLines', () => {
  it('prices from the catalog and lists every product short of stock', () => {
    // Act
    const pricing = priceLines(
      [
        { vendorId: 'v1', productId: 'p1', quantity: 3 },
        { vendorId: 'v1', productId: 'p2', quantity: 5 },
      ],
      [product({}), product({ productId: 'p2', available: 4 })],
    );
    // Assess
    expect(pricing).toMatchObject({
      kind: 'priced',
      currency: 'USD',
      shortages: [{ vendorId: 'v1', productId: 'p2', requested: 5, available: 4 }],
    });
    if (pricing.kind === 'priced') expect(pricing.lines[0]).toMatchObject({ unitPrice: 150, lineTotal: 450 });
  });

  it('rejects an unknown product and mixed currencies', () => {
    // Act
    const missing = priceLines([{ vendorId: 'v1', productId: 'nope', quantity: 1 }], [null]);
    const mixed = priceLines(
      [
        { vendorId: 'v1', productId: 'p1', quantity: 1 },
        { vendorId: 'v1', productId: 'p2', quantity: 1 },
      ],
      [product({}), product({ productId: 'p2', currency: 'EUR' })],
    );
    // Assess
    expect(missing).toEqual({ kind: 'missing', vendorId: 'v1', productId: 'nope' });
    expect(mixed.kind).toBe('invalid');
  });
});

describe('canonicalOrderRequest', () => {
  it('is the same for a request and the order placed from it, whose empty line2 is not stored', () => {
    // Prepare
    const lines = [{ vendorId: 'v', productId: 'a', quantity: 1 }];
    const request: PlaceOrderInput = { lines, shippingAddress: { ...address, line2: '' } };
    const other: PlaceOrderInput = { lines, shippingAddress: { ...address, line2: 'Flat 2' } };
    // Act: the order (newOrderItem) stores the address without line2; its view reads it as null
    const fromRequest = canonicalOrderRequest(request);
    const fromOrder = canonicalOrderRequest({ lines, shippingAddress: { ...address, line2: null } });
    // Assess
    expect(fromOrder).toBe(fromRequest);
    expect(canonicalOrderRequest(other)).not.toBe(fromRequest);
  });

  it('is the same whatever the line order, and differs for another quantity', () => {
    // Prepare
    const a = { vendorId: 'v', productId: 'a', quantity: 1 };
    const b = { vendorId: 'v', productId: 'b', quantity: 2 };
    // Act
    const one = canonicalOrderRequest(input([a, b]));
    const two = canonicalOrderRequest(input([b, a]));
    const other = canonicalOrderRequest(input([a, { ...b, quantity: 3 }]));
    // Assess
    expect(one).toBe(two);
    expect(other).not.toBe(one);
  });
});

describe('stockMoveFailure', () => {
  const line = { vendorId: 'v1', productId: 'p1', name: 'Pen', quantity: 3, unitPrice: 150, lineTotal: 450 };

  it('judges a product short of stock, or gone, as a shortage with what is available now', () => {
    // Act
    const short = stockMoveFailure(line, product({ available: 2, price: 999 }));
    const gone = stockMoveFailure(line, null);
    // Assess: a shortage wins over a change, since the order cannot go at any price
    expect(short).toEqual({
      kind: 'short',
      shortage: { vendorId: 'v1', productId: 'p1', requested: 3, available: 2 },
    });
    expect(gone).toEqual({
      kind: 'short',
      shortage: { vendorId: 'v1', productId: 'p1', requested: 3, available: 0 },
    });
  });

  it('judges a product with the stock whose condition failed as changed since it was priced', () => {
    // Act
    const failure = stockMoveFailure(line, product({ available: 10, price: 175 }));
    // Assess
    expect(failure).toEqual({ kind: 'changed', product: { vendorId: 'v1', productId: 'p1' } });
  });
});
