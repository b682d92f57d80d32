import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { parseEnvelope, type Envelope } from '../../../domain/events/envelope.js';
import { handleInventoryEvent, type InventoryDeps } from '../../../functions/inventory/logic.js';
import { createDocumentClient } from '../../../functions/lib/table.js';
import { sweep, type SweeperDeps } from '../../../functions/sweeper/logic.js';
import {
  address,
  iamIdentity,
  productItem,
  startHarness,
  userIdentity,
  type Harness,
} from '../resolvers/harness.js';
import { quietLogger } from '../../unit/functions/fakes.js';
import { LIST_SHARDS, productKey, shardOf, sweeperWatermarkKey } from '../../../domain/keys.js';
import { orderFromItem, orderView, type OrderItem } from '../../../domain/views.js';

type OrderView = {
  id: string;
  customerId: string;
  status: string;
  version: number;
  vendorIds: string[];
  lines: {
    vendorId: string;
    productId: string;
    name: string;
    quantity: number;
    unitPrice: number;
    lineTotal: number;
  }[];
  statusHistory: { actor: string; to: string; reason: string | null }[];
  vendorOrders: { vendorId: string; status: string }[];
};

describe('inventory and sweeper consumers against DynamoDB Local', () => {
  let h: Harness;
  let inventory: InventoryDeps;
  let n = 0;
  const fresh = (prefix: string) => `${prefix}-${++n}-${Date.now()}`;
  const doc = () => createDocumentClient(h.client);
  const get = async (PK: string, SK: string) =>
    (await doc().send(new GetCommand({ TableName: h.tableName, Key: { PK, SK }, ConsistentRead: true })))
      .Item;
  const product = (vendorId: string, productId: string) =>
    get(productKey(vendorId, productId).PK, productKey(vendorId, productId).SK);
  // The order as GraphQL returns it: the item derives its id, customer, vendor ids and lines' totals
  // (domain/views.ts orderFromItem).
  const order = async (id: string) =>
    orderView(orderFromItem((await get(`ORDER#${id}`, 'ORDER')) as OrderItem)) as unknown as OrderView;

  async function place(available = 5, quantity = 2) {
    const [v, customer] = [fresh('v'), fresh('c')];
    await h.seed(productItem(v, 'p', { available }));
    const r = await h.call(
      'Mutation',
      'placeOrder',
      {
        input: { lines: [{ vendorId: v, productId: 'p', quantity }], shippingAddress: address },
        idempotencyKey: 'k',
      },
      userIdentity(customer, 'customer'),
    );
    return { v, customer, orderId: (r.data as { id: string }).id };
  }

  /** The order.statusChanged event the stream enricher would build for the order as stored now. */
  async function orderEvent(
    orderId: string,
    previousStatus: string | null,
    id = fresh('evt'),
  ): Promise<Envelope> {
    const o = await order(orderId);
    return parseEnvelope({
      type: 'order.statusChanged',
      version: 1,
      id,
      time: '2025-01-01T00:00:00.000Z',
      correlationId: 'corr',
      data: {
        orderId: o.id,
        customerId: o.customerId,
        vendorIds: o.vendorIds,
        status: o.status,
        previousStatus,
        total: 0,
        currency: 'USD',
        lines: o.lines,
        payment: null,
        reason: null,
        actor: 'SYSTEM',
        version: o.version,
        at: 'now',
        vendorOrders: o.vendorOrders.map((v) => ({ vendorId: v.vendorId, status: v.status })),
      },
    });
  }

  function vendorEvent(
    orderId: string,
    vendorId: string,
    status: string,
    lines: OrderView['lines'],
  ): Envelope {
    return parseEnvelope({
      type: 'vendorOrder.statusChanged',
      version: 1,
      id: fresh('evt'),
      time: 'now',
      correlationId: 'corr',
      data: {
        orderId,
        vendorId,
        customerId: 'c',
        status,
        previousStatus: 'PENDING',
        lines,
        subtotal: 0,
        currency: 'USD',
        reason: null,
        version: 2,
        at: 'now',
      },
    });
  }

  async function markPaid(orderId: string, customer: string) {
    await h.call(
      'Mutation',
      'processPayment',
      { input: { orderId, paymentToken: 'tok_success' }, idempotencyKey: fresh('pay') },
      userIdentity(customer, 'customer'),
    );
    await h.call(
      'Mutation',
      'recordPaymentResult',
      { input: { orderId, attempt: 1, status: 'SUCCEEDED', correlationId: 'corr' } },
      iamIdentity,
    );
  }

  beforeAll(async () => {
    h = await startHarness();
    inventory = { doc: doc(), tableName: h.tableName, logger: quietLogger };
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('keeps stock reserved when the order is paid, and commits it once when the part ships, however often the event arrives', async () => {
    // Prepare
    const o = await place(5, 2);
    await markPaid(o.orderId, o.customer);
    const lines = (await order(o.orderId)).lines;
    await handleInventoryEvent(await orderEvent(o.orderId, 'PAYMENT_PENDING'), inventory);
    const paid = await product(o.v, 'p');
    const shipped = vendorEvent(o.orderId, o.v, 'SHIPPED', lines);
    // Act
    await handleInventoryEvent(shipped, inventory);
    await handleInventoryEvent(shipped, inventory);
    // Assess
    expect(paid).toMatchObject({ available: 3, reserved: 2 });
    expect(await product(o.v, 'p')).toMatchObject({ available: 3, reserved: 0 });
  });

  it('returns reserved stock to available once when a vendor rejects its part after payment', async () => {
    // Prepare
    const o = await place(5, 2);
    await markPaid(o.orderId, o.customer);
    const lines = (await order(o.orderId)).lines;
    // Act
    await handleInventoryEvent(vendorEvent(o.orderId, o.v, 'REJECTED', lines), inventory);
    await handleInventoryEvent(vendorEvent(o.orderId, o.v, 'REJECTED', lines), inventory);
    // Assess
    expect(await product(o.v, 'p')).toMatchObject({ available: 5, reserved: 0 });
  });

  it('releases reserved stock once for a cancelled unpaid order, even when the vendor-order events arrive too', async () => {
    // Prepare
    const o = await place(5, 2);
    await h.call('Mutation', 'cancelOrder', { orderId: o.orderId }, userIdentity(o.customer, 'customer'));
    const lines = (await order(o.orderId)).lines;
    // Act
    await handleInventoryEvent(await orderEvent(o.orderId, 'PLACED'), inventory);
    await handleInventoryEvent(vendorEvent(o.orderId, o.v, 'CANCELLED', lines), inventory);
    // Assess
    expect(await product(o.v, 'p')).toMatchObject({ available: 5, reserved: 0 });
  });

  it('releases a paid order cancelled before shipping once, and a late shipped event commits nothing', async () => {
    // Prepare
    const o = await place(5, 2);
    await markPaid(o.orderId, o.customer);
    await h.call('Mutation', 'cancelOrder', { orderId: o.orderId }, userIdentity(o.customer, 'customer'));
    const lines = (await order(o.orderId)).lines;
    // Act
    await handleInventoryEvent(await orderEvent(o.orderId, 'PAID'), inventory);
    await handleInventoryEvent(await orderEvent(o.orderId, 'PAID'), inventory);
    await handleInventoryEvent(vendorEvent(o.orderId, o.v, 'SHIPPED', lines), inventory);
    // Assess
    expect((await order(o.orderId)).status).toBe('CANCELLED');
    expect(await product(o.v, 'p')).toMatchObject({ available: 5, reserved: 0 });
  });

  it('cancels orders left unpaid past the TTL as SYSTEM, once, and leaves fresh ones alone', async () => {
    // Prepare
    const stale = await place();
    const later = (minutes: number) => () => new Date(Date.now() + minutes * 60_000);
    const deps = (clock: () => Date): SweeperDeps => ({
      doc: doc(),
      tableName: h.tableName,
      logger: quietLogger,
      clock,
      unpaidTtlMinutes: 30,
    });
    // Act
    const early = await sweep(deps(later(10)));
    const due = await sweep(deps(later(31)));
    const again = await sweep(deps(later(32)));
    // Assess
    expect(early.expired).not.toContain(stale.orderId);
    expect(due.expired).toContain(stale.orderId);
    expect(again.expired).not.toContain(stale.orderId);
    const o = await order(stale.orderId);
    expect(o.status).toBe('CANCELLED');
    expect(o.statusHistory.at(-1)).toMatchObject({
      actor: 'SYSTEM',
      to: 'CANCELLED',
      reason: 'unpaid for more than 30 minutes',
    });
    // in the one write of the order item, which holds its part
    expect(o.vendorOrders).toEqual([expect.objectContaining({ vendorId: stale.v, status: 'CANCELLED' })]);
    expect(await get(`ORDER#${stale.orderId}`, `VENDOR#${stale.v}`)).toBeFalsy();
  });

  it('cancels an order placed before a sweeper outage after it, leaves a paid one alone, and stores its watermark', async () => {
    // Prepare: given an unpaid and a paid order, a sweep before either is due, then six hours without one
    const unpaid = await place();
    const paid = await place();
    await markPaid(paid.orderId, paid.customer);
    const at = (minutes: number): SweeperDeps => ({
      doc: doc(),
      tableName: h.tableName,
      logger: quietLogger,
      clock: () => new Date(Date.now() + minutes * 60_000),
      unpaidTtlMinutes: 30,
      maxPagesPerShard: 2,
    });
    const early = await sweep(at(10));
    // Act: when the sweeper runs again after the outage, a few pages per shard and run
    const expired: string[] = [];
    for (let run = 0; run < 20 && !expired.includes(unpaid.orderId); run++)
      expired.push(...(await sweep(at(6 * 60))).expired);
    // Assess
    expect(early.expired).not.toContain(unpaid.orderId);
    expect(expired).toContain(unpaid.orderId);
    expect(await order(unpaid.orderId)).toMatchObject({ status: 'CANCELLED' });
    expect(await order(paid.orderId)).toMatchObject({ status: 'PAID' });
    const shard = shardOf(unpaid.orderId, LIST_SHARDS);
    const mark = await get(sweeperWatermarkKey(shard).PK, sweeperWatermarkKey(shard).SK);
    const placed = (await get(`ORDER#${unpaid.orderId}`, 'ORDER')) as { GSISK: string };
    expect(mark?.['sweptTo'] >= placed.GSISK).toBe(true);
  });

  it('completes a delivered order in a write of its own', async () => {
    // Prepare
    const o = await place();
    await markPaid(o.orderId, o.customer);
    const vendor = userIdentity(fresh('u'), 'vendor', o.v);
    const move = (status: string, extra: Record<string, unknown> = {}) =>
      h.call(
        'Mutation',
        'updateVendorOrderStatus',
        { input: { orderId: o.orderId, vendorId: o.v, status, ...extra } },
        vendor,
      );
    await move('ACCEPTED');
    await move('SHIPPED', { tracking: { carrier: 'UPS', trackingNumber: '1' } });
    await move('DELIVERED');
    // Act
    const result = await sweep({
      doc: doc(),
      tableName: h.tableName,
      logger: quietLogger,
      clock: () => new Date(),
      unpaidTtlMinutes: 30,
    });
    // Assess
    expect(result.completed).toContain(o.orderId);
    expect(await order(o.orderId)).toMatchObject({ status: 'COMPLETED' });
  });
});
