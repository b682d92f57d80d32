import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GetItemCommand,
  type BatchWriteItemCommandInput,
  type BatchWriteItemCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import {
  matchesSubscriptionFilter,
  type SubscriptionFilterObject,
} from '@orderloop/local/appsync/subscriptions/filter';
import { notificationKey } from '../../../domain/keys.js';
import { address, iamIdentity, productItem, startHarness, userIdentity, type Harness } from './harness.js';

/**
 * The payment notices' gate (resolvers/pipeline/gatePaymentNotice.ts): a notice with a paymentGate is
 * stored and pushed only when the order's payment attempt holds the result, and only once; refused, it
 * stores nothing and answers a notice that no onNotification filter admits.
 */
describe('payment notices gated on the payment attempt', () => {
  let h: Harness;
  let n = 0;
  const fresh = (prefix: string) => `${prefix}-${++n}-${Date.now()}`;
  const getItem = async (key: { PK: string; SK: string }) => {
    const out = await h.client.send(
      new GetItemCommand({ TableName: h.tableName, Key: marshall(key), ConsistentRead: true }),
    );
    return out.Item ? unmarshall(out.Item) : null;
  };
  const filterOf = async (recipient: string) => {
    const identity = recipient.startsWith('vendor#')
      ? userIdentity(fresh('u'), 'vendor', recipient.slice('vendor#'.length))
      : userIdentity(recipient, 'customer');
    const r = await h.call('Subscription', 'onNotification', {}, identity);
    expect(r.errors).toEqual([]);
    return r.extensions.subscriptionFilter as SubscriptionFilterObject;
  };

  /** Places an order with one line from each of `vendorCount` vendors and pays it: attempt 1 waits for its result. */
  async function pendingOrder(vendorCount: number) {
    const customer = fresh('c');
    const vendorIds = Array.from({ length: vendorCount }, () => fresh('v'));
    for (const v of vendorIds) await h.seed(productItem(v, 'a', { price: 300 }));
    const placed = await h.call(
      'Mutation',
      'placeOrder',
      {
        input: {
          lines: vendorIds.map((vendorId) => ({ vendorId, productId: 'a', quantity: 1 })),
          shippingAddress: address,
        },
        idempotencyKey: fresh('k'),
      },
      userIdentity(customer, 'customer'),
    );
    const orderId = (placed.data as { id: string }).id;
    const paid = await h.call(
      'Mutation',
      'processPayment',
      { input: { orderId, paymentToken: 'tok_success' }, idempotencyKey: fresh('pay') },
      userIdentity(customer, 'customer'),
    );
    expect(paid.errors).toEqual([]);
    return { customer, orderId, vendorIds };
  }

  /** Places an order with one line from each of `vendorCount` vendors and records attempt 1's result. */
  async function recordedOrder(status: 'SUCCEEDED' | 'DECLINED', vendorCount = 2) {
    const { customer, orderId, vendorIds } = await pendingOrder(vendorCount);
    const recorded = await h.call(
      'Mutation',
      'recordPaymentResult',
      {
        input: {
          orderId,
          attempt: 1,
          status,
          failureReason: status === 'DECLINED' ? 'card_declined' : null,
          correlationId: 'c',
        },
      },
      iamIdentity,
    );
    expect(recorded.errors).toEqual([]);
    return { customer, orderId, vendors: vendorIds.map((v) => `vendor#${v}`) };
  }

  /** The vendors' shared PAID notice of an order, gated on attempt 1's result. */
  const sharedNotice = (order: { orderId: string; vendors: string[] }, result = 'SUCCEEDED') => ({
    id: fresh('evt'),
    recipients: order.vendors,
    kind: 'VENDOR_ORDER_RECEIVED',
    orderId: order.orderId,
    message: `New paid order ${order.orderId}`,
    createdAt: '2026-12-02T00:00:00.000Z',
    paymentGate: { attempt: 1, result },
  });

  /**
   * Runs `call` twice at once, holding both calls' requests of the write `operation` until both have
   * arrived: a call gets to its write only after its reads, so both read before either writes (two runs
   * of one payment attempt at once).
   */
  async function callsTogether<T>(operation: string, call: () => Promise<T>): Promise<T[]> {
    let entered = 0;
    let release: () => void = () => undefined;
    const both = new Promise<void>((resolve) => (release = resolve));
    h.beforeRequest = async (request) => {
      if (request.operation !== operation || entered >= 2) return;
      entered += 1;
      if (entered === 2) release();
      await both;
    };
    try {
      return await Promise.all([call(), call()]);
    } finally {
      h.beforeRequest = null;
    }
  }

  const customerNotice = (
    o: { customer: string; orderId: string },
    gate: { attempt: number; result: string },
    kind = 'ORDER_PAID',
  ) => ({
    id: fresh('evt'),
    recipient: o.customer,
    kind,
    orderId: o.orderId,
    message: `notice for ${o.orderId}`,
    createdAt: '2026-12-02T00:00:00.000Z',
    paymentGate: gate,
  });

  beforeAll(async () => {
    h = await startHarness();
  });

  afterAll(async () => {
    await h.stop();
  });

  it('stores and pushes the notice when the attempt holds the result, once', async () => {
    // Prepare
    const o = await recordedOrder('SUCCEEDED');
    const input = customerNotice(o, { attempt: 1, result: 'SUCCEEDED' });
    const filter = await filterOf(o.customer);
    // Act
    const first = await h.call('Mutation', 'publishNotification', { input }, iamIdentity);
    const repeat = await h.call('Mutation', 'publishNotification', { input }, iamIdentity);
    // Assess: the first is stored and reaches the customer; the repeat reaches nobody
    expect(first.errors).toEqual([]);
    expect(first.data).toMatchObject({ id: input.id, recipient: o.customer, kind: 'ORDER_PAID' });
    expect(await getItem(notificationKey(o.customer, input.createdAt, input.id))).toMatchObject({
      id: input.id,
      recipient: o.customer,
    });
    expect(matchesSubscriptionFilter(filter, first.data)).toBe(true);
    expect(repeat.errors).toEqual([]);
    expect(repeat.data).toMatchObject({ id: input.id, recipient: null, recipients: [] });
    expect(matchesSubscriptionFilter(filter, repeat.data)).toBe(false);
  });

  it('refuses a stale attempt and a mismatched result, storing and pushing nothing', async () => {
    // Prepare
    const paid = await recordedOrder('SUCCEEDED');
    const declined = await recordedOrder('DECLINED');
    const cases = [
      { o: paid, input: customerNotice(paid, { attempt: 2, result: 'SUCCEEDED' }) },
      { o: paid, input: customerNotice(paid, { attempt: 1, result: 'DECLINED' }, 'PAYMENT_FAILED') },
      { o: declined, input: customerNotice(declined, { attempt: 1, result: 'SUCCEEDED' }) },
      { o: declined, input: customerNotice(declined, { attempt: 1, result: 'FAILED' }, 'PAYMENT_FAILED') },
    ];
    for (const { o, input } of cases) {
      const filter = await filterOf(o.customer);
      // Act
      const r = await h.call('Mutation', 'publishNotification', { input }, iamIdentity);
      // Assess
      expect(r.errors).toEqual([]);
      expect(r.data).toMatchObject({ id: input.id, recipient: null, recipients: [] });
      expect(matchesSubscriptionFilter(filter, r.data)).toBe(false);
      expect(await getItem(notificationKey(o.customer, input.createdAt, input.id))).toBeNull();
    }
  });

  it("stores a declined payment's failure notice", async () => {
    // Prepare
    const o = await recordedOrder('DECLINED');
    const input = customerNotice(o, { attempt: 1, result: 'DECLINED' }, 'PAYMENT_FAILED');
    // Act
    const r = await h.call('Mutation', 'publishNotification', { input }, iamIdentity);
    // Assess
    expect(r.errors).toEqual([]);
    expect(r.data).toMatchObject({ recipient: o.customer, kind: 'PAYMENT_FAILED' });
    expect(await getItem(notificationKey(o.customer, input.createdAt, input.id))).not.toBeNull();
  });

  it("stores the vendors' shared notice once and refuses it on a repeat or a mismatched result", async () => {
    // Prepare
    const o = await recordedOrder('SUCCEEDED');
    const declined = await recordedOrder('DECLINED');
    const shared = (order: typeof o, result: string) => ({
      id: fresh('evt'),
      recipients: order.vendors,
      kind: 'VENDOR_ORDER_RECEIVED',
      orderId: order.orderId,
      message: `New paid order ${order.orderId}`,
      createdAt: '2026-12-02T00:00:00.000Z',
      paymentGate: { attempt: 1, result },
    });
    const input = shared(o, 'SUCCEEDED');
    const filters = await Promise.all(o.vendors.map(filterOf));
    // Act
    const first = await h.call('Mutation', 'publishSharedNotification', { input }, iamIdentity);
    const repeat = await h.call('Mutation', 'publishSharedNotification', { input }, iamIdentity);
    const wrong = shared(declined, 'SUCCEEDED');
    const refused = await h.call('Mutation', 'publishSharedNotification', { input: wrong }, iamIdentity);
    // Assess: both copies stored and pushed to both vendors once
    expect(first.errors).toEqual([]);
    expect(filters.map((f) => matchesSubscriptionFilter(f, first.data))).toEqual([true, true]);
    for (const vendor of o.vendors)
      expect(await getItem(notificationKey(vendor, input.createdAt, input.id))).toMatchObject({
        recipient: vendor,
      });
    expect(repeat.errors).toEqual([]);
    expect(repeat.data).toMatchObject({ recipient: null, recipients: [] });
    expect(filters.map((f) => matchesSubscriptionFilter(f, repeat.data))).toEqual([false, false]);
    expect(refused.errors).toEqual([]);
    expect(refused.data).toMatchObject({ recipient: null, recipients: [] });
    for (const vendor of declined.vendors)
      expect(await getItem(notificationKey(vendor, wrong.createdAt, wrong.id))).toBeNull();
  });

  it('stores every copy of a shared notice on the retry of a batch DynamoDB left partly unprocessed, pushing once', async () => {
    // Prepare: three vendors, so the batch holds two copies (the third is the claim, written after it);
    // DynamoDB writes the first copy of the batch and hands the second back unprocessed
    const o = await recordedOrder('SUCCEEDED', 3);
    const input = sharedNotice(o);
    const filters = await Promise.all(o.vendors.map(filterOf));
    const [stored, missed, claim] = o.vendors.map((v) => notificationKey(v, input.createdAt, input.id));
    h.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'BatchWriteItemCommand') return next(args);
        const { RequestItems = {} } = args.input as BatchWriteItemCommandInput;
        const [table, writes = []] = Object.entries(RequestItems)[0] ?? [];
        const kept = { RequestItems: { [`${table}`]: writes.slice(0, -1) } };
        const out = await next({ ...args, input: kept });
        (out.output as BatchWriteItemCommandOutput).UnprocessedItems = { [`${table}`]: writes.slice(-1) };
        return out;
      },
      { step: 'initialize', name: 'leaveLastWriteUnprocessed' },
    );
    // Act
    let partial;
    try {
      partial = await h.call('Mutation', 'publishSharedNotification', { input }, iamIdentity);
    } finally {
      h.client.middlewareStack.remove('leaveLastWriteUnprocessed');
    }
    const afterPartial = await Promise.all([stored!, missed!, claim!].map(getItem));
    const retry = await h.call('Mutation', 'publishSharedNotification', { input }, iamIdentity);
    const repeat = await h.call('Mutation', 'publishSharedNotification', { input }, iamIdentity);
    // Assess: the partial call fails before its claim and pushes nothing, its retry stores every copy and
    // pushes to every vendor, a further repeat pushes nothing
    expect(partial.errors[0]).toMatchObject({ errorType: 'ProvisionedThroughputExceeded' });
    expect(partial.data).toBeNull();
    expect(afterPartial[0]).toMatchObject({ recipient: o.vendors[0] });
    expect(afterPartial.slice(1)).toEqual([null, null]);
    expect(retry.errors).toEqual([]);
    expect(filters.map((f) => matchesSubscriptionFilter(f, retry.data))).toEqual([true, true, true]);
    for (const key of [stored!, missed!, claim!]) expect(await getItem(key)).toMatchObject({ id: input.id });
    expect(repeat.errors).toEqual([]);
    expect(filters.map((f) => matchesSubscriptionFilter(f, repeat.data))).toEqual([false, false, false]);
  });

  it.each([1, 2, 3])(
    "lets one of two concurrent calls of the vendors' notice store and push it (%i vendors), the other refused",
    async (vendorCount) => {
      // Prepare: both calls' gates read before either writes, so both find the notice missing
      const o = await recordedOrder('SUCCEEDED', vendorCount);
      const input = sharedNotice(o);
      const filters = await Promise.all(o.vendors.map(filterOf));
      // Act
      const answers = await callsTogether(vendorCount === 1 ? 'PutItem' : 'BatchPutItem', () =>
        h.call('Mutation', 'publishSharedNotification', { input }, iamIdentity),
      );
      // Assess: no errors; exactly one answer reaches the vendors, each of them once; every copy stored,
      // the claim (the last) by the call that won it
      expect(answers.map((a) => a.errors)).toEqual([[], []]);
      const pushed = answers.filter((a) => filters.every((f) => matchesSubscriptionFilter(f, a.data)));
      const refused = answers.filter((a) => filters.every((f) => !matchesSubscriptionFilter(f, a.data)));
      expect([pushed.length, refused.length]).toEqual([1, 1]);
      expect(refused[0]?.data).toMatchObject({ recipient: null, recipients: [] });
      const copies = await Promise.all(
        o.vendors.map((v) => getItem(notificationKey(v, input.createdAt, input.id))),
      );
      expect(copies.map((c) => c?.recipient)).toEqual(o.vendors);
      expect(copies.at(-1)?.writeId).toEqual(expect.any(String));
    },
  );

  it('reads the order and the claim copy only, however many vendors share the notice', async () => {
    // Prepare
    const o = await recordedOrder('SUCCEEDED', 3);
    const input = sharedNotice(o);
    const reads: unknown[] = [];
    h.beforeRequest = (request) => {
      if (request.operation === 'BatchGetItem') reads.push(request);
      return Promise.resolve();
    };
    // Act
    let first;
    try {
      first = await h.call('Mutation', 'publishSharedNotification', { input }, iamIdentity);
    } finally {
      h.beforeRequest = null;
    }
    // Assess: one batch read of two keys, the order and the last vendor's copy, the claim
    expect(first.errors).toEqual([]);
    expect(reads).toHaveLength(1);
    const keys = Object.values(
      (reads[0] as { tables: Record<string, { keys: Record<string, { S: string }>[] }> }).tables,
    )[0]!.keys.map((k) => ({ PK: k.PK!.S, SK: k.SK!.S }));
    expect(keys).toEqual([
      { PK: `ORDER#${o.orderId}`, SK: 'ORDER' },
      notificationKey(o.vendors[2]!, input.createdAt, input.id),
    ]);
  });

  it("refuses every retry once the vendors' notice was claimed, even when that call's answer was lost", async () => {
    // Prepare: a call stored every copy and its claim, but its answer never reached the consumer
    const o = await recordedOrder('SUCCEEDED');
    const input = sharedNotice(o);
    const filters = await Promise.all(o.vendors.map(filterOf));
    const lost = await h.call('Mutation', 'publishSharedNotification', { input }, iamIdentity);
    expect(lost.errors).toEqual([]);
    // Act
    const retry = await h.call('Mutation', 'publishSharedNotification', { input }, iamIdentity);
    // Assess: at most once: the retry stores and pushes nothing more
    expect(retry.errors).toEqual([]);
    expect(retry.data).toMatchObject({ recipient: null, recipients: [] });
    expect(filters.map((f) => matchesSubscriptionFilter(f, retry.data))).toEqual([false, false]);
  });

  it("lets one of two concurrent calls of the customer's notice store and push it, the other refused", async () => {
    // Prepare: both gates read the order before either puts
    const o = await recordedOrder('SUCCEEDED');
    const input = customerNotice(o, { attempt: 1, result: 'SUCCEEDED' });
    const filter = await filterOf(o.customer);
    // Act
    const answers = await callsTogether('PutItem', () =>
      h.call('Mutation', 'publishNotification', { input }, iamIdentity),
    );
    // Assess
    expect(answers.map((a) => a.errors)).toEqual([[], []]);
    expect(answers.map((a) => matchesSubscriptionFilter(filter, a.data)).sort()).toEqual([false, true]);
  });

  it('answers the loser of two concurrent results of one attempt as a repeat: one PAID push, no error', async () => {
    // Prepare: an order waiting for attempt 1's result; both calls read it before either writes
    const { orderId } = await pendingOrder(1);
    const input = { orderId, attempt: 1, status: 'SUCCEEDED', failureReason: null, correlationId: 'c' };
    // Act
    const answers = await callsTogether('UpdateItem', () =>
      h.call('Mutation', 'recordPaymentResult', { input }, iamIdentity),
    );
    // Assess: both answer without error; one is the customer's PAID event, the other INTERNAL with the
    // attempt's payment as recorded (so the consumer keeps the charge); the order moved once
    expect(answers.map((a) => a.errors)).toEqual([[], []]);
    const events = answers.map((a) => a.data as { audience: string; status: string; payment: unknown });
    expect(events.map((e) => e.audience).sort()).toEqual(['CUSTOMER', 'INTERNAL']);
    for (const e of events) {
      expect(e.status).toBe('PAID');
      expect(e.payment).toMatchObject({ attempts: 1, status: 'SUCCEEDED' });
    }
    const order = await getItem({ PK: `ORDER#${orderId}`, SK: 'ORDER' });
    expect((order?.statusHistory as { to: string }[]).filter((s) => s.to === 'PAID')).toHaveLength(1);
  });

  it('rejects a gate without the order or with a result that is no charge outcome', async () => {
    // Prepare
    const o = await recordedOrder('SUCCEEDED');
    const noOrder = { ...customerNotice(o, { attempt: 1, result: 'SUCCEEDED' }), orderId: null };
    const pending = customerNotice(o, { attempt: 1, result: 'PENDING' });
    // Act
    const a = await h.call('Mutation', 'publishNotification', { input: noOrder }, iamIdentity);
    const b = await h.call('Mutation', 'publishNotification', { input: pending }, iamIdentity);
    // Assess
    expect(a.errors[0]).toMatchObject({ errorType: 'ValidationError', errorInfo: { field: 'orderId' } });
    expect(b.errors[0]).toMatchObject({
      errorType: 'ValidationError',
      errorInfo: { field: 'paymentGate.result' },
    });
    expect(await getItem(notificationKey(o.customer, pending.createdAt, pending.id))).toBeNull();
  });
});
