import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import {
  matchesSubscriptionFilter,
  type SubscriptionFilterObject,
} from '@orderloop/local/appsync/subscriptions/filter';
import { AppSyncRequestError, type AppSyncGraphQLError } from '../../../functions/lib/appsync-client.js';
import type { AppSyncPort } from '../../../functions/lib/events.js';
import { createDocumentClient } from '../../../functions/lib/table.js';
import { SimulatedPaymentGateway } from '../../../functions/payment/gateway.js';
import { chargeKey, handlePaymentEvent, type PaymentDeps } from '../../../functions/payment/logic.js';
import { parseEnvelope, type Envelope } from '../../../domain/events/envelope.js';
import { orderKey } from '../../../domain/keys.js';
import { orderView, type StoredOrder } from '../../../domain/views.js';
import { quietLogger } from '../../unit/functions/fakes.js';
import {
  address,
  iamIdentity,
  productItem,
  startHarness,
  userIdentity,
  type Harness,
} from '../resolvers/harness.js';

/**
 * The payment consumer's logic (functions/payment/logic.ts) against the real resolvers on DynamoDB Local,
 * with no idempotency lock: a payment.requested delivered twice, one after the other or two runs at once,
 * charges once, records PAID once, stores each notice once and pushes and mails each once.
 */
describe('payment consumer: one attempt delivered more than once', () => {
  let h: Harness;
  let n = 0;
  const fresh = (prefix: string) => `${prefix}-${++n}-${Date.now()}`;

  /** Every mutation field the consumer sent, with its answer, as AppSync would publish them. */
  type Published = { field: string; data: unknown };

  /**
   * An AppSyncPort that runs each top-level field of the document through the harness, in order (as
   * AppSync runs mutation fields), and, like the SigV4 client, rejects when any field answered errors.
   */
  function harnessAppSync(published: Published[]): AppSyncPort {
    return {
      async request(document, variables) {
        const operation = parse(document.toString()).definitions.find(
          (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
        )!;
        const vars = variables as Record<string, unknown>;
        const data: Record<string, unknown> = {};
        const errors: AppSyncGraphQLError[] = [];
        for (const selection of operation.selectionSet.selections) {
          if (selection.kind !== Kind.FIELD) continue;
          const args: Record<string, unknown> = {};
          for (const arg of selection.arguments ?? [])
            if (arg.value.kind === Kind.VARIABLE) args[arg.name.value] = vars[arg.value.name.value];
          const field = selection.name.value;
          const r = await h.call('Mutation', field, args, iamIdentity);
          data[field] = r.errors.length > 0 ? null : r.data;
          errors.push(...(r.errors as AppSyncGraphQLError[]));
          if (r.errors.length === 0) published.push({ field, data: r.data });
        }
        if (errors.length > 0) throw new AppSyncRequestError(errors, 200);
        return data as never;
      },
    };
  }

  /**
   * Holds the first `n` data-source requests of the write `operation` until all `n` have arrived, so the
   * runs read before any of them writes.
   */
  function writeTogether(operation: string, count = 2) {
    let entered = 0;
    let release: () => void = () => undefined;
    const all = new Promise<void>((resolve) => (release = resolve));
    h.beforeRequest = async (request) => {
      if (request.operation !== operation || entered >= count) return;
      entered += 1;
      if (entered === count) release();
      await all;
    };
  }

  /** The consumer's dependencies as its handler builds them, over the harness; one warm environment. */
  function consumer() {
    const gateway = new SimulatedPaymentGateway();
    const published: Published[] = [];
    const mails: string[][] = [];
    const doc = createDocumentClient(h.client);
    const deps: PaymentDeps = {
      gateway,
      appsync: harnessAppSync(published),
      logger: quietLogger,
      sleep: async () => undefined,
      async readOrder(orderId) {
        const out = await doc.send(
          new GetCommand({ TableName: h.tableName, Key: orderKey(orderId), ConsistentRead: true }),
        );
        const item = out.Item as StoredOrder | undefined;
        return item ? { ...orderView(item), refundedVendorIds: item.refundedVendorIds ?? [] } : null;
      },
      publishToTopic: async (notices) => {
        mails.push(notices.map((m) => m.kind));
      },
    };
    return { gateway, published, mails, deps };
  }

  /** A two-vendor order the customer has asked to pay, and the payment.requested event of it. */
  async function requestedPayment() {
    const customer = fresh('c');
    const vendorIds = [fresh('v'), fresh('v')];
    for (const v of vendorIds) await h.seed(productItem(v, 'a', { price: 500 }));
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
    expect(placed.errors).toEqual([]);
    const orderId = (placed.data as { id: string }).id;
    const paid = await h.call(
      'Mutation',
      'processPayment',
      { input: { orderId, paymentToken: 'tok_success' }, idempotencyKey: fresh('pay') },
      userIdentity(customer, 'customer'),
    );
    expect(paid.errors).toEqual([]);
    const event: Envelope = parseEnvelope({
      type: 'payment.requested',
      version: 1,
      id: fresh('evt'),
      time: '2026-12-02T00:00:00.000Z',
      correlationId: 'corr',
      data: {
        orderId,
        customerId: customer,
        attempt: 1,
        amount: 1000,
        currency: 'USD',
        paymentToken: 'tok_success',
        method: null,
        requestedAt: '2026-12-02T00:00:00.000Z',
      },
    });
    return { orderId, customer, vendors: vendorIds.map((v) => `vendor#${v}`), event };
  }

  /** The subscription filters of the customer's status and notices and of each vendor's notices. */
  async function filtersOf(o: { orderId: string; customer: string; vendors: string[] }) {
    const filter = async (field: string, identity: unknown) => {
      const r = await h.call('Subscription', field, {}, identity);
      expect(r.errors).toEqual([]);
      return r.extensions.subscriptionFilter as SubscriptionFilterObject;
    };
    const customer = userIdentity(o.customer, 'customer');
    return {
      status: await filter('onMyOrdersChanged', customer),
      notices: {
        [o.customer]: await filter('onNotification', customer),
        ...Object.fromEntries(
          await Promise.all(
            o.vendors.map(async (v) => [
              v,
              await filter('onNotification', userIdentity(fresh('u'), 'vendor', v.slice('vendor#'.length))),
            ]),
          ),
        ),
      } as Record<string, SubscriptionFilterObject>,
    };
  }

  /** What subscribers received: the customer's status events, and the notices each recipient received. */
  function pushes(published: Published[], filters: Awaited<ReturnType<typeof filtersOf>>) {
    const status = published.filter(
      (p) => p.field === 'recordPaymentResult' && matchesSubscriptionFilter(filters.status, p.data),
    );
    const notices = Object.fromEntries(
      Object.entries(filters.notices).map(([recipient, filter]) => [
        recipient,
        published
          .filter((p) => p.field !== 'recordPaymentResult' && matchesSubscriptionFilter(filter, p.data))
          .map((p) => (p.data as { kind: string }).kind),
      ]),
    );
    return { status: status.map((p) => (p.data as { status: string }).status), notices };
  }

  /** The notices stored for the order, as recipient and kind. */
  async function storedNotices(orderId: string) {
    const out = await createDocumentClient(h.client).send(
      new ScanCommand({
        TableName: h.tableName,
        ConsistentRead: true,
        FilterExpression: 'entity = :n AND orderId = :o',
        ExpressionAttributeValues: { ':n': 'NOTIFICATION', ':o': orderId },
      }),
    );
    return (out.Items ?? []).map((i) => `${i.recipient as string} ${i.kind as string}`).sort();
  }

  /** The order's moves to PAID in its history. */
  async function paidMoves(orderId: string) {
    const out = await createDocumentClient(h.client).send(
      new GetCommand({ TableName: h.tableName, Key: orderKey(orderId), ConsistentRead: true }),
    );
    const order = out.Item as { status: string; statusHistory: { to: string }[] };
    return { status: order.status, moves: order.statusHistory.filter((s) => s.to === 'PAID').length };
  }

  /** Everything that must hold once, however often the attempt ran. */
  async function expectOnce(
    o: Awaited<ReturnType<typeof requestedPayment>>,
    c: ReturnType<typeof consumer>,
    filters: Awaited<ReturnType<typeof filtersOf>>,
  ) {
    // one charge under the attempt's key, nothing refunded
    expect(c.gateway.charges.map((x) => x.idempotencyKey)).toEqual([chargeKey(o.orderId, 1)]);
    expect(c.gateway.refunds).toEqual([]);
    // one PAID move, pushed once to the customer
    expect(await paidMoves(o.orderId)).toEqual({ status: 'PAID', moves: 1 });
    const pushed = pushes(c.published, filters);
    expect(pushed.status).toEqual(['PAID']);
    // each notice stored once (the vendors' one copy per vendor) and pushed once to each recipient
    expect(await storedNotices(o.orderId)).toEqual(
      [`${o.customer} ORDER_PAID`, ...o.vendors.map((v) => `${v} VENDOR_ORDER_RECEIVED`)].sort(),
    );
    expect(pushed.notices).toEqual({
      [o.customer]: ['ORDER_PAID'],
      ...Object.fromEntries(o.vendors.map((v) => [v, ['VENDOR_ORDER_RECEIVED']])),
    });
    // each notice mailed once
    expect(c.mails.flat().sort()).toEqual(['ORDER_PAID', 'VENDOR_ORDER_RECEIVED']);
  }

  beforeAll(async () => {
    h = await startHarness();
  });

  afterAll(async () => {
    await h.stop();
  });

  it('charges, records, stores, pushes and mails once when payment.requested is delivered twice', async () => {
    // Prepare
    const o = await requestedPayment();
    const filters = await filtersOf(o);
    const c = consumer();
    // Act
    await handlePaymentEvent(o.event, c.deps);
    await handlePaymentEvent(o.event, c.deps);
    // Assess: the repeat sends its request again, and the resolvers refuse all of it
    expect(c.published.filter((p) => p.field === 'recordPaymentResult')).toHaveLength(2);
    await expectOnce(o, c, filters);
  });

  it.each([
    ['both record the result before either writes it', 'UpdateItem'],
    ["both pass the vendors' notice gate before either stores it", 'BatchPutItem'],
  ])('does everything once when two runs of one attempt overlap: %s', async (_case, operation) => {
    // Prepare
    const o = await requestedPayment();
    const filters = await filtersOf(o);
    const c = consumer();
    writeTogether(operation);
    // Act
    try {
      await Promise.all([handlePaymentEvent(o.event, c.deps), handlePaymentEvent(o.event, c.deps)]);
    } finally {
      h.beforeRequest = null;
    }
    // Assess
    await expectOnce(o, c, filters);
  });
});
