import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetItemCommand, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { itemSize, WRITE_UNIT_BYTES } from '@orderloop/local/meter';
import { DEMO_PRODUCTS } from '../../../scripts/seed.js';
import { SHIPPING_ADDRESS } from '../../e2e/support/orders.js';
import { iamIdentity, productItem, startHarness, userIdentity, type Harness } from './harness.js';

/**
 * What the order item of the cost meter's base order (3 lines from 2 vendors, the demo products, the e2e
 * shipping address) weighs against DynamoDB's 1 KB write unit, by DynamoDB's size rules (attribute names
 * count: "Item sizes and formats", local/meter/units.ts `itemSize`). A write is billed per started KB of
 * the item, an UpdateItem at the larger of before and after, a transactional write at twice that
 * (read-write-operations.html, transaction-apis.html). The order item stores nothing it can derive and no
 * null (domain/views.ts), so the placement transaction pays 2 WRU for it, and processPayment and the
 * charge result 2 WRU each. These figures are the ones docs/capacity.md quotes.
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

  it('keeps the order item within 1 KB at placement and 2 KB once paid', async () => {
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
    // The placement wrote the order, its two parts and the three products, and nothing else: the order
    // item is the idempotency key's record (6 items in the transaction, at 2 units each)
    const table = await h.client.send(new ScanCommand({ TableName: h.tableName, ConsistentRead: true }));
    expect(table.Items?.map((i) => `${i['PK']?.S} ${i['SK']?.S}`).sort()).toEqual(
      [
        `${pk} ORDER`,
        ...vendors.map((v) => `${pk} VENDOR#${v}`),
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
    // Assess: the partition holds the order and its two vendor parts only (no payment attempt item)
    expect(partition.Items?.map((i) => i['SK']?.S).sort()).toEqual([
      'ORDER',
      ...vendors.map((v) => `VENDOR#${v}`),
    ]);
    const parts = (partition.Items ?? []).filter((i) => i['SK']?.S !== 'ORDER').map((i) => itemSize(i));
    // Each single-item payment write bills the larger of the item before and after it, per started KB.
    const units = (before: number, after: number) => Math.ceil(Math.max(before, after) / WRITE_UNIT_BYTES);
    const figures = {
      ...sizes,
      vendorParts: parts,
      placementOrderWru: 2 * units(0, sizes.placed!),
      processPaymentWru: units(sizes.placed!, sizes.pending!),
      recordPaymentResultWru: units(sizes.pending!, sizes.paid!),
    };
    // printed for docs/capacity.md ("Item sizes")
    console.info('base order item sizes (bytes) and write units', figures);
    expect(sizes.placed).toBeLessThanOrEqual(WRITE_UNIT_BYTES);
    expect(sizes.pending).toBeLessThanOrEqual(2 * WRITE_UNIT_BYTES);
    expect(sizes.paid).toBeLessThanOrEqual(2 * WRITE_UNIT_BYTES);
    expect(figures).toMatchObject({ placementOrderWru: 2, processPaymentWru: 2, recordPaymentResultWru: 2 });
    for (const bytes of parts) expect(bytes).toBeLessThanOrEqual(WRITE_UNIT_BYTES);
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
    expect(order.statusHistory[0]).toEqual({
      from: null,
      to: 'PLACED',
      vendorId: null,
      vendorStatus: null,
      actor: 'CUSTOMER',
      actorId: customer,
      reason: null,
      at: order.createdAt,
    });
    expect((order.shippingAddress as Record<string, unknown>).line2).toBeNull();
  });
});
