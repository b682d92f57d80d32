import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteItemCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { address, iamIdentity, productItem, startHarness, userIdentity, type Harness } from './harness.js';
import { orderFromItem, type OrderItem } from '../../../domain/views.js';

/**
 * processPayment and recordPaymentResult read the order eventually consistent (readOrderItem) and answer
 * from that read only a write that landed; everything else waits for a consistent read
 * (confirmOrderItem). DynamoDB Local is always consistent, so these tests answer the eventually
 * consistent read from a copy of their choosing: an older version of the order, or none, put in place
 * for that read alone and replaced by the current item before the next request.
 */
describe('the payment calls’ eventually consistent order reads', () => {
  let h: Harness;
  let n = 0;
  const fresh = (prefix: string) => `${prefix}-${++n}-${Date.now()}`;
  const orderKeyOf = (orderId: string) => ({ PK: `ORDER#${orderId}`, SK: 'ORDER' });
  /** The order item as stored (a copy to answer a later read with). */
  const itemOf = async (orderId: string) => {
    const out = await h.client.send(
      new GetItemCommand({
        TableName: h.tableName,
        Key: marshall(orderKeyOf(orderId)),
        ConsistentRead: true,
      }),
    );
    return out.Item ? unmarshall(out.Item) : null;
  };
  const orderOf = async (orderId: string) => orderFromItem((await itemOf(orderId)) as OrderItem);

  /** One data-source request of the call: its operation, and for a GetItem its consistentRead flag. */
  type Step = 'GetItem eventual' | 'GetItem consistent' | string;

  /**
   * Answers the call's eventually consistent read of the order from `copy` (an older item, or null: no
   * item), and records every request of the call.
   */
  function serveEventualReadFrom(orderId: string, copy: Record<string, unknown> | null) {
    const steps: Step[] = [];
    let current: Record<string, unknown> | null = null;
    let served = false;
    h.beforeRequest = async (request) => {
      if (current) {
        await h.seed(current);
        current = null;
      }
      const key = request['key'] as { PK?: { S?: string } } | undefined;
      if (request['operation'] !== 'GetItem' || key?.PK?.S !== `ORDER#${orderId}`) {
        steps.push(String(request['operation']));
        return;
      }
      const consistent = request['consistentRead'] === true;
      steps.push(consistent ? 'GetItem consistent' : 'GetItem eventual');
      if (consistent || served) return;
      served = true;
      current = await itemOf(orderId);
      if (copy) await h.seed(copy);
      else
        await h.client.send(
          new DeleteItemCommand({ TableName: h.tableName, Key: marshall(orderKeyOf(orderId)) }),
        );
    };
    return steps;
  }

  /** Records every request of the call, answering each read from the table as it is. */
  function recordSteps() {
    const steps: Step[] = [];
    h.beforeRequest = async (request) => {
      if (request['operation'] === 'GetItem') {
        steps.push(request['consistentRead'] === true ? 'GetItem consistent' : 'GetItem eventual');
      } else steps.push(String(request['operation']));
    };
    return steps;
  }

  async function placedOrder() {
    const customer = fresh('c');
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
    expect(result.errors).toEqual([]);
    const order = result.data as { id: string; total: number };
    return { v1, v2, customer, orderId: order.id, total: order.total };
  }

  type Placed = Awaited<ReturnType<typeof placedOrder>>;

  const pay = (o: Placed, key: string, token = 'tok_success') =>
    h.call(
      'Mutation',
      'processPayment',
      { input: { orderId: o.orderId, paymentToken: token }, idempotencyKey: key },
      userIdentity(o.customer, 'customer'),
    );

  const result = (o: Placed, attempt: number, status: 'SUCCEEDED' | 'DECLINED') =>
    h.call(
      'Mutation',
      'recordPaymentResult',
      { input: { orderId: o.orderId, attempt, status, correlationId: 'c' } },
      iamIdentity,
    );

  const refund = (o: Placed, vendorId: string, amount: number) =>
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

  /** Pays and records a result, expecting both to go through. */
  async function paidThen(o: Placed, key: string, status: 'SUCCEEDED' | 'DECLINED', attempt: number) {
    expect((await pay(o, key)).errors).toEqual([]);
    expect((await result(o, attempt, status)).errors).toEqual([]);
  }

  beforeAll(async () => {
    h = await startHarness();
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
  });

  describe('processPayment', () => {
    it('reads the order eventually consistent and writes once when the order can be paid', async () => {
      // Prepare
      const o = await placedOrder();
      const steps = recordSteps();
      // Act
      const paid = await pay(o, 'k1');
      h.beforeRequest = null;
      // Assess: one eventually consistent read (half the RRU) and one write
      expect(paid.errors).toEqual([]);
      expect(paid.data).toMatchObject({ status: 'PENDING', attempts: 1, amount: o.total });
      expect(steps).toEqual(['GetItem eventual', 'UpdateItem']);
    });

    it('writes the next attempt from the consistent read when the eventual read saw an older version', async () => {
      // Prepare: attempt 1 was declined; the lagging copy still shows the order as placed
      const o = await placedOrder();
      const placed = await itemOf(o.orderId);
      await paidThen(o, 'k1', 'DECLINED', 1);
      const steps = serveEventualReadFrom(o.orderId, placed);
      // Act
      const paid = await pay(o, 'k2');
      h.beforeRequest = null;
      // Assess: not ConcurrentModification; attempt 2 on the current order, attempt 1's key kept
      expect(paid.errors).toEqual([]);
      expect(paid.data).toMatchObject({ status: 'PENDING', attempts: 2 });
      expect(steps).toEqual(['GetItem eventual', 'UpdateItem', 'GetItem consistent', 'UpdateItem']);
      const stored = await orderOf(o.orderId);
      expect(stored).toMatchObject({ status: 'PAYMENT_PENDING', version: 4, payment: { attempts: 2 } });
      expect(Object.keys(stored.paymentKeys ?? {}).sort()).toEqual(['k1', 'k2']);
    });

    it('replays the payment as it is now when the eventual read saw the order before the key', async () => {
      // Prepare: the call with k1 was made and declined; the lagging copy shows neither
      const o = await placedOrder();
      const placed = await itemOf(o.orderId);
      await paidThen(o, 'k1', 'DECLINED', 1);
      const steps = serveEventualReadFrom(o.orderId, placed);
      // Act
      const replay = await pay(o, 'k1');
      h.beforeRequest = null;
      // Assess: the replay of attempt 1 as stored now, nothing written
      expect(replay.errors).toEqual([]);
      expect(replay.data).toMatchObject({ status: 'DECLINED', attempts: 1 });
      expect(steps).toEqual(['GetItem eventual', 'UpdateItem', 'GetItem consistent']);
      expect(await orderOf(o.orderId)).toMatchObject({ status: 'PAYMENT_FAILED', version: 3 });
    });

    it('pays an order the eventual read did not find yet, and never answers NotFound from it', async () => {
      // Prepare: the order was placed a moment ago; the lagging copy has no item
      const o = await placedOrder();
      const steps = serveEventualReadFrom(o.orderId, null);
      // Act
      const paid = await pay(o, 'k1');
      h.beforeRequest = null;
      // Assess
      expect(paid.errors).toEqual([]);
      expect(paid.data).toMatchObject({ status: 'PENDING', attempts: 1 });
      expect(steps).toEqual(['GetItem eventual', 'GetItem consistent', 'UpdateItem']);
    });

    it('pays when the eventual read saw a payment still pending that the current order has declined', async () => {
      // Prepare: the lagging copy shows attempt 1 pending, which would refuse a new payment
      const o = await placedOrder();
      expect((await pay(o, 'k1')).errors).toEqual([]);
      const pending = await itemOf(o.orderId);
      expect((await result(o, 1, 'DECLINED')).errors).toEqual([]);
      const steps = serveEventualReadFrom(o.orderId, pending);
      // Act
      const paid = await pay(o, 'k2');
      h.beforeRequest = null;
      // Assess: not InvalidTransition; no write from the copy, one from the consistent read
      expect(paid.errors).toEqual([]);
      expect(paid.data).toMatchObject({ status: 'PENDING', attempts: 2 });
      expect(steps).toEqual(['GetItem eventual', 'GetItem consistent', 'UpdateItem']);
    });

    it('replays the current payment, not the copy’s, when the eventual read already holds the key', async () => {
      // Prepare: the lagging copy shows attempt 1 (key k1) pending; it has been declined since
      const o = await placedOrder();
      expect((await pay(o, 'k1')).errors).toEqual([]);
      const pending = await itemOf(o.orderId);
      expect((await result(o, 1, 'DECLINED')).errors).toEqual([]);
      const steps = serveEventualReadFrom(o.orderId, pending);
      // Act
      const replay = await pay(o, 'k1');
      h.beforeRequest = null;
      // Assess
      expect(replay.errors).toEqual([]);
      expect(replay.data).toMatchObject({ status: 'DECLINED', attempts: 1 });
      expect(steps).toEqual(['GetItem eventual', 'GetItem consistent']);
    });

    it('answers a refusal only once the consistent read confirms it', async () => {
      // Prepare: an order being paid (both reads show it), and an order id that does not exist
      const o = await placedOrder();
      expect((await pay(o, 'k1')).errors).toEqual([]);
      const steps = recordSteps();
      // Act
      const refused = await pay(o, 'k2');
      const conflict = await pay(o, 'k1', 'tok_declined');
      const missing = await pay({ ...o, orderId: fresh('no-such-order') }, 'k3');
      h.beforeRequest = null;
      // Assess
      expect(refused.errors[0]).toMatchObject({
        errorType: 'InvalidTransition',
        errorInfo: { from: 'PAYMENT_PENDING', to: 'PAYMENT_PENDING' },
      });
      expect(conflict.errors[0]?.errorType).toBe('IdempotencyConflict');
      expect(missing.errors[0]?.errorType).toBe('NotFound');
      expect(steps).toEqual(
        Array.from({ length: 3 }, () => ['GetItem eventual', 'GetItem consistent']).flat(),
      );
    });
  });

  describe('recordPaymentResult', () => {
    it('reads the order eventually consistent and writes once when the result moves the order', async () => {
      // Prepare
      const o = await placedOrder();
      expect((await pay(o, 'k1')).errors).toEqual([]);
      const steps = recordSteps();
      // Act
      const recorded = await result(o, 1, 'SUCCEEDED');
      h.beforeRequest = null;
      // Assess
      expect(recorded.errors).toEqual([]);
      expect(recorded.data).toMatchObject({
        audience: 'CUSTOMER',
        status: 'PAID',
        previousStatus: 'PAYMENT_PENDING',
      });
      expect(steps).toEqual(['GetItem eventual', 'UpdateItem']);
    });

    it('answers a repeat from the consistent read when the eventual read saw the order still waiting', async () => {
      // Prepare: attempt 1 was recorded PAID; the lagging copy shows it still pending
      const o = await placedOrder();
      expect((await pay(o, 'k1')).errors).toEqual([]);
      const pending = await itemOf(o.orderId);
      expect((await result(o, 1, 'SUCCEEDED')).errors).toEqual([]);
      const before = await orderOf(o.orderId);
      const steps = serveEventualReadFrom(o.orderId, pending);
      // Act: the redelivered result
      const repeated = await result(o, 1, 'SUCCEEDED');
      h.beforeRequest = null;
      // Assess: not ConcurrentModification; the repeat's answer (INTERNAL, the payment as stored)
      expect(repeated.errors).toEqual([]);
      expect(repeated.data).toMatchObject({
        audience: 'INTERNAL',
        status: 'PAID',
        version: before.version,
        payment: { status: 'SUCCEEDED' },
      });
      expect(steps).toEqual(['GetItem eventual', 'UpdateItem', 'GetItem consistent']);
      expect(await orderOf(o.orderId)).toEqual(before);
    });

    it('answers a repeated refund with the refunds stored now when the eventual read saw none', async () => {
      // Prepare: v1's part was refunded; the lagging copy shows the order paid without refunds
      const o = await placedOrder();
      await paidThen(o, 'k1', 'SUCCEEDED', 1);
      const paid = await itemOf(o.orderId);
      expect((await refund(o, o.v1, 300)).errors).toEqual([]);
      const before = await orderOf(o.orderId);
      const steps = serveEventualReadFrom(o.orderId, paid);
      // Act
      const repeated = await refund(o, o.v1, 300);
      h.beforeRequest = null;
      // Assess: the refund as recorded, not the copy's payment
      expect(repeated.errors).toEqual([]);
      expect(repeated.data).toMatchObject({
        audience: 'INTERNAL',
        payment: { status: 'PARTIALLY_REFUNDED', refundedAmount: 300 },
      });
      expect(steps).toEqual(['GetItem eventual', 'UpdateItem', 'GetItem consistent']);
      expect(await orderOf(o.orderId)).toEqual(before);
    });

    it('records a result for an order the eventual read did not find', async () => {
      // Prepare: the lagging copy has no item
      const o = await placedOrder();
      expect((await pay(o, 'k1')).errors).toEqual([]);
      const steps = serveEventualReadFrom(o.orderId, null);
      // Act
      const recorded = await result(o, 1, 'SUCCEEDED');
      h.beforeRequest = null;
      // Assess
      expect(recorded.errors).toEqual([]);
      expect(recorded.data).toMatchObject({ audience: 'CUSTOMER', status: 'PAID' });
      expect(steps).toEqual(['GetItem eventual', 'GetItem consistent', 'UpdateItem']);
      expect(await orderOf(o.orderId)).toMatchObject({ status: 'PAID', payment: { status: 'SUCCEEDED' } });
    });

    it('records the result of an attempt the eventual read does not show yet, instead of dropping it as stale', async () => {
      // Prepare: attempt 1 declined, attempt 2 requested; the lagging copy shows attempt 1 pending
      const o = await placedOrder();
      expect((await pay(o, 'k1')).errors).toEqual([]);
      const first = await itemOf(o.orderId);
      expect((await result(o, 1, 'DECLINED')).errors).toEqual([]);
      expect((await pay(o, 'k2')).errors).toEqual([]);
      const steps = serveEventualReadFrom(o.orderId, first);
      // Act
      const recorded = await result(o, 2, 'SUCCEEDED');
      h.beforeRequest = null;
      // Assess: the PAID push, written from the consistent read
      expect(recorded.errors).toEqual([]);
      expect(recorded.data).toMatchObject({ audience: 'CUSTOMER', status: 'PAID', payment: { attempts: 2 } });
      expect(steps).toEqual(['GetItem eventual', 'GetItem consistent', 'UpdateItem']);
      expect(await orderOf(o.orderId)).toMatchObject({
        status: 'PAID',
        payment: { attempts: 2, status: 'SUCCEEDED' },
      });
    });

    it('records a refund the eventual read would refuse because the charge looked still pending', async () => {
      // Prepare: the lagging copy shows the payment pending, which has no settled payment to refund
      const o = await placedOrder();
      expect((await pay(o, 'k1')).errors).toEqual([]);
      const pending = await itemOf(o.orderId);
      expect((await result(o, 1, 'SUCCEEDED')).errors).toEqual([]);
      const steps = serveEventualReadFrom(o.orderId, pending);
      // Act
      const refunded = await refund(o, o.v1, 300);
      h.beforeRequest = null;
      // Assess: not InvalidTransition
      expect(refunded.errors).toEqual([]);
      expect(refunded.data).toMatchObject({ payment: { status: 'PARTIALLY_REFUNDED', refundedAmount: 300 } });
      expect(steps).toEqual(['GetItem eventual', 'GetItem consistent', 'UpdateItem']);
    });

    it('answers a refusal or a stale result only once the consistent read confirms it', async () => {
      // Prepare: a paid order (both reads show it), and an order id that does not exist
      const o = await placedOrder();
      await paidThen(o, 'k1', 'SUCCEEDED', 1);
      const before = await orderOf(o.orderId);
      const steps = recordSteps();
      // Act
      const stale = await result(o, 2, 'DECLINED');
      const tooMuch = await refund(o, o.v1, 1001);
      const missing = await result({ ...o, orderId: fresh('no-such-order') }, 1, 'SUCCEEDED');
      h.beforeRequest = null;
      // Assess
      expect(stale.errors).toEqual([]);
      expect(stale.data).toMatchObject({
        audience: 'INTERNAL',
        status: 'PAID',
        payment: { status: 'SUCCEEDED' },
      });
      expect(tooMuch.errors[0]?.errorType).toBe('ValidationError');
      expect(missing.errors[0]?.errorType).toBe('NotFound');
      expect(steps).toEqual(
        Array.from({ length: 3 }, () => ['GetItem eventual', 'GetItem consistent']).flat(),
      );
      expect(await orderOf(o.orderId)).toEqual(before);
    });
  });
});
