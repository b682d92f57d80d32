import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelOrderDocument } from '../../generated/graphql.js';
import { graphql, type Session } from '../support/client.js';
import {
  eventually,
  expectData,
  getOrder,
  getProduct,
  line,
  moveVendorPart,
  orderReaches,
  pay,
  placedOrder,
} from '../support/orders.js';
import { startScenarioStack, type ScenarioStack } from '../support/scenario-stack.js';

describe('payments, cancellations and refunds', () => {
  let ctx: ScenarioStack;
  /** The functions' own logs (`<function>.log`), as CloudWatch Logs would hold them. */
  let logDir: string;

  beforeAll(async () => {
    logDir = await mkdtemp(join(tmpdir(), 'orderloop-payments-'));
    ctx = await startScenarioStack({ logDir });
  });

  afterAll(async () => {
    await ctx?.stack.stop();
    if (logDir) await rm(logDir, { recursive: true, force: true });
  });

  /** The payment consumer's JSON log entries (Powertools), from its function log. */
  const paymentLog = async (): Promise<Record<string, unknown>[]> => {
    const file = (await readdir(logDir)).find((f) => f.includes('PaymentConsumer'));
    if (!file) return [];
    return (await readFile(join(logDir, file), 'utf8'))
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  };

  const stockOf = async (session: Session, vendorId: string, productId: string) => {
    const p = await getProduct(session, vendorId, productId);
    return { available: p.available, reserved: p.reserved };
  };
  /** Polls the catalog until the product's stock is `expected`: the inventory consumer moves it later. */
  const stockBecomes = (
    session: Session,
    vendorId: string,
    productId: string,
    expected: { available: number; reserved: number },
  ) =>
    eventually(
      () => stockOf(session, vendorId, productId),
      (s) => s.available === expected.available && s.reserved === expected.reserved,
      20_000,
      `${vendorId}/${productId} stock to be ${JSON.stringify(expected)}`,
    );

  it('moves a declined payment to PAYMENT_FAILED and lets the customer pay again', async () => {
    // Prepare
    const { customer } = ctx.users;
    const order = await placedOrder(customer, [line('v-borealis', 'p-filter', 2)]);

    // Act: when the first card is declined
    await pay(customer, order.id, 'tok_declined');
    const failed = await orderReaches(customer, order.id, 'PAYMENT_FAILED');
    // and the customer pays again with a card that works
    await pay(customer, order.id, 'tok_success');
    const paid = await orderReaches(customer, order.id, 'PAID');

    // Assess: schema.graphql "A declined payment is not an error: it is data"
    expect(failed.payment).toMatchObject({
      status: 'DECLINED',
      failureReason: 'card_declined',
      attempts: 1,
      amount: order.total,
    });
    expect(paid.payment).toMatchObject({
      status: 'SUCCEEDED',
      failureReason: null,
      attempts: 2,
      amount: order.total,
    });
    expect(paid.statusHistory.map((h) => h.to)).toEqual([
      'PLACED',
      'PAYMENT_PENDING',
      'PAYMENT_FAILED',
      'PAYMENT_PENDING',
      'PAID',
    ]);
  });

  it('voids a charge that timed out but went through, records it FAILED, and charges the next attempt once', async () => {
    // Prepare
    const { customer } = ctx.users;
    const order = await placedOrder(customer, [line('v-borealis', 'p-filter', 1)]);

    // Act: the provider takes the charge but every answer times out
    await pay(customer, order.id, 'tok_timeout_then_charged');
    const failed = await orderReaches(customer, order.id, 'PAYMENT_FAILED');
    // and the customer pays again
    await pay(customer, order.id, 'tok_success');
    const paid = await orderReaches(customer, order.id, 'PAID');

    // Assess: the unknown outcome was voided at the provider (the charge refunded) before FAILED was recorded
    expect(failed.payment).toMatchObject({
      status: 'FAILED',
      failureReason: 'provider_unavailable',
      attempts: 1,
    });
    const voided = await eventually(
      paymentLog,
      (entries) => entries.some((e) => e.orderId === order.id && e.refunded === true),
      20_000,
      'the payment consumer to log the void of attempt 1',
    );
    expect(voided.filter((e) => e.orderId === order.id && 'refunded' in e)).toEqual([
      expect.objectContaining({
        level: 'WARN',
        message: 'payment attempt voided after persistent provider errors',
        attempt: 1,
        refunded: true,
      }),
    ]);
    expect(paid.payment).toMatchObject({ status: 'SUCCEEDED', attempts: 2, amount: order.total });
  });

  it('refunds a paid order in full when the customer cancels it, and puts its stock back', async () => {
    // Prepare: given a paid two-vendor order
    const { customer } = ctx.users;
    const headlamp = await stockOf(customer, 'v-aurora', 'p-headlamp');
    const espresso = await stockOf(customer, 'v-borealis', 'p-espresso');
    const order = await placedOrder(customer, [
      line('v-aurora', 'p-headlamp', 3),
      line('v-borealis', 'p-espresso', 2),
    ]);
    await pay(customer, order.id, 'tok_success');
    await orderReaches(customer, order.id, 'PAID');

    // Act
    const cancelled = expectData(
      await graphql(customer, CancelOrderDocument, { orderId: order.id, reason: 'changed my mind' }),
      'cancelOrder',
    );

    // Assess: the order is cancelled at once; the refund (one per vendor part) and the stock follow
    expect(cancelled.cancelOrder.status).toBe('CANCELLED');
    const refunded = await eventually(
      () => getOrder(customer, order.id),
      (o) => o.payment?.status === 'REFUNDED',
      20_000,
      'a full refund',
    );
    expect(refunded.payment).toMatchObject({
      status: 'REFUNDED',
      refundedAmount: order.total,
      amount: order.total,
    });
    expect(refunded.vendorOrders.map((v) => v.status)).toEqual(['CANCELLED', 'CANCELLED']);
    await stockBecomes(customer, 'v-aurora', 'p-headlamp', headlamp);
    await stockBecomes(customer, 'v-borealis', 'p-espresso', espresso);
  });

  it('refunds only the rejecting vendor part, releases its stock, and lets the other vendor fulfil', async () => {
    // Prepare: given a paid two-vendor order, its stock still reserved (committed only when a part ships)
    const { customer, aurora, borealis } = ctx.users;
    const parka = await stockOf(customer, 'v-aurora', 'p-parka');
    const grinder = await stockOf(customer, 'v-borealis', 'p-grinder');
    const order = await placedOrder(customer, [
      line('v-aurora', 'p-parka', 1),
      line('v-borealis', 'p-grinder', 2),
    ]);
    const borealisSubtotal = order.vendorOrders.find((v) => v.vendorId === 'v-borealis')?.subtotal ?? -1;
    await pay(customer, order.id, 'tok_success');
    await orderReaches(customer, order.id, 'PAID');
    await stockBecomes(customer, 'v-borealis', 'p-grinder', {
      available: grinder.available - 2,
      reserved: grinder.reserved + 2,
    });

    // Act: when borealis rejects its part and aurora accepts its own
    await moveVendorPart(borealis, order.id, 'v-borealis', 'REJECTED', 'grinder damaged');
    await moveVendorPart(aurora, order.id, 'v-aurora', 'ACCEPTED');

    // Assess: a partial refund of exactly borealis's subtotal
    const refunded = await eventually(
      () => getOrder(customer, order.id),
      (o) => o.payment?.status === 'PARTIALLY_REFUNDED',
      20_000,
      'a partial refund',
    );
    expect(refunded.payment).toMatchObject({
      status: 'PARTIALLY_REFUNDED',
      refundedAmount: borealisSubtotal,
      amount: order.total,
    });
    expect(borealisSubtotal).toBeLessThan(order.total);
    // the rejected part's stock is back; the other part's stays reserved
    await stockBecomes(customer, 'v-borealis', 'p-grinder', grinder);
    expect(await stockOf(customer, 'v-aurora', 'p-parka')).toEqual({
      available: parka.available - 1,
      reserved: parka.reserved + 1,
    });
    // and the order goes on with aurora's part
    expect(refunded.status).toBe('FULFILLING');
    expect(refunded.vendorOrders.map((v) => [v.vendorId, v.status])).toEqual([
      ['v-aurora', 'ACCEPTED'],
      ['v-borealis', 'REJECTED'],
    ]);
    await moveVendorPart(aurora, order.id, 'v-aurora', 'SHIPPED');
    expect((await getOrder(customer, order.id)).status).toBe('SHIPPED');
    // and once shipped, aurora's part is committed: no longer reserved, not back in available
    await stockBecomes(customer, 'v-aurora', 'p-parka', {
      available: parka.available - 1,
      reserved: parka.reserved,
    });
  });
});
