import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { itemSize, WRITE_UNIT_BYTES } from '@orderloop/local/meter';
import { address, iamIdentity, productItem, startHarness, userIdentity, type Harness } from './harness.js';

/**
 * What each item of an order weighs against DynamoDB's 1 KB write unit (attribute names count:
 * "Item sizes and formats", local/meter/units.ts). The single-item writes of the payment path are billed
 * per started KB of the larger of the item before and after the write (read-write-operations.html), so
 * folding the payment attempt and processPayment's idempotency into the order item pays off only while
 * it adds less than a transaction's extra items cost. These figures are the ones docs/capacity.md quotes.
 */
describe('item sizes of a base order (3 lines from 2 vendors)', () => {
  let h: Harness;
  // A Cognito sub and the demo vendors' ids and names, as in the cost scenario.
  const customer = '0f8fad5b-d9cb-469f-a165-70867728950e';
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

  it('keeps each payment write of the order item at most 3 WRU, with the attempt and its key on the item', async () => {
    // Prepare
    await h.seed({ ...productItem(vendors[0]!, 'p-headlamp'), name: 'Aurora headlamp' });
    await h.seed({ ...productItem(vendors[0]!, 'p-parka'), name: 'Aurora down parka' });
    await h.seed({ ...productItem(vendors[1]!, 'p-espresso'), name: 'Borealis espresso beans 1 kg' });
    const lines = [
      { vendorId: vendors[0]!, productId: 'p-headlamp', quantity: 1 },
      { vendorId: vendors[0]!, productId: 'p-parka', quantity: 1 },
      { vendorId: vendors[1]!, productId: 'p-espresso', quantity: 2 },
    ];
    const placed = await h.call(
      'Mutation',
      'placeOrder',
      { input: { lines, shippingAddress: address }, idempotencyKey: '7d444840-9dc0-11d1-b245-5ffdce74fad2' },
      userIdentity(customer, 'customer'),
    );
    const orderId = (placed.data as { id: string }).id;
    const pk = `ORDER#${orderId}`;
    const sizes: Record<string, number> = { placed: await sizeOf(pk, 'ORDER') };
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
      processPaymentWru: units(sizes.placed!, sizes.pending!),
      recordPaymentResultWru: units(sizes.pending!, sizes.paid!),
    };
    // printed for docs/capacity.md ("Item sizes")
    console.info('base order item sizes (bytes) and payment write units', figures);
    // The attempt, its token and its key add under 1 KB, so each payment write is at most 3 WRU (the
    // transactions they replace billed 2 units per KB for the order plus 2 per extra item: at least 10 and 8).
    expect(sizes.pending! - sizes.placed!).toBeLessThan(WRITE_UNIT_BYTES);
    expect(figures.processPaymentWru).toBeLessThanOrEqual(3);
    expect(figures.recordPaymentResultWru).toBeLessThanOrEqual(3);
    // Removing the token when the result lands keeps PAID within what PAYMENT_PENDING took, plus history.
    expect(sizes.paid! - sizes.pending!).toBeLessThan(WRITE_UNIT_BYTES / 4);
    for (const bytes of parts) expect(bytes).toBeLessThanOrEqual(WRITE_UNIT_BYTES);
  });
});
