import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MyOrdersDocument, UpdateInventoryDocument } from '../../generated/graphql.js';
import { graphql, type Session } from '../support/client.js';
import { expectData, getProduct, line, placeOrder } from '../support/orders.js';
import { startScenarioStack, type ScenarioStack } from '../support/scenario-stack.js';

describe('placing an order', () => {
  let ctx: ScenarioStack;

  beforeAll(async () => {
    ctx = await startScenarioStack();
  });

  afterAll(async () => {
    await ctx?.stack.stop();
  });

  const myOrderIds = async (customer: Session) =>
    expectData(await graphql(customer, MyOrdersDocument, { limit: 100 }), 'myOrders').myOrders.items.map(
      (o) => o.id,
    );
  const stockOf = async (customer: Session, vendorId: string, productId: string) => {
    const p = await getProduct(customer, vendorId, productId);
    return { available: p.available, reserved: p.reserved };
  };

  it('rejects a price no order line could carry and an oversized product id with ValidationError, and writes nothing', async () => {
    // Prepare
    const { customer, aurora } = ctx.users;
    const headlamp = await getProduct(customer, 'v-aurora', 'p-headlamp');
    const ordersBefore = await myOrderIds(customer);

    // Act: a price whose two units would not fit GraphQL's 32-bit Int, and a 2 KB product id
    const price = await graphql(aurora, UpdateInventoryDocument, {
      input: { vendorId: 'v-aurora', productId: 'p-headlamp', price: 2_000_000_000 },
    });
    const id = await placeOrder(customer, [line('v-aurora', 'x'.repeat(2048), 1)]);

    // Assess: errors in the schema's documented shape, not "Int cannot represent" or DynamoDB's own
    expect(price.errors?.[0]).toMatchObject({ errorType: 'ValidationError', errorInfo: { field: 'price' } });
    expect(id.errors?.[0]).toMatchObject({
      errorType: 'ValidationError',
      errorInfo: { field: 'lines.productId' },
    });
    expect(await getProduct(customer, 'v-aurora', 'p-headlamp')).toEqual(headlamp);
    expect(await myOrderIds(customer)).toEqual(ordersBefore);
  });

  it('rejects an order with a line over the available stock with OutOfStock naming that product, and writes nothing', async () => {
    // Prepare: given a parka stock the customer asks for one more than
    const { customer } = ctx.users;
    const parka = await stockOf(customer, 'v-aurora', 'p-parka');
    const espresso = await stockOf(customer, 'v-borealis', 'p-espresso');
    const ordersBefore = await myOrderIds(customer);

    // Act
    const res = await placeOrder(customer, [
      line('v-aurora', 'p-parka', parka.available + 1),
      line('v-borealis', 'p-espresso', 1),
    ]);

    // Assess: schema.graphql "Business failures": OutOfStock, one errorInfo entry per failing product;
    // the field is non-null, so the error nulls data (GraphQL spec, "Handling Field Errors")
    expect(res.status).toBe(200);
    expect(res.data).toBeNull();
    expect(res.errors).toHaveLength(1);
    expect(res.errors?.[0]).toMatchObject({
      errorType: 'OutOfStock',
      path: ['placeOrder'],
      errorInfo: {
        products: [
          {
            vendorId: 'v-aurora',
            productId: 'p-parka',
            requested: parka.available + 1,
            available: parka.available,
          },
        ],
      },
    });
    // "Nothing is written when one is returned": no order, and neither product's stock moved
    expect(await myOrderIds(customer)).toEqual(ordersBefore);
    expect(await stockOf(customer, 'v-aurora', 'p-parka')).toEqual(parka);
    expect(await stockOf(customer, 'v-borealis', 'p-espresso')).toEqual(espresso);
  });

  it('answers a repeated placeOrder with the same idempotency key with the first order, reserving stock once', async () => {
    // Prepare
    const { customer } = ctx.users;
    const key = randomUUID();
    const lines = [line('v-borealis', 'p-grinder', 2)];
    const before = await stockOf(customer, 'v-borealis', 'p-grinder');
    const ordersBefore = await myOrderIds(customer);

    // Act
    const first = await placeOrder(customer, lines, key);
    const second = await placeOrder(customer, lines, key);

    // Assess
    const firstOrder = expectData(first, 'first placeOrder').placeOrder;
    const secondOrder = expectData(second, 'second placeOrder').placeOrder;
    expect(secondOrder).toEqual(firstOrder);
    expect(await myOrderIds(customer)).toEqual([firstOrder.id, ...ordersBefore]);
    expect(await stockOf(customer, 'v-borealis', 'p-grinder')).toEqual({
      available: before.available - 2,
      reserved: before.reserved + 2,
    });
  });

  it('rejects the same idempotency key with another payload with IdempotencyConflict', async () => {
    // Prepare
    const { customer } = ctx.users;
    const key = randomUUID();
    const first = expectData(
      await placeOrder(customer, [line('v-aurora', 'p-headlamp', 1)], key),
      'placeOrder',
    ).placeOrder;
    const headlamp = await stockOf(customer, 'v-aurora', 'p-headlamp');
    const ordersBefore = await myOrderIds(customer);

    // Act
    const res = await placeOrder(customer, [line('v-aurora', 'p-headlamp', 3)], key);

    // Assess: schema.graphql "Business failures": IdempotencyConflict, errorInfo { idempotencyKey }
    expect(res.data).toBeNull();
    expect(res.errors?.[0]).toMatchObject({
      errorType: 'IdempotencyConflict',
      path: ['placeOrder'],
      errorInfo: { idempotencyKey: key },
    });
    expect(await myOrderIds(customer)).toEqual(ordersBefore);
    expect(ordersBefore[0]).toBe(first.id);
    expect(await stockOf(customer, 'v-aurora', 'p-headlamp')).toEqual(headlamp);
  });
});
