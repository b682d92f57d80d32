import { describe, expect, it } from 'vitest';
import { parseEnvelope } from '../../../domain/events/envelope.js';
import { SimulatedPaymentGateway, TransientGatewayError } from '../../../functions/payment/gateway.js';
import {
  chargeKey,
  chargePayment,
  handlePaymentEvent,
  type PaymentDeps,
  type PaymentRequest,
  type StoredOrderPayment,
} from '../../../functions/payment/logic.js';
import { envelope, fakeAppSync, quietLogger } from './fakes.js';

const request = (token: string, attempt = 1): PaymentRequest => ({
  orderId: 'o1',
  customerId: 'c1',
  attempt,
  amount: 1000,
  currency: 'USD',
  paymentToken: token,
  method: null,
  requestedAt: '2025-01-01T00:00:00.000Z',
  correlationId: 'corr-1',
});

const twoVendors: StoredOrderPayment = {
  id: 'o1',
  customerId: 'c1',
  payment: { status: 'PENDING', attempts: 1, currency: 'USD' },
  vendorOrders: [
    { vendorId: 'v1', subtotal: 300 },
    { vendorId: 'v2', subtotal: 700 },
  ],
};

/** What the gated notice fields answer: the notice as stored, or (refused) one naming no recipient. */
const stored = (variables: Record<string, unknown>, name: string, refused: boolean) => {
  const input = variables[name] as Record<string, unknown> | undefined;
  if (!input) return undefined;
  return refused ? { ...input, recipient: null, recipients: [] } : input;
};

function deps(order: StoredOrderPayment | null = twoVendors, refused = false) {
  const gateway = new SimulatedPaymentGateway();
  const topic: { kind: string; id: string }[] = [];
  /** The mails of each publish call, i.e. of each PublishBatch request. */
  const batches: string[][] = [];
  const appsync = fakeAppSync((query, variables) => {
    const v = variables as Record<string, unknown>;
    return query.includes('recordPaymentResult')
      ? {
          recordPaymentResult: {
            audience: 'INTERNAL',
            payment: { status: 'PARTIALLY_REFUNDED', attempts: 1, updatedAt: '2025-01-02T00:00:00.000Z' },
          },
          publishNotification: stored(v, 'notice', refused),
          publishSharedNotification: stored(v, 'shared', refused),
        }
      : { publishSharedNotification: stored(v, 'input', refused) };
  });
  const d: PaymentDeps = {
    gateway,
    appsync: appsync.port,
    logger: quietLogger,
    readOrder: async () => order,
    sleep: async () => undefined,
    publishToTopic: async (notices) => {
      topic.push(...notices.map((n) => ({ kind: n.kind, id: n.id })));
      batches.push(notices.map((n) => n.kind));
    },
  };
  return { gateway, appsync, topic, batches, deps: d };
}

const recorded = (calls: { variables: Record<string, unknown> }[]) =>
  calls.map((c) => (c.variables as { input: Record<string, unknown> }).input);

describe('payment simulator', () => {
  it.each([
    ['tok_success', { status: 'SUCCEEDED' }],
    ['tok_declined', { status: 'DECLINED', reason: 'card_declined' }],
    ['tok_insufficient_funds', { status: 'DECLINED', reason: 'insufficient_funds' }],
  ])('answers %s deterministically', async (token, expected) => {
    // Prepare
    const gateway = new SimulatedPaymentGateway();
    // Act
    const outcome = await gateway.charge({
      orderId: 'o',
      amount: 1,
      currency: 'USD',
      token,
      idempotencyKey: 'k',
    });
    // Assess
    expect(outcome).toMatchObject(expected);
  });

  it('fails tok_transient_then_success once, then succeeds', async () => {
    // Prepare
    const gateway = new SimulatedPaymentGateway();
    const charge = () =>
      gateway.charge({
        orderId: 'o',
        amount: 1,
        currency: 'USD',
        token: 'tok_transient_then_success',
        idempotencyKey: 'k',
      });
    // Act
    const first = charge();
    // Assess
    await expect(first).rejects.toBeInstanceOf(TransientGatewayError);
    await expect(charge()).resolves.toMatchObject({ status: 'SUCCEEDED' });
  });

  it('answers two charges with one key at once with one outcome, charging once', async () => {
    // Prepare
    const gateway = new SimulatedPaymentGateway();
    const charge = () =>
      gateway.charge({ orderId: 'o', amount: 1, currency: 'USD', token: 'tok_success', idempotencyKey: 'k' });
    // Act
    const [a, b] = await Promise.all([charge(), charge()]);
    const later = await charge();
    // Assess
    expect(b).toEqual(a);
    expect(later).toEqual(a);
    expect(gateway.charges).toHaveLength(1);
  });

  it('fails when tok_timeout is charged, every time', async () => {
    // Prepare
    const gateway = new SimulatedPaymentGateway();
    // Act
    const charge = gateway.charge({
      orderId: 'o',
      amount: 1,
      currency: 'USD',
      token: 'tok_timeout',
      idempotencyKey: 'k',
    });
    // Assess
    await expect(charge).rejects.toBeInstanceOf(TransientGatewayError);
  });
});

describe('chargePayment', () => {
  it('records a success through recordPaymentResult with the attempt and correlation id', async () => {
    // Prepare
    const { deps: d, appsync, gateway } = deps();
    // Act
    await chargePayment(request('tok_success'), d);
    // Assess
    expect(recorded(appsync.calls)).toEqual([
      { orderId: 'o1', attempt: 1, status: 'SUCCEEDED', failureReason: null, correlationId: 'corr-1' },
    ]);
    expect(appsync.calls[0]?.correlationId).toBe('corr-1');
    expect(gateway.charges).toHaveLength(1);
  });

  it('retries a transient error within the invocation and records the success', async () => {
    // Prepare
    const { deps: d, appsync } = deps();
    // Act
    await chargePayment(request('tok_transient_then_success'), d);
    // Assess
    expect(recorded(appsync.calls)[0]).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('records a decline as data, and a provider that keeps timing out as FAILED', async () => {
    // Prepare
    const { deps: d, appsync } = deps();
    // Act
    await chargePayment(request('tok_insufficient_funds'), d);
    await chargePayment(request('tok_timeout', 2), d);
    // Assess
    expect(recorded(appsync.calls)).toMatchObject([
      { status: 'DECLINED', failureReason: 'insufficient_funds' },
      { status: 'FAILED', attempt: 2 },
    ]);
  });

  it('charges once and mails once when the same payment.requested event arrives twice', async () => {
    // Prepare: the API as it answers a repeat: the result already recorded (INTERNAL, the attempt's
    // payment as stored) and both notices refused by their gates
    const { deps: d, gateway, topic } = deps();
    const first = { recorded: false };
    const appsync = fakeAppSync((_query, variables) => {
      const v = variables as Record<string, unknown>;
      const repeat = first.recorded;
      first.recorded = true;
      return {
        recordPaymentResult: repeat
          ? { audience: 'INTERNAL', payment: { status: 'SUCCEEDED', attempts: 1 } }
          : { audience: 'CUSTOMER', payment: { status: 'SUCCEEDED', attempts: 1 } },
        publishNotification: stored(v, 'notice', repeat),
        publishSharedNotification: stored(v, 'shared', repeat),
      };
    });
    d.appsync = appsync.port;
    const event = parseEnvelope(
      envelope('payment.requested', { ...request('tok_success'), correlationId: undefined }),
    );
    // Act
    await handlePaymentEvent(event, d);
    await handlePaymentEvent(event, d);
    // Assess: one charge (the provider's key), no refund (the repeat is kept), each notice mailed once
    expect(gateway.charges.map((c) => c.idempotencyKey)).toEqual([chargeKey('o1', 1)]);
    expect(gateway.refunds).toEqual([]);
    expect(topic.map((t) => t.kind).sort()).toEqual(['ORDER_PAID', 'VENDOR_ORDER_RECEIVED']);
    expect(appsync.calls).toHaveLength(2); // the repeat asks again: the gates refuse its notices
  });

  it('charges once and mails each notice once when two runs of one attempt overlap', async () => {
    // Prepare: run A records the result and claims the vendors' notice, run B loses the record (a
    // repeat: INTERNAL, the attempt's payment as A recorded it) but stores the customer's notice first
    const { deps: d, gateway, topic, batches } = deps();
    let calls = 0;
    d.appsync = fakeAppSync((_query, variables) => {
      const v = variables as Record<string, unknown>;
      const runA = calls++ === 0;
      return {
        recordPaymentResult: runA
          ? { audience: 'CUSTOMER', payment: { status: 'SUCCEEDED', attempts: 1 } }
          : { audience: 'INTERNAL', payment: { status: 'SUCCEEDED', attempts: 1 } },
        publishNotification: stored(v, 'notice', runA),
        publishSharedNotification: stored(v, 'shared', !runA),
      };
    }).port;
    const event = parseEnvelope(envelope('payment.requested', request('tok_success')));
    // Act
    await Promise.all([handlePaymentEvent(event, d), handlePaymentEvent(event, d)]);
    // Assess: one charge, nothing refunded, each run mails the notice it stored
    expect(gateway.charges).toHaveLength(1);
    expect(gateway.refunds).toEqual([]);
    expect(topic.map((t) => t.kind).sort()).toEqual(['ORDER_PAID', 'VENDOR_ORDER_RECEIVED']);
    expect(batches.map((b) => b.length)).toEqual([1, 1]);
  });
});

describe('the charge result request and its notices', () => {
  const fieldsOf = (query: string) => [...query.matchAll(/^ {2}(\w+)\(/gm)].map((m) => m[1]);

  it("records a success, the customer's notice and the vendors' shared notice in one request, each notice gated", async () => {
    // Prepare
    const { deps: d, appsync, topic, batches } = deps();
    // Act
    await chargePayment(request('tok_success'), d);
    // Assess: one request, three unaliased fields of three mutations
    expect(appsync.calls).toHaveLength(1);
    const call = appsync.calls[0]!;
    expect(fieldsOf(call.query)).toEqual([
      'recordPaymentResult',
      'publishNotification',
      'publishSharedNotification',
    ]);
    expect(/^ {2}\w+:/m.test(call.query)).toBe(false);
    const gate = { attempt: 1, result: 'SUCCEEDED' };
    expect(call.variables.notice).toEqual({
      id: 'payment#o1#1:ORDER_PAID:c1',
      recipient: 'c1',
      kind: 'ORDER_PAID',
      orderId: 'o1',
      message: 'Your payment was received (order o1)',
      createdAt: '2025-01-01T00:00:00.000Z',
      paymentGate: gate,
    });
    expect(call.variables.shared).toEqual({
      id: 'payment#o1#1:VENDOR_ORDER_RECEIVED',
      recipients: ['vendor#v1', 'vendor#v2'],
      kind: 'VENDOR_ORDER_RECEIVED',
      orderId: 'o1',
      message: 'New paid order o1',
      createdAt: '2025-01-01T00:00:00.000Z',
      paymentGate: gate,
    });
    // the selection set has what onNotification's filter reads
    expect(call.query).toMatch(/publishSharedNotification\(input: \$shared\) \{[^}]*recipients/);
    // both are mailed once, the shared one naming its recipients (the mailer fans it out), in one publish
    expect(topic.map((n) => n.kind)).toEqual(['ORDER_PAID', 'VENDOR_ORDER_RECEIVED']);
    expect(batches).toEqual([['ORDER_PAID', 'VENDOR_ORDER_RECEIVED']]);
  });

  it("records a decline with the customer's failure notice only, gated on the decline", async () => {
    // Prepare
    const { deps: d, appsync, topic } = deps(null);
    // Act
    await chargePayment(request('tok_declined'), d);
    // Assess: no order read needed, no vendors' notice
    expect(appsync.calls).toHaveLength(1);
    expect(fieldsOf(appsync.calls[0]!.query)).toEqual(['recordPaymentResult', 'publishNotification']);
    expect(appsync.calls[0]!.variables.notice).toMatchObject({
      kind: 'PAYMENT_FAILED',
      recipient: 'c1',
      paymentGate: { attempt: 1, result: 'DECLINED' },
    });
    expect(topic.map((n) => n.kind)).toEqual(['PAYMENT_FAILED']);
  });

  it('sends the same notices on a repeat, and mails none that the gate refused', async () => {
    // Prepare: the first try stored the notices; the repeat's gate refuses them
    const first = deps();
    const repeat = deps(twoVendors, true);
    // Act
    await chargePayment(request('tok_success'), first.deps);
    await chargePayment(request('tok_success'), repeat.deps);
    // Assess
    expect(repeat.appsync.calls[0]!.variables).toEqual(first.appsync.calls[0]!.variables);
    expect(repeat.topic).toEqual([]);
    expect(repeat.batches).toEqual([]);
  });

  it('sends a second shared notice (more than 25 vendors) in a request of its own, after the result', async () => {
    // Prepare
    const many: StoredOrderPayment = {
      ...twoVendors,
      vendorOrders: Array.from({ length: 30 }, (_, i) => ({ vendorId: `v${i}`, subtotal: 1 })),
    };
    const { deps: d, appsync, topic, batches } = deps(many);
    // Act
    await chargePayment(request('tok_success'), d);
    // Assess
    expect(appsync.calls.map((c) => fieldsOf(c.query))).toEqual([
      ['recordPaymentResult', 'publishNotification', 'publishSharedNotification'],
      ['publishSharedNotification'],
    ]);
    const shared = [appsync.calls[0]!.variables.shared, appsync.calls[1]!.variables.input] as {
      id: string;
      recipients: string[];
    }[];
    expect(shared.map((n) => n.recipients.length)).toEqual([25, 5]);
    expect(shared.map((n) => n.id)).toEqual([
      'payment#o1#1:VENDOR_ORDER_RECEIVED',
      'payment#o1#1:VENDOR_ORDER_RECEIVED:1',
    ]);
    expect(topic.map((n) => n.kind)).toEqual([
      'ORDER_PAID',
      'VENDOR_ORDER_RECEIVED',
      'VENDOR_ORDER_RECEIVED',
    ]);
    expect(batches).toHaveLength(1);
  });

  it('fails a success whose order is missing, so Lambda retries it', async () => {
    // Prepare
    const { deps: d, appsync } = deps(null);
    // Act / Assess
    await expect(chargePayment(request('tok_success'), d)).rejects.toThrow('order o1 not found');
    expect(appsync.calls).toEqual([]);
  });
});

describe('a charge whose outcome is unknown', () => {
  /** The money the provider holds for the order: charges less refunds, in cents. */
  const held = (gateway: SimulatedPaymentGateway) =>
    gateway.charges.reduce((sum, c) => sum + c.amount, 0) -
    gateway.refunds.reduce((sum, r) => sum + r.amount, 0);

  /** recordPaymentResult's stale answer: the order already recorded `status` for `attempts`. */
  const staleAnswer = (attempts: number, status: string) => ({
    recordPaymentResult: {
      audience: 'INTERNAL',
      status: 'PAYMENT_FAILED',
      payment: { status, attempts, updatedAt: '2025-01-02T00:00:00.000Z' },
    },
  });

  it('moves money on the first tok_timeout_then_charged call, yet every call times out', async () => {
    // Prepare
    const gateway = new SimulatedPaymentGateway();
    const charge = () =>
      gateway.charge({
        orderId: 'o',
        amount: 5,
        currency: 'USD',
        token: 'tok_timeout_then_charged',
        idempotencyKey: 'k',
      });
    // Act
    const first = charge();
    // Assess
    await expect(first).rejects.toBeInstanceOf(TransientGatewayError);
    await expect(charge()).rejects.toBeInstanceOf(TransientGatewayError);
    expect(gateway.charges).toHaveLength(1);
  });

  it('voids a charge that timed out but went through before recording FAILED, so the customer keeps the money', async () => {
    // Prepare
    const { deps: d, appsync, gateway } = deps();
    // Act
    await chargePayment(request('tok_timeout_then_charged'), d);
    // Assess
    expect(recorded(appsync.calls)).toMatchObject([{ status: 'FAILED', attempt: 1 }]);
    expect(gateway.charges).toHaveLength(1);
    expect(held(gateway)).toBe(0);
  });

  it('voids a charge that never happened as a no-op, and refuses a late charge under the voided key', async () => {
    // Prepare
    const { deps: d, appsync, gateway } = deps();
    await chargePayment(request('tok_timeout'), d);
    // Act: the same attempt's charge arrives again (a redelivery), this time with a working card
    const late = await gateway.charge({
      orderId: 'o1',
      amount: 1000,
      currency: 'USD',
      token: 'tok_success',
      idempotencyKey: chargeKey('o1', 1),
    });
    // Assess
    expect(late).toEqual({ status: 'VOIDED' });
    expect(gateway.charges).toEqual([]);
    expect(gateway.refunds).toEqual([]);
    expect(recorded(appsync.calls)).toMatchObject([{ status: 'FAILED', attempt: 1 }]);
  });

  it('records FAILED again, moving no money, when the consumer is retried after the void (a crash before the record)', async () => {
    // Prepare: the first run voids, then recordPaymentResult fails
    const { deps: d, gateway } = deps();
    let calls = 0;
    const failingOnce = fakeAppSync(() => {
      calls += 1;
      if (calls === 1) throw new Error('AppSync unavailable');
      return {};
    });
    const first = chargePayment(request('tok_timeout_then_charged'), { ...d, appsync: failingOnce.port });
    await expect(first).rejects.toThrow('AppSync unavailable');
    // Act: Lambda's async retry runs the same attempt again
    await chargePayment(request('tok_timeout_then_charged'), { ...d, appsync: failingOnce.port });
    // Assess
    expect(recorded(failingOnce.calls).at(-1)).toMatchObject({ status: 'FAILED', attempt: 1 });
    expect(gateway.charges).toHaveLength(1);
    expect(held(gateway)).toBe(0);
  });

  it('refunds a success that the order answers as stale (its attempt already FAILED), at once and once', async () => {
    // Prepare: attempt 1 is recorded FAILED; its charge then succeeds on a retry
    const { deps: d, gateway } = deps();
    const stale = fakeAppSync(() => staleAnswer(1, 'FAILED'));
    const late = { ...d, appsync: stale.port };
    // Act: the late success, and a redelivery of it
    await chargePayment(request('tok_success'), late);
    await chargePayment(request('tok_success'), late);
    // Assess
    expect(gateway.charges).toHaveLength(1);
    expect(gateway.refunds).toEqual([
      { orderId: 'o1', amount: 1000, currency: 'USD', idempotencyKey: 'refund#charge#o1#1' },
    ]);
    expect(held(gateway)).toBe(0);
  });

  it('refunds a success for an attempt the customer has already replaced by a newer one', async () => {
    // Prepare: the order is on attempt 2 (already paid) when attempt 1's success arrives
    const { deps: d, gateway } = deps();
    const stale = fakeAppSync(() => staleAnswer(2, 'SUCCEEDED'));
    // Act
    await chargePayment(request('tok_success', 1), { ...d, appsync: stale.port });
    // Assess
    expect(gateway.refunds.map((r) => r.idempotencyKey)).toEqual(['refund#charge#o1#1']);
  });

  it('keeps the money for a repeated success of the attempt the order is paid with', async () => {
    // Prepare: the order already recorded this attempt's success (a redelivery after the first record)
    const { deps: d, gateway } = deps();
    const repeat = fakeAppSync(() => staleAnswer(1, 'SUCCEEDED'));
    // Act
    await chargePayment(request('tok_success', 1), { ...d, appsync: repeat.port });
    // Assess
    expect(gateway.charges).toHaveLength(1);
    expect(gateway.refunds).toEqual([]);
  });
});

describe('refunds', () => {
  const paidOrder = (refundedVendorIds: string[] = []): StoredOrderPayment => ({
    id: 'o1',
    customerId: 'c1',
    payment: { status: 'SUCCEEDED', attempts: 1, currency: 'USD' },
    refundedVendorIds,
    vendorOrders: [
      { vendorId: 'v1', subtotal: 300 },
      { vendorId: 'v2', subtotal: 700 },
    ],
  });
  const line = (vendorId: string) => ({
    vendorId,
    productId: 'p',
    name: 'n',
    quantity: 1,
    unitPrice: 1,
    lineTotal: 1,
  });

  it('refunds a rejected vendor part of a paid order by its subtotal', async () => {
    // Prepare
    const { deps: d, appsync, gateway } = deps(paidOrder());
    const event = parseEnvelope(
      envelope('vendorOrder.statusChanged', {
        orderId: 'o1',
        vendorId: 'v2',
        customerId: 'c1',
        status: 'REJECTED',
        previousStatus: 'PENDING',
        lines: [line('v2')],
        subtotal: 700,
        currency: 'USD',
        reason: null,
        version: 2,
        at: 'now',
      }),
    );
    // Act
    await handlePaymentEvent(event, d);
    // Assess
    expect(gateway.refunds).toEqual([
      { orderId: 'o1', amount: 700, currency: 'USD', idempotencyKey: 'refund#o1#v2' },
    ]);
    expect(recorded(appsync.calls)).toEqual([
      {
        orderId: 'o1',
        attempt: 1,
        status: 'PARTIALLY_REFUNDED',
        refundedAmount: 700,
        vendorId: 'v2',
        correlationId: 'corr-1',
      },
      // its time is the refund's, from recordPaymentResult's answer, so a redelivery overwrites the notice
      expect.objectContaining({
        id: 'refund#o1#v2',
        recipient: 'c1',
        kind: 'REFUND_ISSUED',
        orderId: 'o1',
        createdAt: '2025-01-02T00:00:00.000Z',
      }),
    ]);
  });

  it("leaves a cancelled order's part to the order's own refunds, so one cancellation refunds each part once", async () => {
    // Prepare: the customer cancelled the paid order, which cancelled v2's part in the same write
    const { deps: d, appsync, gateway } = deps({ ...paidOrder(), status: 'CANCELLED' });
    const event = parseEnvelope(
      envelope('vendorOrder.statusChanged', {
        orderId: 'o1',
        vendorId: 'v2',
        customerId: 'c1',
        status: 'CANCELLED',
        previousStatus: 'PENDING',
        lines: [line('v2')],
        subtotal: 700,
        currency: 'USD',
        reason: null,
        version: 2,
        at: 'now',
      }),
    );
    // Act
    await handlePaymentEvent(event, d);
    // Assess
    expect(gateway.refunds).toEqual([]);
    expect(appsync.calls).toEqual([]);
  });

  it("refunds a cancelled order's parts at once, not one after another", async () => {
    // Prepare: a gateway that counts the refunds in flight at once
    const { deps: d } = deps(paidOrder());
    let inFlight = 0;
    let most = 0;
    d.gateway = {
      charge: d.gateway.charge.bind(d.gateway),
      void: d.gateway.void.bind(d.gateway),
      async refund() {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight -= 1;
        return { refundId: 'r' };
      },
    };
    const payment = {
      orderId: 'o1',
      amount: 1000,
      currency: 'USD',
      status: 'SUCCEEDED',
      attempts: 1,
      refundedAmount: 0,
      updatedAt: 'now',
    };
    const data = {
      orderId: 'o1',
      customerId: 'c1',
      vendorIds: ['v1', 'v2'],
      status: 'CANCELLED',
      previousStatus: 'PAID',
      total: 1000,
      currency: 'USD',
      lines: [line('v1'), line('v2')],
      payment,
      reason: null,
      actor: 'CUSTOMER',
      version: 3,
      at: 'now',
      vendorOrders: [],
    };
    // Act
    await handlePaymentEvent(parseEnvelope(envelope('order.statusChanged', data)), d);
    // Assess
    expect(most).toBe(2);
  });

  it('refunds every part not yet refunded when a paid order is cancelled, and nothing for an unpaid one', async () => {
    // Prepare
    const { deps: d, gateway } = deps(paidOrder(['v1']));
    const data = {
      orderId: 'o1',
      customerId: 'c1',
      vendorIds: ['v1', 'v2'],
      status: 'CANCELLED',
      previousStatus: 'PAID',
      total: 1000,
      currency: 'USD',
      lines: [line('v1'), line('v2')],
      reason: null,
      actor: 'CUSTOMER',
      version: 3,
      at: 'now',
      vendorOrders: [
        { vendorId: 'v1', status: 'REJECTED' },
        { vendorId: 'v2', status: 'CANCELLED' },
      ],
    };
    const payment = {
      orderId: 'o1',
      amount: 1000,
      currency: 'USD',
      status: 'PARTIALLY_REFUNDED',
      attempts: 1,
      refundedAmount: 300,
      updatedAt: 'now',
    };
    // Act
    await handlePaymentEvent(parseEnvelope(envelope('order.statusChanged', { ...data, payment })), d);
    await handlePaymentEvent(
      parseEnvelope(envelope('order.statusChanged', { ...data, previousStatus: 'PLACED', payment: null })),
      d,
    );
    // Assess
    expect(gateway.refunds.map((r) => [r.idempotencyKey, r.amount])).toEqual([['refund#o1#v2', 700]]);
  });
});
