import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GetOrderDocument,
  OnMyOrdersChangedDocument,
  OnNotificationDocument,
  OnOrderStatusChangedDocument,
  OnVendorOrdersChangedDocument,
  OrdersDocument,
} from '../../generated/graphql.js';
import { createAppSyncClient } from '../../../functions/lib/appsync-client.js';
import {
  RecordPaymentFailedDocument,
  RecordPaymentPaidDocument,
  RecordPaymentResultDocument,
} from '../../../functions/lib/generated/graphql.js';
import { paymentNotices } from '../../../functions/notification/messages.js';
import { relayDocument, type RelayRequest } from '../../../functions/notification/relay.js';
import { graphql, postGraphQL, subscribe, type TypedDocument } from '../support/client.js';
import { expectData, getOrder, line, moveVendorPart, pay, placedOrder } from '../support/orders.js';
import { startScenarioStack, type ScenarioStack } from '../support/scenario-stack.js';

/** A vendor's or customer's stored notifications (myNotifications), newest first. */
const MY_NOTICES: TypedDocument<
  {
    myNotifications: {
      items: { id: string; recipient: string | null; kind: string; orderId: string | null }[];
    };
  },
  Record<string, never>
> = { toString: () => 'query { myNotifications(limit: 50) { items { id recipient kind orderId } } }' };

/** The stored notifications with their time, which the payment notices' keys include. */
const NOTICES_WITH_TIME: TypedDocument<
  {
    myNotifications: {
      items: { id: string; kind: string; orderId: string | null; createdAt: string }[];
    };
  },
  Record<string, never>
> = { toString: () => 'query { myNotifications(limit: 50) { items { id kind orderId createdAt } } }' };

describe('who may see an order', () => {
  let ctx: ScenarioStack;

  beforeAll(async () => {
    ctx = await startScenarioStack();
  });

  afterAll(async () => {
    await ctx?.stack.stop();
  });

  it("answers NotFound when a customer asks for another customer's order", async () => {
    // Prepare
    const { customer, customer2 } = ctx.users;
    const order = await placedOrder(customer, [line('v-aurora', 'p-headlamp', 1)]);
    // Act
    const res = await graphql(customer2, GetOrderDocument, { id: order.id });
    // Assess: schema.graphql NotFound, "or the caller may not see it", so ids cannot be probed;
    // getOrder is nullable, so AppSync keeps data with the field null
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ getOrder: null });
    expect(res.errors).toHaveLength(1);
    expect(res.errors?.[0]).toMatchObject({
      errorType: 'NotFound',
      path: ['getOrder'],
      message: `Order ${order.id} not found`,
    });
  });

  it("delivers an order's status changes to its customer and none to another customer subscribed to its id", async () => {
    // Prepare: given both customers subscribe to the same order id
    const { customer, customer2 } = ctx.users;
    const order = await placedOrder(customer, [line('v-borealis', 'p-filter', 1)]);
    const owner = subscribe(customer, OnOrderStatusChangedDocument, { orderId: order.id });
    const stranger = subscribe(customer2, OnOrderStatusChangedDocument, { orderId: order.id });
    await Promise.all([owner.started, stranger.started]);

    // Act
    await pay(customer, order.id, 'tok_success');
    await owner.waitFor((e) => e.status === 'PAID' && e.vendorId === null);
    await ctx.stack.idle();

    // Assess: the subscription resolver filters on the caller (Subscription.onOrderStatusChanged.ts):
    // the stranger's subscription is accepted but nothing reaches it
    // ("Defining enhanced subscriptions filters in AWS AppSync")
    expect(owner.events.map((e) => e.status)).toContain('PAID');
    expect(owner.events.every((e) => e.customerId === customer.sub)).toBe(true);
    expect(stranger.events).toEqual([]);
    expect(stranger.errors).toEqual([]);
    owner.close();
    stranger.close();
  });

  it('delivers a vendor only its own part of a mixed order, while the customer and admins see every status', async () => {
    // Prepare: given the customer, an admin and vendor aurora (on both of its subscriptions) watch a
    // two-vendor order
    const { customer, admin, aurora, borealis } = ctx.users;
    const order = await placedOrder(customer, [
      line('v-aurora', 'p-thermos', 1),
      line('v-borealis', 'p-filter', 1),
    ]);
    const owner = subscribe(customer, OnOrderStatusChangedDocument, { orderId: order.id });
    const watcher = subscribe(admin, OnOrderStatusChangedDocument, { orderId: order.id });
    const auroraOrder = subscribe(aurora, OnOrderStatusChangedDocument, { orderId: order.id });
    const auroraParts = subscribe(aurora, OnVendorOrdersChangedDocument, { vendorId: 'v-aurora' });
    await Promise.all([owner.started, watcher.started, auroraOrder.started, auroraParts.started]);

    // Act: when the order is paid, borealis rejects its part with a reason, and aurora accepts its own
    await pay(customer, order.id, 'tok_success');
    await owner.waitFor((e) => e.status === 'PAID' && e.vendorId === null);
    await moveVendorPart(borealis, order.id, 'v-borealis', 'REJECTED', 'borealis private reason');
    await owner.waitFor((e) => e.vendorId === 'v-borealis' && e.vendorStatus === 'REJECTED');
    await moveVendorPart(aurora, order.id, 'v-aurora', 'ACCEPTED');
    await auroraOrder.waitFor((e) => e.vendorStatus === 'ACCEPTED');
    await auroraParts.waitFor((e) => e.orderId === order.id && e.vendorStatus === 'ACCEPTED');
    await owner.waitFor((e) => e.vendorId === 'v-aurora' && e.vendorStatus === 'ACCEPTED');
    await watcher.waitFor((e) => e.vendorId === 'v-aurora' && e.vendorStatus === 'ACCEPTED');
    await ctx.stack.idle();

    // Assess: aurora hears only of its own part: no other vendor, no payment, no other vendor's reason
    const auroraSaw = [...auroraOrder.events, ...auroraParts.events.filter((e) => e.orderId === order.id)];
    expect(auroraSaw.map((e) => e.vendorStatus)).toEqual(['ACCEPTED', 'ACCEPTED']);
    for (const event of auroraSaw) {
      expect(event).toMatchObject({
        audience: 'VENDOR',
        vendorId: 'v-aurora',
        vendorIds: ['v-aurora'],
        payment: null,
      });
    }
    expect(JSON.stringify(auroraSaw)).not.toContain('v-borealis');
    expect(JSON.stringify(auroraSaw)).not.toContain('borealis private reason');
    // nor does its view of the order show borealis's history
    const seen = await getOrder(aurora, order.id);
    expect(seen.statusHistory.map((h) => h.vendorId ?? null)).not.toContain('v-borealis');
    expect(JSON.stringify(seen)).not.toContain('borealis private reason');
    // the customer and the admin get every status of every part, with the payment
    for (const full of [owner, watcher]) {
      expect(full.events.every((e) => e.audience === 'CUSTOMER')).toBe(true);
      expect(full.events.map((e) => [e.vendorId, e.vendorStatus ?? e.status])).toEqual(
        expect.arrayContaining([
          [null, 'PAID'],
          ['v-borealis', 'REJECTED'],
          ['v-aurora', 'ACCEPTED'],
          [null, 'FULFILLING'],
        ]),
      );
      expect(
        full.events.find((e) => e.vendorId === 'v-borealis' && e.vendorStatus === 'REJECTED'),
      ).toMatchObject({
        reason: 'borealis private reason',
        vendorIds: ['v-aurora', 'v-borealis'],
        payment: { status: expect.stringMatching(/SUCCEEDED|PARTIALLY_REFUNDED/) },
      });
    }
    for (const live of [owner, watcher, auroraOrder, auroraParts]) {
      expect(live.errors).toEqual([]);
      live.close();
    }
  });

  it("delivers each field of one relay request only to that field's audience", async () => {
    // Prepare: given the customer, another customer, an admin and both vendors watch one order (and
    // their notifications), and the notification consumer's combined request for a paid order's
    // rejected part: the customer event, borealis's own event and borealis's notice in ONE mutation
    const { customer, customer2, admin, aurora, borealis } = ctx.users;
    const orderId = `relay-leak-${Date.now()}`;
    const at = new Date().toISOString();
    const request: RelayRequest = {
      customer: {
        orderId,
        customerId: customer.sub,
        vendorIds: ['v-aurora', 'v-borealis'],
        status: 'PAID',
        previousStatus: null,
        vendorId: 'v-borealis',
        vendorStatus: 'REJECTED',
        payment: {
          orderId,
          amount: 1000,
          currency: 'EUR',
          status: 'SUCCEEDED',
          method: 'CARD',
          attempts: 1,
          failureReason: null,
          refundedAmount: 0,
          updatedAt: at,
        },
        reason: 'borealis private reason',
        actor: 'VENDOR',
        version: 4,
        correlationId: orderId,
        at,
      },
      vendor: {
        orderId,
        customerId: customer.sub,
        status: 'PAID',
        vendorId: 'v-borealis',
        vendorStatus: 'REJECTED',
        reason: 'borealis private reason',
        actor: 'VENDOR',
        version: 4,
        correlationId: orderId,
        at,
      },
      notification: {
        id: `${orderId}:VENDOR_ORDER_CANCELLED`,
        recipient: 'vendor#v-borealis',
        kind: 'VENDOR_ORDER_CANCELLED',
        orderId,
        message: `Order ${orderId} was cancelled`,
        createdAt: at,
      },
    };
    const watch = {
      customerMine: subscribe(customer, OnMyOrdersChangedDocument, {}),
      customerOrder: subscribe(customer, OnOrderStatusChangedDocument, { orderId }),
      customerNotices: subscribe(customer, OnNotificationDocument, {}),
      strangerMine: subscribe(customer2, OnMyOrdersChangedDocument, {}),
      strangerOrder: subscribe(customer2, OnOrderStatusChangedDocument, { orderId }),
      adminOrder: subscribe(admin, OnOrderStatusChangedDocument, { orderId }),
      adminBorealis: subscribe(admin, OnVendorOrdersChangedDocument, { vendorId: 'v-borealis' }),
      auroraOrder: subscribe(aurora, OnOrderStatusChangedDocument, { orderId }),
      auroraParts: subscribe(aurora, OnVendorOrdersChangedDocument, { vendorId: 'v-aurora' }),
      auroraNotices: subscribe(aurora, OnNotificationDocument, {}),
      borealisOrder: subscribe(borealis, OnOrderStatusChangedDocument, { orderId }),
      borealisParts: subscribe(borealis, OnVendorOrdersChangedDocument, { vendorId: 'v-borealis' }),
      borealisNotices: subscribe(borealis, OnNotificationDocument, {}),
    };
    await Promise.all(Object.values(watch).map((w) => w.started));
    const relay = createAppSyncClient({
      url: ctx.stack.endpoints.graphqlUrl,
      region: ctx.stack.endpoints.region,
      credentials: ctx.stack.endpoints.iam,
    });

    // Act: the consumer's request, as IAM
    const answer = await relay.request(relayDocument(request), request);
    await watch.customerMine.waitFor((e) => e.orderId === orderId);
    await watch.adminOrder.waitFor((e) => e.orderId === orderId);
    await watch.borealisOrder.waitFor((e) => e.orderId === orderId);
    await watch.borealisParts.waitFor((e) => e.orderId === orderId);
    await watch.borealisNotices.waitFor((n) => n.orderId === orderId);
    await ctx.stack.idle();

    // Assess: one operation answered all three fields
    expect(Object.keys(answer).sort()).toEqual([
      'publishNotification',
      'publishOrderStatus',
      'publishVendorOrderStatus',
    ]);
    const about = (events: readonly { orderId?: string | null }[]) =>
      events.filter((e) => e.orderId === orderId);
    // the customer and the admins get the customer event only, once per subscription
    for (const full of [watch.customerMine, watch.customerOrder, watch.adminOrder, watch.adminBorealis]) {
      expect(about(full.events)).toEqual([
        expect.objectContaining({ audience: 'CUSTOMER', vendorIds: ['v-aurora', 'v-borealis'] }),
      ]);
    }
    // borealis gets its own event (no other vendor, no payment) and its notice, nothing customer-facing
    for (const own of [watch.borealisOrder, watch.borealisParts]) {
      expect(about(own.events)).toEqual([
        expect.objectContaining({
          audience: 'VENDOR',
          vendorId: 'v-borealis',
          vendorIds: ['v-borealis'],
          payment: null,
        }),
      ]);
      expect(JSON.stringify(about(own.events))).not.toContain('v-aurora');
    }
    expect(about(watch.borealisNotices.events)).toEqual([
      expect.objectContaining({ recipient: 'vendor#v-borealis', kind: 'VENDOR_ORDER_CANCELLED' }),
    ]);
    // and nobody else hears anything of it
    for (const none of [
      watch.customerNotices,
      watch.strangerMine,
      watch.strangerOrder,
      watch.auroraOrder,
      watch.auroraParts,
      watch.auroraNotices,
    ]) {
      expect(about(none.events)).toEqual([]);
    }
    for (const live of Object.values(watch)) {
      expect(live.errors).toEqual([]);
      live.close();
    }
  });

  it('tells each vendor of a paid order once, in one shared notice that names no other vendor', async () => {
    // Prepare: both vendors, the customer and another customer watch their notifications; a vendor also
    // asks for the IAM-only recipient list
    const { customer, customer2, aurora, borealis } = ctx.users;
    const order = await placedOrder(customer, [
      line('v-aurora', 'p-thermos', 1),
      line('v-borealis', 'p-filter', 1),
    ]);
    type Notice = {
      id: string;
      recipient?: string | null;
      recipients?: string[] | null;
      kind: string;
      orderId?: string | null;
    };
    const withRecipients: TypedDocument<{ onNotification: Notice | null }, Record<string, never>> = {
      toString: () => 'subscription { onNotification { id recipient recipients kind orderId } }',
    };
    const watch = {
      aurora: subscribe(aurora, OnNotificationDocument, {}),
      borealis: subscribe(borealis, OnNotificationDocument, {}),
      customer: subscribe(customer, OnNotificationDocument, {}),
      stranger: subscribe(customer2, OnNotificationDocument, {}),
    };
    const prying = subscribe(borealis, withRecipients, {});
    await Promise.all([...Object.values(watch).map((w) => w.started), prying.started.catch(() => undefined)]);

    // Act
    await pay(customer, order.id, 'tok_success');
    await watch.aurora.waitFor((n) => n.orderId === order.id && n.kind === 'VENDOR_ORDER_RECEIVED');
    await watch.borealis.waitFor((n) => n.orderId === order.id && n.kind === 'VENDOR_ORDER_RECEIVED');
    await watch.customer.waitFor((n) => n.orderId === order.id && n.kind === 'ORDER_PAID');
    await ctx.stack.idle();

    // Assess: each vendor got the one notice, which names no recipient; the customer its own; no one else
    const about = (events: readonly Notice[]) => events.filter((e) => e.orderId === order.id);
    for (const vendor of [watch.aurora, watch.borealis]) {
      expect(about(vendor.events)).toEqual([
        expect.objectContaining({ kind: 'VENDOR_ORDER_RECEIVED', recipient: null }),
      ]);
    }
    expect(JSON.stringify(about(watch.aurora.events))).not.toContain('v-borealis');
    expect(JSON.stringify(about(watch.borealis.events))).not.toContain('v-aurora');
    // (no ORDER_PLACED: a new order is placeOrder's own push, onOrderPlaced, and stores no notice)
    expect(about(watch.customer.events)).toEqual([
      expect.objectContaining({ kind: 'ORDER_PAID', recipient: customer.sub }),
    ]);
    expect(about(watch.stranger.events)).toEqual([]);
    // the recipient list is IAM only: a vendor who asks for it never gets it
    expect(JSON.stringify(prying.events)).not.toContain('v-aurora');
    expect(prying.events.every((n) => n.recipients === null || n.recipients === undefined)).toBe(true);
    // each vendor's stored copy names that vendor, under the pushed id
    const stored = async (session: typeof aurora) => {
      const res = await graphql(session, MY_NOTICES, {});
      return expectData(res, 'myNotifications').myNotifications.items.filter((n) => n.orderId === order.id);
    };
    const pushedId = about(watch.aurora.events)[0]?.id;
    expect(await stored(aurora)).toEqual([
      expect.objectContaining({ id: pushedId, recipient: 'vendor#v-aurora', kind: 'VENDOR_ORDER_RECEIVED' }),
    ]);
    expect(await stored(borealis)).toEqual([
      expect.objectContaining({
        id: pushedId,
        recipient: 'vendor#v-borealis',
        kind: 'VENDOR_ORDER_RECEIVED',
      }),
    ]);
    for (const live of Object.values(watch)) {
      expect(live.errors).toEqual([]);
      live.close();
    }
    prying.close();
  });

  it('pushes a payment result once: a repeated or stale result reaches no subscriber', async () => {
    // Prepare: the customer and an admin watch an order that gets paid
    const { customer, admin } = ctx.users;
    const order = await placedOrder(customer, [line('v-aurora', 'p-headlamp', 1)]);
    const watch = {
      mine: subscribe(customer, OnMyOrdersChangedDocument, {}),
      order: subscribe(customer, OnOrderStatusChangedDocument, { orderId: order.id }),
      admin: subscribe(admin, OnOrderStatusChangedDocument, { orderId: order.id }),
    };
    await Promise.all(Object.values(watch).map((w) => w.started));
    await pay(customer, order.id, 'tok_success');
    for (const w of Object.values(watch))
      await w.waitFor((e) => e.orderId === order.id && e.status === 'PAID');
    await ctx.stack.idle();
    const iam = createAppSyncClient({
      url: ctx.stack.endpoints.graphqlUrl,
      region: ctx.stack.endpoints.region,
      credentials: ctx.stack.endpoints.iam,
    });
    const record = (status: 'SUCCEEDED' | 'DECLINED') =>
      iam.request(RecordPaymentResultDocument, {
        input: { orderId: order.id, attempt: 1, status, correlationId: order.id },
      });

    // Act: the payment consumer's retry repeats the result, and a late decline of the same attempt arrives
    const repeated = await record('SUCCEEDED');
    const stale = await record('DECLINED');
    await ctx.stack.idle();

    // Assess: the answers say nothing moved, and each subscription holds the one PAID event
    expect(repeated.recordPaymentResult).toMatchObject({ audience: 'INTERNAL', status: 'PAID' });
    expect(stale.recordPaymentResult).toMatchObject({ audience: 'INTERNAL', status: 'PAID' });
    for (const w of Object.values(watch)) {
      const about = w.events.filter((e) => e.orderId === order.id);
      expect(about.filter((e) => e.status === 'PAID')).toEqual([
        expect.objectContaining({ audience: 'CUSTOMER', previousStatus: 'PAYMENT_PENDING' }),
      ]);
      expect(about.every((e) => e.audience === 'CUSTOMER')).toBe(true);
      expect(w.errors).toEqual([]);
      w.close();
    }
  });

  it("sends a payment's notices once: the payment consumer's repeated request stores and pushes nothing", async () => {
    // Prepare: the customer and both vendors watch their notifications; one order is paid, another declined
    const { customer, aurora, borealis } = ctx.users;
    const paid = await placedOrder(customer, [
      line('v-aurora', 'p-thermos', 1),
      line('v-borealis', 'p-filter', 1),
    ]);
    const declined = await placedOrder(customer, [line('v-aurora', 'p-headlamp', 1)]);
    const watch = {
      customer: subscribe(customer, OnNotificationDocument, {}),
      aurora: subscribe(aurora, OnNotificationDocument, {}),
      borealis: subscribe(borealis, OnNotificationDocument, {}),
    };
    await Promise.all(Object.values(watch).map((w) => w.started));
    await pay(customer, paid.id, 'tok_success');
    await pay(customer, declined.id, 'tok_declined');
    await watch.customer.waitFor((n) => n.orderId === paid.id && n.kind === 'ORDER_PAID');
    await watch.customer.waitFor((n) => n.orderId === declined.id && n.kind === 'PAYMENT_FAILED');
    await watch.aurora.waitFor((n) => n.orderId === paid.id && n.kind === 'VENDOR_ORDER_RECEIVED');
    await watch.borealis.waitFor((n) => n.orderId === paid.id && n.kind === 'VENDOR_ORDER_RECEIVED');
    await ctx.stack.idle();
    const stored = async (session: typeof customer, orderId: string) => {
      const res = await graphql(session, NOTICES_WITH_TIME, {});
      return expectData(res, 'myNotifications').myNotifications.items.filter((n) => n.orderId === orderId);
    };
    const [paidNotice] = await stored(customer, paid.id);
    const [failedNotice] = await stored(customer, declined.id);
    // the payment consumer's own request, again (a Lambda async retry after its answer was lost)
    const iam = createAppSyncClient({
      url: ctx.stack.endpoints.graphqlUrl,
      region: ctx.stack.endpoints.region,
      credentials: ctx.stack.endpoints.iam,
    });
    const result = (orderId: string, status: 'SUCCEEDED' | 'DECLINED') => ({
      orderId,
      attempt: 1,
      status,
      failureReason: status === 'DECLINED' ? 'card_declined' : null,
      correlationId: orderId,
    });
    const paidNotices = paymentNotices({
      orderId: paid.id,
      customerId: customer.sub,
      vendorIds: ['v-aurora', 'v-borealis'],
      attempt: 1,
      status: 'SUCCEEDED',
      at: paidNotice?.createdAt ?? '',
    });
    const failedNotices = paymentNotices({
      orderId: declined.id,
      customerId: customer.sub,
      vendorIds: [],
      attempt: 1,
      status: 'DECLINED',
      at: failedNotice?.createdAt ?? '',
    });
    expect([paidNotice?.id, failedNotice?.id]).toEqual([paidNotices.notice.id, failedNotices.notice.id]);

    // Act
    const again = await iam.request(RecordPaymentPaidDocument, {
      input: result(paid.id, 'SUCCEEDED'),
      notice: paidNotices.notice,
      shared: paidNotices.shared[0]!,
    });
    const failedAgain = await iam.request(RecordPaymentFailedDocument, {
      input: result(declined.id, 'DECLINED'),
      notice: failedNotices.notice,
    });
    await ctx.stack.idle();

    // Assess: the repeat answers notices with no recipient, and each watcher holds its one notice
    expect(again.publishNotification).toMatchObject({ recipient: null });
    expect(again.publishSharedNotification).toMatchObject({ recipient: null, recipients: [] });
    expect(failedAgain.publishNotification).toMatchObject({ recipient: null });
    const kinds = (events: readonly { orderId?: string | null; kind: string }[], orderId: string) =>
      events.filter((e) => e.orderId === orderId).map((e) => e.kind);
    expect(kinds(watch.customer.events, paid.id)).toEqual(['ORDER_PAID']);
    expect(kinds(watch.customer.events, declined.id)).toEqual(['PAYMENT_FAILED']);
    for (const vendor of [watch.aurora, watch.borealis]) {
      expect(kinds(vendor.events, paid.id)).toEqual(['VENDOR_ORDER_RECEIVED']);
      expect(kinds(vendor.events, declined.id)).toEqual([]);
    }
    expect((await stored(customer, paid.id)).map((n) => n.kind)).toEqual(['ORDER_PAID']);
    expect((await stored(customer, declined.id)).map((n) => n.kind)).toEqual(['PAYMENT_FAILED']);
    for (const vendor of [aurora, borealis])
      expect((await stored(vendor, paid.id)).map((n) => n.kind)).toEqual(['VENDOR_ORDER_RECEIVED']);
    // the payment consumer mailed each stored notice once, through the local SNS, with its kind attribute
    const mails = (orderId: string) =>
      ctx.stack.events.sns
        .listOutbox()
        .filter((m) => (JSON.parse(m.message) as { orderId?: string }).orderId === orderId)
        .map((m) => m.messageAttributes.kind?.StringValue);
    expect(mails(paid.id)).toEqual(['ORDER_PAID', 'VENDOR_ORDER_RECEIVED']);
    expect(mails(declined.id)).toEqual(['PAYMENT_FAILED']);
    for (const live of Object.values(watch)) {
      expect(live.errors).toEqual([]);
      live.close();
    }
  });

  it('lets a vendor see only its own lines of an order', async () => {
    // Prepare
    const { customer, aurora } = ctx.users;
    const order = await placedOrder(customer, [
      line('v-aurora', 'p-thermos', 1),
      line('v-borealis', 'p-filter', 1),
    ]);
    // Act
    const seen = await getOrder(aurora, order.id);
    // Assess: schema.graphql Order.lines and Order.total, "for a vendor caller, only that vendor's part"
    expect(seen.lines.map((l) => l.vendorId)).toEqual(['v-aurora']);
    expect(seen.vendorOrders.map((v) => v.vendorId)).toEqual(['v-aurora']);
    expect(seen.vendorIds).toEqual(['v-aurora']);
    expect(seen.total).toBe(order.vendorOrders.find((v) => v.vendorId === 'v-aurora')?.subtotal);
    expect(seen.payment).toBeNull();
  });

  it('lets an admin list every order', async () => {
    // Prepare
    const { customer, admin } = ctx.users;
    const order = await placedOrder(customer, [line('v-aurora', 'p-headlamp', 1)]);
    // Act
    const res = await graphql(admin, OrdersDocument, { limit: 100 });
    // Assess
    expect(expectData(res, 'orders').orders.items.map((o) => o.id)).toContain(order.id);
  });

  it('rejects a customer asking for every order with Unauthorized', async () => {
    // Prepare
    const { customer } = ctx.users;
    // Act
    const res = await graphql(customer, OrdersDocument, { limit: 10 });
    // Assess: AWS Knowledge Center "resolve Unauthorized errors when running GraphQL requests in AWS
    // AppSync": a field-level denial is 200 OK with errorType Unauthorized, "Not Authorized to access X on
    // type Y"; data is null because orders is non-null
    expect(res.status).toBe(200);
    expect(res.data).toBeNull();
    expect(res.errors?.[0]).toMatchObject({
      errorType: 'Unauthorized',
      path: ['orders'],
      message: 'Not Authorized to access orders on type Query',
    });
  });

  it('rejects a request without an Authorization header with HTTP 401', async () => {
    // Prepare
    const query = GetOrderDocument.toString();
    // Act
    const res = await postGraphQL(ctx.stack.endpoints.graphqlUrl, { query, variables: { id: 'any' } });
    // Assess: same Knowledge Center article: missing credentials are denied by the authorization mode
    // with 401 Unauthorized, before any resolver runs
    expect(res.status).toBe(401);
    expect(res.data).toBeNull();
    expect(res.errors?.[0]).toMatchObject({ errorType: 'UnauthorizedException' });
  });
});
