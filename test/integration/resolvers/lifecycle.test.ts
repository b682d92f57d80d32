import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import {
  matchesSubscriptionFilter,
  type SubscriptionFilterObject,
} from '@orderloop/local/appsync/subscriptions/filter';
import { LIST_SHARDS, notificationKey, shardOf } from '../../../domain/keys.js';
import { address, iamIdentity, productItem, startHarness, userIdentity, type Harness } from './harness.js';
import { orderFromItem, paymentView, type OrderItem, type StoredPayment } from '../../../domain/views.js';

describe('order lifecycle resolvers', () => {
  let h: Harness;
  let n = 0;
  const fresh = (prefix: string) => `${prefix}-${++n}-${Date.now()}`;
  const getItem = async (PK: string, SK: string) => {
    const out = await h.client.send(
      new GetItemCommand({ TableName: h.tableName, Key: marshall({ PK, SK }), ConsistentRead: true }),
    );
    return out.Item ? unmarshall(out.Item) : null;
  };
  /** The whole order as every reader gets it from its item (domain/views.ts orderFromItem). */
  const getOrder = async (orderId: string) => {
    const item = await getItem(`ORDER#${orderId}`, 'ORDER');
    return item ? orderFromItem(item as OrderItem) : null;
  };

  /** Seeds two vendors' products and places one order with a line from each. */
  async function placedOrder(customer = fresh('c')) {
    const [v1, v2] = [fresh('v'), fresh('v')];
    await h.seed(productItem(v1, 'a', { price: 300 }));
    await h.seed(productItem(v2, 'b', { price: 700 }));
    const lines = [
      { vendorId: v1, productId: 'a', quantity: 1 },
      { vendorId: v2, productId: 'b', quantity: 1 },
    ];
    const result = await h.call(
      'Mutation',
      'placeOrder',
      { input: { lines, shippingAddress: address }, idempotencyKey: fresh('k') },
      userIdentity(customer, 'customer'),
    );
    const order = result.data as { id: string; total: number };
    return { v1, v2, customer, orderId: order.id, total: order.total };
  }

  async function pay(o: { orderId: string; customer: string }, key = fresh('pay'), token = 'tok_success') {
    return h.call(
      'Mutation',
      'processPayment',
      { input: { orderId: o.orderId, paymentToken: token }, idempotencyKey: key },
      userIdentity(o.customer, 'customer'),
    );
  }

  async function paidOrder() {
    const o = await placedOrder();
    await pay(o);
    const recorded = await h.call(
      'Mutation',
      'recordPaymentResult',
      { input: { orderId: o.orderId, attempt: 1, status: 'SUCCEEDED', correlationId: 'c' } },
      iamIdentity,
    );
    expect(recorded.errors).toEqual([]);
    return o;
  }

  const vendorUpdate = (
    o: { orderId: string },
    vendorId: string,
    status: string,
    extra: Record<string, unknown> = {},
  ) =>
    h.call(
      'Mutation',
      'updateVendorOrderStatus',
      { input: { orderId: o.orderId, vendorId, status, ...extra } },
      userIdentity(fresh('u'), 'vendor', vendorId),
    );

  beforeAll(async () => {
    h = await startHarness();
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
  });

  describe('processPayment', () => {
    it('records a payment request for the order total and moves the order to PAYMENT_PENDING', async () => {
      // Prepare
      const o = await placedOrder();
      // Act
      const result = await pay(o, 'pk1', 'tok_declined');
      // Assess
      expect(result.data).toMatchObject({
        orderId: o.orderId,
        amount: o.total,
        status: 'PENDING',
        attempts: 1,
      });
      // The attempt, its token and the call's key live on the order item: one UpdateItem, no other item
      const stored = await getOrder(o.orderId);
      expect(stored).toMatchObject({
        status: 'PAYMENT_PENDING',
        version: 2,
        paymentToken: 'tok_declined',
        payment: { attempts: 1, amount: o.total, status: 'PENDING' },
        paymentKeys: { pk1: { attempt: 1 } },
      });
      // Only DELIVERED keeps a byStatus entry: neither placing nor paying wrote one.
      expect(await getItem(`ORDER#${o.orderId}`, 'ORDER')).not.toHaveProperty('GSI3PK');
      expect(await getItem(`ORDER#${o.orderId}`, 'PAYMENT#0001')).toBeNull();
      expect(await getItem('IDEMPOTENCY#processPayment#' + o.customer + '#pk1', 'IDEMPOTENCY')).toBeNull();
    });

    it('returns the same payment for a repeated idempotency key and rejects a different payload', async () => {
      // Prepare
      const o = await placedOrder();
      await pay(o, 'same');
      // Act
      const replay = await pay(o, 'same');
      const conflict = await pay(o, 'same', 'tok_declined');
      // Assess
      expect(replay.errors).toEqual([]);
      expect(replay.data).toMatchObject({ attempts: 1, status: 'PENDING' });
      expect(conflict.errors[0]?.errorType).toBe('IdempotencyConflict');
    });

    it('replays the first payment to a retry that read the order before the first call committed', async () => {
      // Prepare: the retry reads the order (no key yet), then the first call commits, then the retry
      // writes with a condition the first call broke, and sees the key on the order as it is now
      const o = await placedOrder();
      let first: Awaited<ReturnType<typeof pay>> | null = null;
      h.beforeRequest = async (request) => {
        const key = request['key'] as { PK?: { S?: string }; SK?: { S?: string } } | undefined;
        if (first === null && request['operation'] === 'GetItem' && key?.SK?.S === 'ORDER') {
          h.beforeRequest = null;
          first = await pay(o, 'same-key');
        }
      };
      // Act
      const retry = await pay(o, 'same-key');
      h.beforeRequest = null;
      // Assess
      expect(first).not.toBeNull();
      expect(first!.errors).toEqual([]);
      expect(retry.errors).toEqual([]);
      expect(retry.data).toEqual(first!.data);
      // requested once
      expect(await getOrder(o.orderId)).toMatchObject({
        version: 2,
        payment: { attempts: 1 },
      });
    });

    it('answers 50 concurrent calls with one idempotency key with one and the same payment', async () => {
      // Prepare
      const o = await placedOrder();
      // Act
      const results = await Promise.all(Array.from({ length: 50 }, () => pay(o, 'burst-key')));
      // Assess
      expect(results.flatMap((r) => r.errors.map((e) => e.errorType))).toEqual([]);
      for (const r of results) expect(r.data).toEqual(results[0]?.data);
      expect(results[0]?.data).toMatchObject({ attempts: 1, status: 'PENDING', amount: o.total });
      expect(await getOrder(o.orderId)).toMatchObject({
        version: 2,
        payment: { attempts: 1 },
      });
    });

    it('rejects a call with another key that lost the race to a concurrent payment as InvalidTransition', async () => {
      // Prepare: the loser has read the order (PLACED) when the winner's write lands
      const o = await placedOrder();
      let winner: Awaited<ReturnType<typeof pay>> | null = null;
      h.beforeRequest = async (request) => {
        if (winner === null && request['operation'] === 'UpdateItem') {
          h.beforeRequest = null;
          winner = await pay(o, 'winner');
        }
      };
      // Act
      const loser = await pay(o, 'loser');
      h.beforeRequest = null;
      // Assess: the loser's condition failed, and the order read again says why
      expect(winner!.errors).toEqual([]);
      expect(loser.errors[0]).toMatchObject({
        errorType: 'InvalidTransition',
        errorInfo: { from: 'PAYMENT_PENDING', to: 'PAYMENT_PENDING' },
      });
      expect(await getOrder(o.orderId)).toMatchObject({
        version: 2,
        paymentKeys: { winner: { attempt: 1 } },
      });
    });

    it("replays an earlier attempt's key after a declined attempt and a retry, and starts no new attempt", async () => {
      // Prepare: attempt 1 (key k1) declined, attempt 2 (key k2) declined too
      const o = await placedOrder();
      const decline = (attempt: number) =>
        h.call(
          'Mutation',
          'recordPaymentResult',
          {
            input: {
              orderId: o.orderId,
              attempt,
              status: 'DECLINED',
              failureReason: 'no',
              correlationId: 'c',
            },
          },
          iamIdentity,
        );
      await pay(o, 'k1');
      await decline(1);
      await pay(o, 'k2');
      await decline(2);
      // Act: the first call's retry arrives late, with the order open for payment again
      const late = await pay(o, 'k1');
      const conflict = await pay(o, 'k1', 'tok_other');
      // Assess: the order's payment as it is now, no third attempt, and the key still guards its payload
      expect(late.errors).toEqual([]);
      expect(late.data).toMatchObject({ attempts: 2, status: 'DECLINED' });
      expect(conflict.errors[0]?.errorType).toBe('IdempotencyConflict');
      expect(await getOrder(o.orderId)).toMatchObject({
        status: 'PAYMENT_FAILED',
        payment: { attempts: 2 },
        paymentKeys: { k1: { attempt: 1 }, k2: { attempt: 2 } },
      });
    });

    it('scopes a payment key to its order: the same key pays another order of the same customer', async () => {
      // Prepare
      const o = await placedOrder();
      const other = await placedOrder(o.customer);
      await pay(o, 'shared');
      // Act
      const result = await pay(other, 'shared');
      // Assess
      expect(result.errors).toEqual([]);
      expect(result.data).toMatchObject({ orderId: other.orderId, attempts: 1, status: 'PENDING' });
    });

    it('rejects paying an order that is already being paid as InvalidTransition', async () => {
      // Prepare
      const o = await placedOrder();
      await pay(o);
      // Act
      const result = await pay(o);
      // Assess
      expect(result.errors[0]).toMatchObject({
        errorType: 'InvalidTransition',
        errorInfo: { from: 'PAYMENT_PENDING', to: 'PAYMENT_PENDING' },
      });
    });

    it("rejects paying another customer's order as NotFound", async () => {
      // Prepare
      const o = await placedOrder();
      // Act
      const result = await pay({ ...o, customer: fresh('intruder') });
      // Assess
      expect(result.errors[0]?.errorType).toBe('NotFound');
    });
  });

  describe('recordPaymentResult', () => {
    it('moves the order to PAYMENT_FAILED on a decline, and a retry is a second attempt', async () => {
      // Prepare
      const o = await placedOrder();
      await pay(o);
      // Act
      const declined = await h.call(
        'Mutation',
        'recordPaymentResult',
        {
          input: {
            orderId: o.orderId,
            attempt: 1,
            status: 'DECLINED',
            failureReason: 'card declined',
            correlationId: 'c',
          },
        },
        iamIdentity,
      );
      const retry = await pay(o);
      // Assess
      // the answer is the customer-facing PAYMENT_FAILED event, which the customer's subscriptions receive
      expect(declined.data).toMatchObject({
        audience: 'CUSTOMER',
        orderId: o.orderId,
        customerId: o.customer,
        vendorIds: [o.v1, o.v2],
        status: 'PAYMENT_FAILED',
        previousStatus: 'PAYMENT_PENDING',
        reason: 'card declined',
        actor: 'SYSTEM',
        payment: { status: 'DECLINED', failureReason: 'card declined' },
      });
      expect(retry.data).toMatchObject({ attempts: 2, status: 'PENDING' });
    });

    it("records a charge result on the order item alone and drops the attempt's token", async () => {
      // Prepare
      const o = await placedOrder();
      await pay(o, 'k', 'tok_success');
      // Act
      const recorded = await h.call(
        'Mutation',
        'recordPaymentResult',
        { input: { orderId: o.orderId, attempt: 1, status: 'SUCCEEDED', correlationId: 'c' } },
        iamIdentity,
      );
      // Assess
      expect(recorded.errors).toEqual([]);
      expect(recorded.data).toMatchObject({ status: 'PAID', payment: { status: 'SUCCEEDED', attempts: 1 } });
      const stored = await getOrder(o.orderId);
      expect(stored).toMatchObject({ status: 'PAID', version: 3, payment: { status: 'SUCCEEDED' } });
      expect(stored).not.toHaveProperty('paymentToken');
      expect(await getItem(`ORDER#${o.orderId}`, 'PAYMENT#0001')).toBeNull();
    });

    it('answers the PAID event, with the version and payment the order now holds, when a charge succeeds', async () => {
      // Prepare
      const o = await placedOrder();
      await pay(o);
      // Act
      const recorded = await h.call(
        'Mutation',
        'recordPaymentResult',
        { input: { orderId: o.orderId, attempt: 1, status: 'SUCCEEDED', correlationId: 'c' } },
        iamIdentity,
      );
      // Assess: the event says what the stream's order item says (what the PAID relay used to send)
      const stored = await getOrder(o.orderId);
      expect(recorded.errors).toEqual([]);
      expect(recorded.data).toEqual({
        audience: 'CUSTOMER',
        orderId: o.orderId,
        customerId: o.customer,
        vendorIds: [o.v1, o.v2],
        status: 'PAID',
        previousStatus: 'PAYMENT_PENDING',
        vendorId: null,
        vendorStatus: null,
        // the view of the stored payment: the item keeps its orderId and currency on the order, no null
        payment: paymentView(stored!, stored?.payment as StoredPayment),
        reason: null,
        actor: 'SYSTEM',
        version: stored?.version,
        correlationId: stored?.correlationId,
        at: stored?.updatedAt,
      });
    });

    it('changes nothing for a repeated or stale result and answers an INTERNAL event that no subscriber admits', async () => {
      // Prepare
      const o = await paidOrder();
      const before = await getOrder(o.orderId);
      // Act
      const repeated = await h.call(
        'Mutation',
        'recordPaymentResult',
        { input: { orderId: o.orderId, attempt: 1, status: 'SUCCEEDED', correlationId: 'c' } },
        iamIdentity,
      );
      const stale = await h.call(
        'Mutation',
        'recordPaymentResult',
        { input: { orderId: o.orderId, attempt: 1, status: 'DECLINED', correlationId: 'c' } },
        iamIdentity,
      );
      // Assess
      for (const answer of [repeated, stale]) {
        expect(answer.errors).toEqual([]);
        expect(answer.data).toMatchObject({
          audience: 'INTERNAL',
          status: 'PAID',
          previousStatus: null,
          version: before?.version,
          payment: { status: 'SUCCEEDED' },
        });
      }
      expect(await getOrder(o.orderId)).toEqual(before);
    });

    it('records one refund per vendor part, and a repeated refund changes nothing', async () => {
      // Prepare
      const o = await paidOrder();
      const refund = (vendorId: string, amount: number) =>
        h.call(
          'Mutation',
          'recordPaymentResult',
          {
            input: {
              orderId: o.orderId,
              attempt: 1,
              status: 'PARTIALLY_REFUNDED',
              refundedAmount: amount,
              vendorId,
              correlationId: 'c',
            },
          },
          iamIdentity,
        );
      // Act
      const first = await refund(o.v1, 300);
      const repeated = await refund(o.v1, 300);
      const second = await refund(o.v2, 700);
      // Assess
      // a refund moves no order status, so its answer is INTERNAL: it pushes nothing
      expect(first.data).toMatchObject({
        audience: 'INTERNAL',
        payment: { status: 'PARTIALLY_REFUNDED', refundedAmount: 300 },
      });
      expect(repeated.data).toMatchObject({ audience: 'INTERNAL', payment: { refundedAmount: 300 } });
      expect(second.data).toMatchObject({
        audience: 'INTERNAL',
        payment: { status: 'REFUNDED', refundedAmount: 1000 },
      });
      expect(await getOrder(o.orderId)).toMatchObject({ status: 'PAID' }); // refunds do not move the order
    });
  });

  describe('refunds', () => {
    const refund = (o: { orderId: string }, vendorId: string, amount: number) =>
      h.call(
        'Mutation',
        'recordPaymentResult',
        {
          input: {
            orderId: o.orderId,
            attempt: 1,
            status: 'PARTIALLY_REFUNDED',
            refundedAmount: amount,
            vendorId,
            correlationId: 'c',
          },
        },
        iamIdentity,
      );

    it("records two vendor parts' refunds that race on one payment, and ends REFUNDED", async () => {
      // Prepare: v1's refund has read the order when v2's refund lands
      const o = await paidOrder();
      let other: Awaited<ReturnType<typeof refund>> | null = null;
      h.beforeRequest = async (request) => {
        if (other === null && request['operation'] === 'UpdateItem') {
          h.beforeRequest = null;
          other = await refund(o, o.v2, 700);
        }
      };
      // Act
      const first = await refund(o, o.v1, 300);
      h.beforeRequest = null;
      // Assess: neither waits for a retry
      expect(other).not.toBeNull();
      expect(other!.errors).toEqual([]);
      expect(first.errors).toEqual([]);
      const stored = await getOrder(o.orderId);
      expect(stored?.payment).toMatchObject({ status: 'REFUNDED', refundedAmount: o.total, amount: o.total });
      expect([...(stored?.refundedVendorIds as string[])].sort()).toEqual([o.v1, o.v2].sort());
      expect(stored?.status).toBe('PAID'); // refunds do not move the order
    });

    it('records each part once when its refund results arrive many times at once', async () => {
      // Prepare
      const o = await paidOrder();
      // Act
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? refund(o, o.v1, 300) : refund(o, o.v2, 700))),
      );
      // Assess
      expect(results.flatMap((r) => r.errors)).toEqual([]);
      const stored = await getOrder(o.orderId);
      expect(stored?.payment).toMatchObject({ status: 'REFUNDED', refundedAmount: o.total });
      expect(stored?.refundedVendorIds).toHaveLength(2);
    });

    it('rejects a refund that would return more than was paid, and writes nothing', async () => {
      // Prepare
      const o = await paidOrder();
      const before = await getOrder(o.orderId);
      // Act
      const result = await refund(o, o.v1, o.total + 1);
      // Assess
      expect(result.errors[0]).toMatchObject({ errorType: 'ValidationError' });
      expect(await getOrder(o.orderId)).toEqual(before);
    });
  });

  describe('cancelOrder', () => {
    it('cancels a placed order and every vendor order', async () => {
      // Prepare
      const o = await placedOrder();
      // Act
      const result = await h.call(
        'Mutation',
        'cancelOrder',
        { orderId: o.orderId, reason: 'changed my mind' },
        userIdentity(o.customer, 'customer'),
      );
      // Assess
      expect(result.errors).toEqual([]);
      expect(result.data).toMatchObject({ status: 'CANCELLED', version: 2 });
      // The order item is the one copy of its parts: no vendor-part item is written
      expect(await getItem(`ORDER#${o.orderId}`, `VENDOR#${o.v1}`)).toBeNull();
      const stored = await getOrder(o.orderId);
      expect(stored?.vendorOrders.map((v: { status: string }) => v.status)).toEqual([
        'CANCELLED',
        'CANCELLED',
      ]);
      expect(stored?.statusHistory.at(-1)).toMatchObject({
        from: 'PLACED',
        to: 'CANCELLED',
        actor: 'CUSTOMER',
        reason: 'changed my mind',
      });
    });

    it('answers ConcurrentModification when the order was paid for between its read and the cancel', async () => {
      // Prepare: the customer's payment request lands between the cancel's read and its UpdateItem
      const o = await placedOrder();
      h.beforeRequest = async (request) => {
        if (request['operation'] === 'UpdateItem') {
          h.beforeRequest = null;
          expect((await pay(o)).errors).toEqual([]);
        }
      };
      // Act
      const lost = await h.call(
        'Mutation',
        'cancelOrder',
        { orderId: o.orderId },
        userIdentity(o.customer, 'customer'),
      );
      h.beforeRequest = null;
      // Assess
      expect(lost.errors[0]?.errorType).toBe('ConcurrentModification');
      const stored = await getItem(`ORDER#${o.orderId}`, 'ORDER');
      expect(stored).toMatchObject({ status: 'PAYMENT_PENDING' });
      expect(stored?.vendorOrders.map((v: { status: string }) => v.status)).toEqual(['PENDING', 'PENDING']);
    });

    it('rejects cancelling an order that is being paid as InvalidTransition', async () => {
      // Prepare
      const o = await placedOrder();
      await pay(o);
      // Act
      const result = await h.call(
        'Mutation',
        'cancelOrder',
        { orderId: o.orderId },
        userIdentity(o.customer, 'customer'),
      );
      // Assess
      expect(result.errors[0]).toMatchObject({
        errorType: 'InvalidTransition',
        errorInfo: { from: 'PAYMENT_PENDING', to: 'CANCELLED' },
      });
    });

    it("lets an admin cancel any paid order, and rejects another customer's cancel as NotFound", async () => {
      // Prepare
      const o = await paidOrder();
      // Act
      const intruder = await h.call(
        'Mutation',
        'cancelOrder',
        { orderId: o.orderId },
        userIdentity(fresh('c'), 'customer'),
      );
      const admin = await h.call(
        'Mutation',
        'cancelOrder',
        { orderId: o.orderId },
        userIdentity(fresh('a'), 'admin'),
      );
      // Assess
      expect(intruder.errors[0]?.errorType).toBe('NotFound');
      expect(admin.data).toMatchObject({ status: 'CANCELLED' });
    });
  });

  describe('updateVendorOrderStatus', () => {
    it('derives the parent status from the vendor orders: accepted → FULFILLING, all shipped → SHIPPED, all delivered → DELIVERED', async () => {
      // Prepare
      const o = await paidOrder();
      const tracking = { carrier: 'UPS', trackingNumber: '1Z' };
      // Act
      await vendorUpdate(o, o.v1, 'ACCEPTED');
      const fulfilling = await getOrder(o.orderId);
      await vendorUpdate(o, o.v2, 'REJECTED', { reason: 'no stock' });
      const shipped = await vendorUpdate(o, o.v1, 'SHIPPED', { tracking });
      const afterShip = await getOrder(o.orderId);
      await vendorUpdate(o, o.v1, 'DELIVERED');
      const delivered = await getOrder(o.orderId);
      // Assess
      expect(fulfilling?.status).toBe('FULFILLING');
      expect(shipped.data).toMatchObject({
        status: 'SHIPPED',
        tracking: { carrier: 'UPS', trackingNumber: '1Z' },
      });
      expect(afterShip?.status).toBe('SHIPPED');
      expect(delivered?.status).toBe('DELIVERED');
      expect(delivered?.statusHistory.at(-1)).toMatchObject({
        from: 'SHIPPED',
        to: 'DELIVERED',
        vendorId: o.v1,
        vendorStatus: 'DELIVERED',
        actor: 'VENDOR',
      });
    });

    it('cancels the order when every vendor rejects its part', async () => {
      // Prepare
      const o = await paidOrder();
      // Act
      await vendorUpdate(o, o.v1, 'REJECTED');
      await vendorUpdate(o, o.v2, 'REJECTED');
      // Assess
      expect(await getOrder(o.orderId)).toMatchObject({ status: 'CANCELLED' });
    });

    it('rejects a vendor move before payment, a forbidden move, and shipping without tracking', async () => {
      // Prepare
      const o = await placedOrder();
      const paid = await paidOrder();
      // Act
      const unpaid = await vendorUpdate(o, o.v1, 'ACCEPTED');
      const skip = await vendorUpdate(paid, paid.v1, 'DELIVERED');
      const noTracking = await vendorUpdate(paid, paid.v1, 'SHIPPED');
      // Assess
      expect(unpaid.errors[0]).toMatchObject({
        errorType: 'InvalidTransition',
        errorInfo: { from: 'PENDING', to: 'ACCEPTED' },
      });
      expect(skip.errors[0]).toMatchObject({
        errorType: 'InvalidTransition',
        errorInfo: { from: 'PENDING', to: 'DELIVERED' },
      });
      expect(noTracking.errors[0]?.errorType).toBe('ValidationError');
    });

    it('answers ConcurrentModification when the order changed between its read and its one write, and writes nothing', async () => {
      // Prepare: v2 accepts between v1's read of the order and v1's UpdateItem
      const o = await paidOrder();
      h.beforeRequest = async (request) => {
        if (request['operation'] === 'UpdateItem') {
          h.beforeRequest = null;
          expect((await vendorUpdate(o, o.v2, 'ACCEPTED')).errors).toEqual([]);
        }
      };
      // Act
      const lost = await vendorUpdate(o, o.v1, 'REJECTED', { reason: 'no stock' });
      h.beforeRequest = null;
      // Assess: the documented retryable error, and only the winner's move on the order item
      expect(lost.errors[0]?.errorType).toBe('ConcurrentModification');
      const stored = await getItem(`ORDER#${o.orderId}`, 'ORDER');
      expect(stored?.vendorOrders.map((v: { status: string }) => v.status)).toEqual(['PENDING', 'ACCEPTED']);
      expect(stored).toMatchObject({ status: 'FULFILLING' });
    });

    it("rejects a vendor moving another vendor's part", async () => {
      // Prepare
      const o = await paidOrder();
      // Act
      const result = await h.call(
        'Mutation',
        'updateVendorOrderStatus',
        { input: { orderId: o.orderId, vendorId: o.v2, status: 'ACCEPTED' } },
        userIdentity(fresh('u'), 'vendor', o.v1),
      );
      // Assess
      expect(result.errors[0]?.errorType).toBe('Unauthorized');
    });
  });

  describe('getOrder', () => {
    it("answers NotFound for another customer's order and shows a vendor only its lines", async () => {
      // Prepare
      const o = await placedOrder();
      // Act
      const other = await h.call(
        'Query',
        'getOrder',
        { id: o.orderId },
        userIdentity(fresh('c'), 'customer'),
      );
      const vendor = await h.call(
        'Query',
        'getOrder',
        { id: o.orderId },
        userIdentity(fresh('u'), 'vendor', o.v2),
      );
      // Assess
      expect(other.errors[0]?.errorType).toBe('NotFound');
      const view = vendor.data as { lines: { vendorId: string }[]; total: number; vendorIds: string[] };
      expect(view.lines.map((l) => l.vendorId)).toEqual([o.v2]);
      expect(view.total).toBe(700);
      expect(view.vendorIds).toEqual([o.v2]);
    });

    it("shows a vendor of a mixed order none of the other vendor's history, reason or user id", async () => {
      // Prepare: v1 rejects its part with a reason, v2 accepts
      const o = await paidOrder();
      const rejecter = userIdentity(fresh('u'), 'vendor', o.v1);
      const rejected = await h.call(
        'Mutation',
        'updateVendorOrderStatus',
        { input: { orderId: o.orderId, vendorId: o.v1, status: 'REJECTED', reason: 'v1 private reason' } },
        rejecter,
      );
      expect(rejected.errors).toEqual([]);
      expect((await vendorUpdate(o, o.v2, 'ACCEPTED')).errors).toEqual([]);
      // Act
      const vendor = await h.call(
        'Query',
        'getOrder',
        { id: o.orderId },
        userIdentity(fresh('u'), 'vendor', o.v2),
      );
      const customer = await h.call(
        'Query',
        'getOrder',
        { id: o.orderId },
        userIdentity(o.customer, 'customer'),
      );
      // Assess
      const history = (vendor.data as { statusHistory: Record<string, unknown>[] }).statusHistory;
      expect(history.map((e) => e.vendorId ?? null)).toEqual([null, null, null, o.v2]);
      expect(JSON.stringify(vendor.data)).not.toContain(o.v1);
      expect(JSON.stringify(vendor.data)).not.toContain('v1 private reason');
      expect(JSON.stringify(vendor.data)).not.toContain(rejecter.sub);
      // the customer still sees every entry
      const all = (customer.data as { statusHistory: Record<string, unknown>[] }).statusHistory;
      expect(all.find((e) => e.vendorId === o.v1)).toMatchObject({
        reason: 'v1 private reason',
        actorId: rejecter.sub,
      });
    });
  });

  describe('list queries', () => {
    it('lists my orders newest first, page by page', async () => {
      // Prepare
      const customer = fresh('c');
      const v = fresh('v');
      await h.seed(productItem(v, 'p', { available: 50 }));
      const ids: string[] = [];
      for (const k of ['1', '2', '3']) {
        const r = await h.call(
          'Mutation',
          'placeOrder',
          {
            input: { lines: [{ vendorId: v, productId: 'p', quantity: 1 }], shippingAddress: address },
            idempotencyKey: k,
          },
          userIdentity(customer, 'customer'),
        );
        const placed = r.data as { id: string; createdAt: string };
        ids.push(placed.id);
        // The next order must sort after this one: wait until the clock has passed its createdAt.
        while (Date.now() <= Date.parse(placed.createdAt))
          await new Promise((resolve) => setImmediate(resolve));
      }
      // Act
      const page1 = await h.call('Query', 'myOrders', { limit: 2 }, userIdentity(customer, 'customer'));
      const token = (page1.data as { nextToken: string }).nextToken;
      const page2 = await h.call(
        'Query',
        'myOrders',
        { limit: 2, nextToken: token },
        userIdentity(customer, 'customer'),
      );
      // Assess
      const listed = [
        ...(page1.data as { items: { id: string }[] }).items,
        ...(page2.data as { items: { id: string }[] }).items,
      ];
      expect(listed.map((o) => o.id)).toEqual([...ids].reverse());
    });

    it("lists a vendor's orders and lets admins list by status", async () => {
      // Prepare
      const o = await placedOrder();
      // Act
      const vendor = await h.call(
        'Query',
        'vendorOrders',
        { vendorId: o.v1 },
        userIdentity(fresh('u'), 'vendor', o.v1),
      );
      const placed = await h.call(
        'Query',
        'orders',
        { status: 'PLACED', limit: 100 },
        userIdentity(fresh('a'), 'admin'),
      );
      const all = await h.call('Query', 'orders', { limit: 100 }, userIdentity(fresh('a'), 'admin'));
      // Assess
      expect((vendor.data as { items: { orderId: string }[] }).items.map((i) => i.orderId)).toEqual([
        o.orderId,
      ]);
      expect((placed.data as { items: { id: string }[] }).items.map((i) => i.id)).toContain(o.orderId);
      expect((all.data as { items: { id: string }[] }).items[0]?.id).toBe(o.orderId); // newest first
    });

    it("filters a vendor's list on its own part's status, and answers each order as that part", async () => {
      // Prepare: v1 accepts and v2 rejects one paid order (the order FULFILLING); another stays PLACED
      const o = await paidOrder();
      expect((await vendorUpdate(o, o.v1, 'ACCEPTED')).errors).toEqual([]);
      expect((await vendorUpdate(o, o.v2, 'REJECTED', { reason: 'no stock' })).errors).toEqual([]);
      const list = (vendorId: string, status?: string) =>
        h.call(
          'Query',
          'vendorOrders',
          { vendorId, ...(status ? { status } : {}) },
          userIdentity(fresh('u'), 'vendor', vendorId),
        );
      const ids = (r: { data: unknown }) =>
        (r.data as { items: { orderId: string }[] }).items.map((i) => i.orderId);
      // Act
      const accepted = await list(o.v1, 'ACCEPTED');
      const pending = await list(o.v1, 'PENDING');
      const rejected = await list(o.v2, 'REJECTED');
      const fulfilling = await list(o.v2, 'ACCEPTED');
      // Assess: the filter reads the part, not the order (FULFILLING)
      expect(ids(accepted)).toEqual([o.orderId]);
      expect(ids(pending)).toEqual([]);
      expect(ids(rejected)).toEqual([o.orderId]);
      expect(ids(fulfilling)).toEqual([]);
      expect((accepted.data as { items: unknown[] }).items[0]).toEqual({
        orderId: o.orderId,
        vendorId: o.v1,
        status: 'ACCEPTED',
        lines: [
          {
            vendorId: o.v1,
            productId: 'a',
            name: expect.any(String),
            quantity: 1,
            unitPrice: 300,
            lineTotal: 300,
          },
        ],
        subtotal: 300,
        currency: expect.any(String),
        tracking: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        version: 2,
      });
    });

    it('shows a vendor in its list nothing of the order beyond its own part', async () => {
      // Prepare: a paid two-vendor order, its customer's address and the other vendor's line on the item
      const o = await paidOrder();
      const stored = await getItem(`ORDER#${o.orderId}`, 'ORDER');
      // Act
      const listed = await h.call(
        'Query',
        'vendorOrders',
        { vendorId: o.v2 },
        userIdentity(fresh('u'), 'vendor', o.v2),
      );
      // Assess: the resolver's whole answer (before any selection set) holds no other vendor's line, no
      // customer, address, payment, total or history
      expect(listed.errors).toEqual([]);
      const text = JSON.stringify(listed.data);
      for (const secret of [
        o.v1,
        o.customer,
        address.line1,
        address.name,
        address.city,
        'payment',
        'statusHistory',
        'shippingAddress',
        'customerId',
        'correlationId',
        stored?.correlationId,
      ])
        expect(text).not.toContain(secret);
      const items = (listed.data as { items: { lines: { vendorId: string }[]; subtotal: number }[] }).items;
      expect(items).toHaveLength(1);
      expect(Object.keys(items[0] ?? {}).sort()).toEqual(
        [
          'orderId',
          'vendorId',
          'status',
          'lines',
          'subtotal',
          'currency',
          'tracking',
          'createdAt',
          'updatedAt',
          'version',
        ].sort(),
      );
      expect(items[0]?.lines.map((l) => l.vendorId)).toEqual([o.v2]);
      expect(items[0]?.subtotal).toBe(700);
    });

    it('meets a vendor-part item of the earlier design without failing, and neither lists nor moves it', async () => {
      // Prepare: an order, and beside it the kind of vendor-part item (with its byVendor entry) that
      // placeOrder wrote before the order item became the one copy of its parts
      const o = await paidOrder();
      const shard = shardOf(o.orderId, LIST_SHARDS);
      const legacy = {
        PK: `ORDER#${o.orderId}`,
        SK: `VENDOR#${o.v1}`,
        entity: 'VENDOR_ORDER',
        orderId: o.orderId,
        vendorId: o.v1,
        status: 'PENDING',
        version: 1,
        GSI2PK: `VENDORORDERS#${shard}#${o.v1}`,
        GSISK: `2020-01-01T00:00:00.000Z#${o.orderId}`,
      };
      await h.seed(legacy);
      // Act
      const listed = await h.call(
        'Query',
        'vendorOrders',
        { vendorId: o.v1 },
        userIdentity(fresh('u'), 'vendor', o.v1),
      );
      const moved = await vendorUpdate(o, o.v1, 'ACCEPTED');
      const got = await h.call('Query', 'getOrder', { id: o.orderId }, userIdentity(o.customer, 'customer'));
      // Assess
      expect(listed.errors).toEqual([]);
      expect((listed.data as { items: { orderId: string }[] }).items.map((i) => i.orderId)).toEqual([
        o.orderId,
      ]);
      expect(moved.errors).toEqual([]);
      expect(got.errors).toEqual([]);
      expect((got.data as { vendorOrders: { status: string }[] }).vendorOrders[0]?.status).toBe('ACCEPTED');
      expect(await getItem(legacy.PK, legacy.SK)).toEqual(legacy);
    });

    it('rejects a vendor listing another vendor and a limit above 100', async () => {
      // Prepare
      const v = fresh('v');
      // Act
      const other = await h.call(
        'Query',
        'vendorOrders',
        { vendorId: 'someone-else' },
        userIdentity(fresh('u'), 'vendor', v),
      );
      const big = await h.call('Query', 'myOrders', { limit: 101 }, userIdentity(fresh('c'), 'customer'));
      // Assess
      expect(other.errors[0]?.errorType).toBe('Unauthorized');
      expect(big.errors[0]?.errorType).toBe('ValidationError');
    });
  });

  describe('relays and subscriptions', () => {
    it('stores a published notification and lists it for its recipient', async () => {
      // Prepare
      const v = fresh('v');
      const input = {
        id: 'n1',
        recipient: `vendor#${v}`,
        kind: 'LOW_STOCK',
        message: 'low',
        createdAt: '2025-01-01T00:00:00.000Z',
      };
      // Act
      const published = await h.call('Mutation', 'publishNotification', { input }, iamIdentity);
      const mine = await h.call('Query', 'myNotifications', {}, userIdentity(fresh('u'), 'vendor', v));
      // Assess
      expect(published.data).toMatchObject(input);
      expect((mine.data as { items: unknown[] }).items).toEqual([
        expect.objectContaining({ id: 'n1', kind: 'LOW_STOCK' }),
      ]);
    });

    it('filters onOrderStatusChanged by the caller: a customer only on its own orders, a vendor on its lines', async () => {
      // Act
      const customer = await h.call(
        'Subscription',
        'onOrderStatusChanged',
        { orderId: 'o1' },
        userIdentity('cust', 'customer'),
      );
      const vendor = await h.call(
        'Subscription',
        'onOrderStatusChanged',
        { orderId: 'o1' },
        userIdentity('u', 'vendor', 'v9'),
      );
      // Assess
      // AppSync docs, "Defining enhanced subscriptions filters": a filterGroup of filters, each a list of fieldName/operator/value.
      expect(customer.extensions.subscriptionFilter).toEqual({
        filterGroup: [
          {
            filters: [
              { fieldName: 'orderId', operator: 'eq', value: 'o1' },
              { fieldName: 'audience', operator: 'eq', value: 'CUSTOMER' },
              { fieldName: 'customerId', operator: 'eq', value: 'cust' },
            ],
          },
        ],
      });
      // a vendor hears only the vendor events of its own part, never the customer-facing ones
      expect(vendor.extensions.subscriptionFilter).toEqual({
        filterGroup: [
          {
            filters: [
              { fieldName: 'orderId', operator: 'eq', value: 'o1' },
              { fieldName: 'audience', operator: 'eq', value: 'VENDOR' },
              { fieldName: 'vendorId', operator: 'eq', value: 'v9' },
            ],
          },
        ],
      });
    });

    it('publishes a vendor event that carries only that vendor, whatever else its caller sends', async () => {
      // Act: the input type has no payment or vendorIds, so even an extra argument cannot add them
      const result = await h.call(
        'Mutation',
        'publishVendorOrderStatus',
        {
          input: {
            orderId: 'o1',
            customerId: 'c1',
            status: 'PAID',
            vendorId: 'v1',
            vendorStatus: 'ACCEPTED',
            actor: 'VENDOR',
            version: 3,
            correlationId: 'corr',
            at: '2025-01-01T00:00:00.000Z',
            vendorIds: ['v1', 'v2'],
            payment: { amount: 1000 },
          },
        },
        iamIdentity,
      );
      // Assess
      expect(result.errors).toEqual([]);
      expect(result.data).toMatchObject({
        audience: 'VENDOR',
        vendorIds: ['v1'],
        vendorId: 'v1',
        payment: null,
      });
    });

    it("filters onVendorOrdersChanged to that vendor's own events, and an admin to its orders' customer events", async () => {
      // Act
      const vendor = await h.call(
        'Subscription',
        'onVendorOrdersChanged',
        { vendorId: 'v9' },
        userIdentity('u', 'vendor', 'v9'),
      );
      const admin = await h.call(
        'Subscription',
        'onVendorOrdersChanged',
        { vendorId: 'v9' },
        userIdentity('a', 'admin'),
      );
      // Assess
      expect(vendor.extensions.subscriptionFilter).toEqual({
        filterGroup: [
          {
            filters: [
              { fieldName: 'audience', operator: 'eq', value: 'VENDOR' },
              { fieldName: 'vendorId', operator: 'eq', value: 'v9' },
            ],
          },
        ],
      });
      expect(admin.extensions.subscriptionFilter).toEqual({
        filterGroup: [
          {
            filters: [
              { fieldName: 'audience', operator: 'eq', value: 'CUSTOMER' },
              { fieldName: 'vendorIds', operator: 'containsAny', value: ['v9'] },
            ],
          },
        ],
      });
    });

    it('rejects a vendor subscribing to another vendor', async () => {
      // Act
      const result = await h.call(
        'Subscription',
        'onVendorOrdersChanged',
        { vendorId: 'other' },
        userIdentity('u', 'vendor', 'v9'),
      );
      // Assess
      expect(result.errors[0]?.errorType).toBe('Unauthorized');
    });

    it("admits recordPaymentResult's answers only where they belong: a move to its audience, INTERNAL to nobody", async () => {
      // Prepare: every subscription filter of every kind of caller, from the subscription resolvers
      const o = await placedOrder();
      await pay(o);
      const stranger = fresh('c');
      const filters = await Promise.all(
        [
          ['onMyOrdersChanged', {}, userIdentity(o.customer, 'customer')],
          ['onMyOrdersChanged', {}, userIdentity(stranger, 'customer')],
          ['onOrderStatusChanged', { orderId: o.orderId }, userIdentity(o.customer, 'customer')],
          ['onOrderStatusChanged', { orderId: o.orderId }, userIdentity('a', 'admin')],
          ['onOrderStatusChanged', { orderId: o.orderId }, userIdentity('u', 'vendor', o.v1)],
          ['onVendorOrdersChanged', { vendorId: o.v1 }, userIdentity('a', 'admin')],
          ['onVendorOrdersChanged', { vendorId: o.v1 }, userIdentity('u', 'vendor', o.v1)],
        ].map(async ([field, args, identity]) => {
          const r = await h.call('Subscription', field as string, args as Record<string, unknown>, identity);
          expect(r.errors).toEqual([]);
          return r.extensions.subscriptionFilter as SubscriptionFilterObject;
        }),
      );
      const record = (status: string) =>
        h.call(
          'Mutation',
          'recordPaymentResult',
          { input: { orderId: o.orderId, attempt: 1, status, correlationId: 'c' } },
          iamIdentity,
        );
      // Act
      const paid = await record('SUCCEEDED');
      const repeated = await record('SUCCEEDED');
      // Assess: PAID reaches the customer's three subscriptions and the admin's two, never a stranger
      // or a vendor (a vendor hears of a paid order by notice); the repeat reaches no one
      expect(filters.map((f) => matchesSubscriptionFilter(f, paid.data))).toEqual([
        true,
        false,
        true,
        true,
        false,
        true,
        false,
      ]);
      expect(filters.map((f) => matchesSubscriptionFilter(f, repeated.data))).toEqual(
        filters.map(() => false),
      );
    });

    it('stores a shared notice once per recipient under one id, and pushes it to those recipients only', async () => {
      // Prepare
      const [a, b, c] = [`vendor#${fresh('v')}`, `vendor#${fresh('v')}`, `vendor#${fresh('v')}`];
      const input = {
        id: fresh('evt'),
        recipients: [a, b],
        kind: 'VENDOR_ORDER_RECEIVED',
        orderId: 'o1',
        message: 'New paid order o1',
        createdAt: '2026-01-01T00:00:00.000Z',
      };
      const filterOf = async (vendorId: string) => {
        const r = await h.call(
          'Subscription',
          'onNotification',
          {},
          userIdentity(fresh('u'), 'vendor', vendorId.slice('vendor#'.length)),
        );
        expect(r.errors).toEqual([]);
        return r.extensions.subscriptionFilter as SubscriptionFilterObject;
      };
      // Act
      const published = await h.call('Mutation', 'publishSharedNotification', { input }, iamIdentity);
      // Assess: one item per recipient, each in its own partition, each naming its own recipient
      expect(published.errors).toEqual([]);
      expect(published.data).toMatchObject({ id: input.id, recipient: null, recipients: [a, b] });
      for (const recipient of [a, b]) {
        const key = notificationKey(recipient, input.createdAt, input.id);
        expect(await getItem(key.PK, key.SK)).toMatchObject({ id: input.id, recipient, kind: input.kind });
      }
      const other = notificationKey(c, input.createdAt, input.id);
      expect(await getItem(other.PK, other.SK)).toBeNull();
      // the push reaches a and b, not c; a single notice still reaches its own recipient only
      const [fa, fb, fc] = await Promise.all([filterOf(a), filterOf(b), filterOf(c)]);
      expect([fa, fb, fc].map((f) => matchesSubscriptionFilter(f, published.data))).toEqual([
        true,
        true,
        false,
      ]);
      const single = { ...input, recipients: undefined, recipient: c };
      expect([fa, fb, fc].map((f) => matchesSubscriptionFilter(f, single))).toEqual([false, false, true]);
    });

    it('rejects a shared notice with no, too many or repeated recipients, and stores nothing', async () => {
      // Prepare
      const base = {
        kind: 'VENDOR_ORDER_RECEIVED',
        orderId: 'o1',
        message: 'New paid order o1',
        createdAt: '2026-01-01T00:00:00.000Z',
      };
      const twice = `vendor#${fresh('v')}`;
      const cases = [
        [],
        Array.from({ length: 26 }, (_, i) => `vendor#${fresh('v')}-${i}`),
        [twice, twice],
        [''],
      ];
      for (const recipients of cases) {
        const id = fresh('evt');
        // Act
        const r = await h.call(
          'Mutation',
          'publishSharedNotification',
          { input: { ...base, id, recipients } },
          iamIdentity,
        );
        // Assess
        expect(r.data).toBeNull();
        expect(r.errors[0]).toMatchObject({
          errorType: 'ValidationError',
          errorInfo: { field: 'recipients' },
        });
        for (const recipient of recipients.filter((x) => x !== '')) {
          const key = notificationKey(recipient, base.createdAt, id);
          expect(await getItem(key.PK, key.SK)).toBeNull();
        }
      }
    });
  });
});
