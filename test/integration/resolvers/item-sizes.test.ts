import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetItemCommand, PutItemCommand, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { itemSize, WRITE_UNIT_BYTES } from '@orderloop/local/meter';
import { DEMO_PRODUCTS } from '../../../scripts/seed.js';
import { vendorOrderEntryKey } from '../../../domain/keys.js';
import { SHIPPING_ADDRESS } from '../../e2e/support/orders.js';
import { iamIdentity, productItem, startHarness, userIdentity, type Harness } from './harness.js';
import { orderFromItem, type OrderItem } from '../../../domain/views.js';
import { formerPaymentRequestOf } from '../../../resolvers/lib/idempotency.js';

/**
 * What the order item of the cost meter's base order (3 lines from 2 vendors, the demo products, the e2e
 * shipping address) weighs against DynamoDB's 1 KB write unit, by DynamoDB's size rules (attribute names
 * count: "Item sizes and formats", local/meter/units.ts `itemSize`). A write is billed per started KB of
 * the item, an UpdateItem at the larger of before and after, a transactional write at twice that
 * (read-write-operations.html, transaction-apis.html). The order item stores nothing it can derive and no
 * null (domain/views.ts orderItemOf: not even what its keys and its history say), so the placement
 * transaction pays 2 WRU for it, and processPayment and the charge result 1 WRU each. These figures are
 * the ones docs/capacity.md quotes.
 */
describe('item sizes of a base order (3 lines from 2 vendors)', () => {
  let h: Harness;
  // A Cognito sub, and the base scenario's lines (test/e2e/support/cost-scenarios.ts) of the demo catalog.
  const customer = '0f8fad5b-d9cb-469f-a165-70867728950e';
  const lines = [
    { vendorId: 'v-aurora', productId: 'p-headlamp', quantity: 1 },
    { vendorId: 'v-borealis', productId: 'p-espresso', quantity: 1 },
    { vendorId: 'v-borealis', productId: 'p-filter', quantity: 1 },
  ];
  const vendors = ['v-aurora', 'v-borealis'];

  const sizeOf = async (PK: string, SK: string) => {
    const out = await h.client.send(
      new GetItemCommand({ TableName: h.tableName, Key: marshall({ PK, SK }), ConsistentRead: true }),
    );
    return out.Item ? itemSize(out.Item) : 0;
  };

  beforeAll(async () => {
    h = await startHarness();
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('keeps the order item within 1 KB at placement, with its payment attempt and once paid', async () => {
    // Prepare
    for (const l of lines) {
      const p = DEMO_PRODUCTS.find((d) => d.vendorId === l.vendorId && d.productId === l.productId)!;
      await h.seed({ ...productItem(p.vendorId, p.productId, p), name: p.name });
    }
    const placed = await h.call(
      'Mutation',
      'placeOrder',
      {
        input: { lines, shippingAddress: SHIPPING_ADDRESS },
        idempotencyKey: '7d444840-9dc0-11d1-b245-5ffdce74fad2',
      },
      userIdentity(customer, 'customer'),
    );
    const orderId = (placed.data as { id: string }).id;
    const pk = `ORDER#${orderId}`;
    const sizes: Record<string, number> = { placed: await sizeOf(pk, 'ORDER') };
    // The placement wrote the order, its two vendors' list entries and the three products, and nothing
    // else: the order item is the idempotency key's record (6 items in the transaction, at 2 units each)
    const createdAt = (placed.data as { createdAt: string }).createdAt;
    const table = await h.client.send(new ScanCommand({ TableName: h.tableName, ConsistentRead: true }));
    expect(table.Items?.map((i) => `${i['PK']?.S} ${i['SK']?.S}`).sort()).toEqual(
      [
        `${pk} ORDER`,
        ...vendors.map((v) => {
          const key = vendorOrderEntryKey(orderId, v, createdAt);
          return `${key.PK} ${key.SK}`;
        }),
        ...lines.map((l) => `PRODUCT#${l.vendorId}#${l.productId} PRODUCT#${l.productId}`),
      ].sort(),
    );
    // Act
    await h.call(
      'Mutation',
      'processPayment',
      {
        input: { orderId, paymentToken: 'tok_success', method: 'CARD' },
        idempotencyKey: 'a3bb189e-8bf9-3888-9912-ace4e6543002',
      },
      userIdentity(customer, 'customer'),
    );
    sizes.pending = await sizeOf(pk, 'ORDER');
    await h.call(
      'Mutation',
      'recordPaymentResult',
      { input: { orderId, attempt: 1, status: 'SUCCEEDED', correlationId: 'c' } },
      iamIdentity,
    );
    sizes.paid = await sizeOf(pk, 'ORDER');
    const partition = await h.client.send(
      new QueryCommand({
        TableName: h.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: marshall({ ':pk': pk }),
        ConsistentRead: true,
      }),
    );
    // Assess: the partition holds the order only (no payment attempt item, no copy of a vendor part: the
    // order item is the one copy), and each vendor's list holds one small entry for it
    expect(partition.Items?.map((i) => i['SK']?.S)).toEqual(['ORDER']);
    const entries = await Promise.all(
      vendors.map(async (v) => {
        const key = vendorOrderEntryKey(orderId, v, createdAt);
        const out = await h.client.send(
          new GetItemCommand({ TableName: h.tableName, Key: marshall(key), ConsistentRead: true }),
        );
        return out.Item;
      }),
    );
    expect(entries.map((e) => Object.keys(e ?? {}).sort())).toEqual(
      vendors.map(() => ['PK', 'SK', 'entity']),
    );
    const parts = entries.map((e) => (e ? itemSize(e) : 0));
    // Each single-item payment write bills the larger of the item before and after it, per started KB.
    const units = (before: number, after: number) => Math.ceil(Math.max(before, after) / WRITE_UNIT_BYTES);
    const figures = {
      ...sizes,
      vendorEntries: parts,
      // Each entry is a Put in the placement transaction (2 WRU per started KB) and no index entry.
      placementEntryWru: parts.map((bytes) => 2 * units(0, bytes)),
      placementOrderWru: 2 * units(0, sizes.placed!),
      processPaymentWru: units(sizes.placed!, sizes.pending!),
      recordPaymentResultWru: units(sizes.pending!, sizes.paid!),
    };
    // printed for docs/capacity.md ("Item sizes")
    console.info('base order item sizes (bytes) and write units', figures);
    expect(sizes.placed).toBeLessThanOrEqual(WRITE_UNIT_BYTES);
    expect(sizes.pending).toBeLessThanOrEqual(WRITE_UNIT_BYTES);
    expect(sizes.paid).toBeLessThanOrEqual(WRITE_UNIT_BYTES);
    expect(figures).toMatchObject({
      placementOrderWru: 2,
      processPaymentWru: 1,
      recordPaymentResultWru: 1,
      placementEntryWru: [2, 2],
    });
    for (const bytes of parts) expect(bytes).toBeLessThanOrEqual(200);
  });

  it('answers the whole order through getOrder as before: every part with its lines, nulls as null', async () => {
    // Prepare: the order of the test above
    const listed = await h.client.send(
      new QueryCommand({
        TableName: h.tableName,
        IndexName: 'byCustomer',
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: marshall({ ':pk': `CUSTOMER#${customer}` }),
      }),
    );
    const id = listed.Items?.[0]?.['PK']?.S?.slice('ORDER#'.length) ?? '';
    // Act
    const got = await h.call('Query', 'getOrder', { id }, userIdentity(customer, 'customer'));
    // Assess
    const order = got.data as Record<string, unknown> & {
      vendorOrders: Record<string, unknown>[];
      statusHistory: Record<string, unknown>[];
    };
    expect(order.vendorIds).toEqual(vendors);
    expect(order.vendorOrders).toEqual([
      {
        orderId: id,
        vendorId: 'v-aurora',
        status: 'PENDING',
        lines: [
          {
            vendorId: 'v-aurora',
            productId: 'p-headlamp',
            name: 'Aurora headlamp',
            quantity: 1,
            unitPrice: 3490,
            lineTotal: 3490,
          },
        ],
        subtotal: 3490,
        currency: 'EUR',
        tracking: null,
        createdAt: order.createdAt,
        updatedAt: order.createdAt,
        version: 1,
      },
      expect.objectContaining({ vendorId: 'v-borealis', subtotal: 2890 + 1490, currency: 'EUR' }),
    ]);
    expect(order.payment).toEqual({
      orderId: id,
      amount: 3490 + 2890 + 1490,
      currency: 'EUR',
      status: 'SUCCEEDED',
      method: 'CARD',
      attempts: 1,
      failureReason: null,
      refundedAmount: 0,
      updatedAt: expect.any(String),
    });
    // What the item derives (domain/views.ts orderFromItem): the placement entry, each `from`, the
    // customer's id, the times (the last entry's), the customer and creation time (its keys), and the
    // correlation id (the order id, as the call sent none).
    const entry = { vendorId: null, vendorStatus: null, reason: null };
    const paidAt = order.statusHistory[2]?.at as string;
    expect(order.statusHistory).toEqual([
      { ...entry, from: null, to: 'PLACED', actor: 'CUSTOMER', actorId: customer, at: order.createdAt },
      {
        ...entry,
        from: 'PLACED',
        to: 'PAYMENT_PENDING',
        actor: 'CUSTOMER',
        actorId: customer,
        at: expect.any(String),
      },
      { ...entry, from: 'PAYMENT_PENDING', to: 'PAID', actor: 'SYSTEM', actorId: null, at: paidAt },
    ]);
    const times = [order.createdAt, order.statusHistory[1]?.at, paidAt] as string[];
    expect([...times].sort()).toEqual(times);
    expect(order).toMatchObject({ id, customerId: customer, correlationId: id, updatedAt: paidAt });
    expect(order.createdAt).toBe(listed.Items?.[0]?.['GSISK']?.S?.split('#')[0]);
    expect((order.payment as Record<string, unknown>).updatedAt).toBe(paidAt);
    expect((order.shippingAddress as Record<string, unknown>).line2).toBeNull();
  });
  it('answers every caller, a replay and a repeated result the same from the item as from the item as written before', async () => {
    // Prepare: the paid order of the first test, and what every caller is answered from its item
    const listed = await h.client.send(
      new QueryCommand({
        TableName: h.tableName,
        IndexName: 'byCustomer',
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: marshall({ ':pk': `CUSTOMER#${customer}` }),
      }),
    );
    const id = listed.Items?.[0]?.['PK']?.S?.slice('ORDER#'.length) ?? '';
    const key = { PK: `ORDER#${id}`, SK: 'ORDER' };
    const paymentKey = 'a3bb189e-8bf9-3888-9912-ace4e6543002';
    const payment = { orderId: id, paymentToken: 'tok_success', method: 'CARD' as const };
    const answers = async () => ({
      customer: await h.call('Query', 'getOrder', { id }, userIdentity(customer, 'customer')),
      vendors: await Promise.all(
        vendors.map((v) => h.call('Query', 'getOrder', { id }, userIdentity(`u-${v}`, 'vendor', v))),
      ),
      admin: await h.call('Query', 'getOrder', { id }, userIdentity('an-admin', 'admin')),
      myOrders: await h.call('Query', 'myOrders', { limit: 5 }, userIdentity(customer, 'customer')),
      orders: await h.call('Query', 'orders', { limit: 5 }, userIdentity('an-admin', 'admin')),
      replay: await h.call(
        'Mutation',
        'processPayment',
        { input: payment, idempotencyKey: paymentKey },
        userIdentity(customer, 'customer'),
      ),
      conflict: await h.call(
        'Mutation',
        'processPayment',
        { input: { ...payment, paymentToken: 'tok_other' }, idempotencyKey: paymentKey },
        userIdentity(customer, 'customer'),
      ),
      repeatedResult: await h.call(
        'Mutation',
        'recordPaymentResult',
        { input: { orderId: id, attempt: 1, status: 'SUCCEEDED', correlationId: 'c' } },
        iamIdentity,
      ),
    });
    const fromItem = await answers();
    const item = (
      await h.client.send(
        new GetItemCommand({ TableName: h.tableName, Key: marshall(key), ConsistentRead: true }),
      )
    ).Item!;
    const stored = unmarshall(item) as OrderItem;
    // The item as the code before wrote it: every attribute (their values as the test above checks
    // them), the request copy as a JSON object.
    const whole = orderFromItem(stored);
    const former = {
      ...stored,
      ...whole,
      paymentKeys: { [paymentKey]: { request: formerPaymentRequestOf(payment), attempt: 1 } },
    };
    expect(Object.keys(former).length).toBeGreaterThan(Object.keys(stored).length);
    await h.client.send(
      new PutItemCommand({ TableName: h.tableName, Item: marshall(former, { removeUndefinedValues: true }) }),
    );
    // Act
    const fromFormerItem = await answers();
    // Assess: byte for byte, and none of them an unexpected error
    expect(JSON.stringify(fromItem)).toBe(JSON.stringify(fromFormerItem));
    expect(fromItem.customer.errors).toEqual([]);
    expect(fromItem.vendors.map((v) => (v.data as { vendorIds: string[] }).vendorIds)).toEqual(
      vendors.map((v) => [v]),
    );
    expect((fromItem.orders.data as { items: unknown[] }).items).toEqual([fromItem.admin.data]);
    expect(fromItem.replay.data).toEqual((fromItem.admin.data as { payment: unknown }).payment);
    expect(fromItem.conflict.errors[0]).toMatchObject({ errorType: 'IdempotencyConflict' });
    expect(fromItem.repeatedResult.data).toMatchObject({ audience: 'INTERNAL', correlationId: id });
  });
});
