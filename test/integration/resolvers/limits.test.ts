import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { MAX_INT, MAX_PRICE } from '../../../domain/limits.js';
import { address, productItem, startHarness, userIdentity, type Harness } from './harness.js';
import { productKey } from '../../../domain/keys.js';

const productKeyArgs = (vendorId: string, productId: string): [string, string] => {
  const key = productKey(vendorId, productId);
  return [key.PK, key.SK];
};

/**
 * What the API accepts and returns must fit: GraphQL's Int is 32-bit (GraphQL spec, "Int"), and DynamoDB
 * rejects oversized keys with its own ValidationException. Each limit answers a ValidationError naming
 * the field before anything is written (schema.graphql, Limits).
 */
describe('input and amount limits', () => {
  let h: Harness;
  let n = 0;
  const fresh = (prefix: string) => `${prefix}-${++n}-${Date.now()}`;
  const getItem = async (PK: string, SK: string) => {
    const out = await h.client.send(
      new GetItemCommand({ TableName: h.tableName, Key: marshall({ PK, SK }), ConsistentRead: true }),
    );
    return out.Item ? unmarshall(out.Item) : null;
  };
  const place = (customer: string, lines: unknown[], shippingAddress: unknown = address, key = fresh('k')) =>
    h.call(
      'Mutation',
      'placeOrder',
      { input: { lines, shippingAddress }, idempotencyKey: key },
      userIdentity(customer, 'customer'),
    );
  const setInventory = (vendorId: string, input: Record<string, unknown>) =>
    h.call(
      'Mutation',
      'updateInventory',
      { input: { vendorId, ...input } },
      userIdentity(fresh('u'), 'vendor', vendorId),
    );

  beforeAll(async () => {
    h = await startHarness();
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
  });

  describe('amounts', () => {
    it('rejects a price whose largest line would not fit an Int, and writes nothing', async () => {
      // Prepare
      const v = fresh('v');
      // Act
      const huge = await setInventory(v, {
        productId: 'gold',
        name: 'Gold bar',
        price: 2_000_000_000,
        currency: 'USD',
        available: 5,
      });
      const largest = await setInventory(v, {
        productId: 'silver',
        name: 'Silver bar',
        price: MAX_PRICE,
        currency: 'USD',
        available: 5,
      });
      // Assess
      expect(huge.errors[0]).toMatchObject({ errorType: 'ValidationError', errorInfo: { field: 'price' } });
      expect(huge.errors[0]?.message).toContain(`${MAX_PRICE}`);
      expect(await getItem(...productKeyArgs(v, 'gold'))).toBeNull();
      expect(largest.errors).toEqual([]);
    });

    it('rejects an order whose line total would not fit an Int, and reserves nothing', async () => {
      // Prepare: a price stored before the limit existed
      const [v, customer] = [fresh('v'), fresh('c')];
      await h.seed(productItem(v, 'gold', { price: 2_000_000_000, available: 5 }));
      // Act
      const result = await place(customer, [{ vendorId: v, productId: 'gold', quantity: 2 }]);
      // Assess
      expect(result.data).toBeNull();
      expect(result.errors[0]).toMatchObject({
        errorType: 'ValidationError',
        errorInfo: { field: 'lines.quantity' },
      });
      expect(await getItem(...productKeyArgs(v, 'gold'))).toMatchObject({ available: 5, reserved: 0 });
    });

    it('rejects an order whose total would not fit an Int, though each line does', async () => {
      // Prepare
      const [v, customer] = [fresh('v'), fresh('c')];
      await h.seed(productItem(v, 'a', { price: MAX_PRICE, available: 500 }));
      await h.seed(productItem(v, 'b', { price: MAX_PRICE, available: 500 }));
      // Act
      const result = await place(customer, [
        { vendorId: v, productId: 'a', quantity: 100 },
        { vendorId: v, productId: 'b', quantity: 100 },
      ]);
      // Assess
      expect(result.errors[0]).toMatchObject({ errorType: 'ValidationError', errorInfo: { field: 'lines' } });
      expect(result.errors[0]?.message).toContain(`${MAX_INT}`);
      expect(await getItem(...productKeyArgs(v, 'a'))).toMatchObject({ available: 500, reserved: 0 });
    });

    it("lists a customer's orders when one of them holds an amount an Int cannot carry", async () => {
      // Prepare: two orders, one of them with a total written before the limits existed
      const [v, customer] = [fresh('v'), fresh('c')];
      await h.seed(productItem(v, 'a', { price: 100, available: 10 }));
      const good = (await place(customer, [{ vendorId: v, productId: 'a', quantity: 1 }])).data as {
        id: string;
      };
      const bad = (await place(customer, [{ vendorId: v, productId: 'a', quantity: 2 }])).data as {
        id: string;
      };
      await h.client.send(
        new UpdateItemCommand({
          TableName: h.tableName,
          Key: marshall({ PK: `ORDER#${bad.id}`, SK: 'ORDER' }),
          UpdateExpression: 'SET #total = :total',
          ExpressionAttributeNames: { '#total': 'total' },
          ExpressionAttributeValues: marshall({ ':total': 4_000_000_000 }),
        }),
      );
      // Act
      const listed = await h.call('Query', 'myOrders', {}, userIdentity(customer, 'customer'));
      const one = await h.call('Query', 'getOrder', { id: bad.id }, userIdentity(customer, 'customer'));
      // Assess: the good order is listed, the bad one left out and reported next to the data
      const items = (listed.data as { items: { id: string }[] }).items;
      expect(items.map((o) => o.id)).toEqual([good.id]);
      expect(listed.errors).toEqual([
        expect.objectContaining({ errorType: 'AmountOutOfRange', errorInfo: { id: bad.id, field: 'total' } }),
      ]);
      expect(one.errors[0]).toMatchObject({
        errorType: 'AmountOutOfRange',
        errorInfo: { id: bad.id, field: 'total' },
      });
    });
  });

  describe('lengths', () => {
    const long = (length: number) => 'x'.repeat(length);

    it('rejects a 2 KB productId and a 1 MB shipping name as ValidationError naming the field and the limit', async () => {
      // Prepare
      const [v, customer] = [fresh('v'), fresh('c')];
      await h.seed(productItem(v, 'a', { price: 100, available: 10 }));
      const line = { vendorId: v, productId: 'a', quantity: 1 };
      // Act
      const productId = await place(customer, [{ ...line, productId: long(2048) }]);
      const name = await place(customer, [line], { ...address, name: long(1024 * 1024) });
      const key = await place(customer, [line], address, long(129));
      const inventory = await setInventory(v, {
        productId: long(2048),
        name: 'n',
        price: 1,
        currency: 'USD',
      });
      const product = await h.call('Query', 'getProduct', { vendorId: v, productId: long(2048) }, null);
      const order = await h.call('Query', 'getOrder', { id: long(2048) }, userIdentity(customer, 'customer'));
      // Assess
      expect(productId.errors[0]).toMatchObject({
        errorType: 'ValidationError',
        errorInfo: { field: 'lines.productId' },
      });
      expect(productId.errors[0]?.message).toContain('at most 128 characters');
      expect(name.errors[0]).toMatchObject({
        errorType: 'ValidationError',
        errorInfo: { field: 'shippingAddress.name' },
      });
      expect(name.errors[0]?.message).toContain('at most 200 characters');
      expect(key.errors[0]).toMatchObject({
        errorType: 'ValidationError',
        errorInfo: { field: 'idempotencyKey' },
      });
      expect(inventory.errors[0]).toMatchObject({
        errorType: 'ValidationError',
        errorInfo: { field: 'productId' },
      });
      expect(product.errors[0]).toMatchObject({
        errorType: 'ValidationError',
        errorInfo: { field: 'productId' },
      });
      expect(order.errors[0]).toMatchObject({ errorType: 'ValidationError', errorInfo: { field: 'id' } });
      expect(await getItem(...productKeyArgs(v, 'a'))).toMatchObject({ available: 10, reserved: 0 });
    });

    it('rejects an oversized payment token, cancel reason and tracking number', async () => {
      // Prepare
      const [v, customer] = [fresh('v'), fresh('c')];
      await h.seed(productItem(v, 'a', { price: 100, available: 10 }));
      const placed = (await place(customer, [{ vendorId: v, productId: 'a', quantity: 1 }])).data as {
        id: string;
      };
      const asCustomer = userIdentity(customer, 'customer');
      // Act
      const token = await h.call(
        'Mutation',
        'processPayment',
        { input: { orderId: placed.id, paymentToken: long(257) }, idempotencyKey: fresh('k') },
        asCustomer,
      );
      const reason = await h.call(
        'Mutation',
        'cancelOrder',
        { orderId: placed.id, reason: long(501) },
        asCustomer,
      );
      const tracking = await h.call(
        'Mutation',
        'updateVendorOrderStatus',
        {
          input: {
            orderId: placed.id,
            vendorId: v,
            status: 'SHIPPED',
            tracking: { carrier: 'Posten', trackingNumber: long(101) },
          },
        },
        userIdentity(fresh('u'), 'vendor', v),
      );
      // Assess
      expect(token.errors[0]).toMatchObject({
        errorType: 'ValidationError',
        errorInfo: { field: 'paymentToken' },
      });
      expect(reason.errors[0]).toMatchObject({
        errorType: 'ValidationError',
        errorInfo: { field: 'reason' },
      });
      expect(tracking.errors[0]).toMatchObject({
        errorType: 'ValidationError',
        errorInfo: { field: 'tracking.trackingNumber' },
      });
      expect(await getItem(`ORDER#${placed.id}`, 'ORDER')).toMatchObject({ status: 'PLACED', version: 1 });
    });
  });
});
