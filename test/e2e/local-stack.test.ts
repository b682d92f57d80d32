import { resolve } from 'node:path';
import { gql } from '@apollo/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LocalStackEndpoints } from '@orderloop/local/endpoints';
import { DEMO_PRODUCTS, seedCatalog } from '../../scripts/seed.js';
import { startLocalStack, type LocalStack } from '@orderloop/local/stack';
import {
  graphql,
  iamGraphql,
  signIn,
  subscriptionClient,
  waitFor,
  type SignedIn,
} from './support/clients.js';
import { isRunning } from '@orderloop/local/testing/processes';

const ROOT = resolve(import.meta.dirname, '../..');
const CUSTOMER = 'customer@orderloop.local';

// Selects `audience`, as every relay must (functions/lib/graphql/backend.graphql): each subscription's
// filter reads it, onMyOrdersChanged's too since recordPaymentResult also triggers it.
const PUBLISH_ORDER_STATUS = `mutation ($input: PublishOrderStatusInput!) {
  publishOrderStatus(input: $input) { audience orderId customerId vendorIds status actor version correlationId at }
}`;
const ON_MY_ORDERS_CHANGED = gql`
  subscription {
    onMyOrdersChanged {
      orderId
      customerId
      status
      actor
    }
  }
`;

const ON_ORDER_PLACED = gql`
  subscription {
    onOrderPlaced {
      id
      status
    }
  }
`;

/** A status change as the notification consumer relays it. */
const statusEvent = (customerId: string, orderId: string) => ({
  orderId,
  customerId,
  vendorIds: ['v-aurora'],
  status: 'PAID',
  previousStatus: 'PAYMENT_PENDING',
  actor: 'SYSTEM',
  version: 3,
  correlationId: `order#${orderId}`,
  at: '2026-01-05T10:00:00.000Z',
});

describe('the local stack in process', () => {
  let stack: LocalStack;
  let endpoints: LocalStackEndpoints;
  let customer: SignedIn;

  beforeAll(async () => {
    // Its own engine (the last test looks at the java process), with the test tiers' quick-compiler JVM.
    vi.stubEnv('ORDERLOOP_DYNAMODB_QUICK_START', '1');
    // Two API worker threads whatever the machine: requests are answered off the main thread, by more than one.
    stack = await startLocalStack({ root: ROOT, port: 0, seed: true, quiet: true, apiWorkers: 2 });
    endpoints = stack.endpoints;
    customer = await signIn(endpoints, CUSTOMER);
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
    vi.unstubAllEnvs();
  }, 60_000);

  it('signs the seeded customer in through the Cognito SDK with only the endpoint overridden', () => {
    // Assess: "Using the ID token" — the token carries the pool's issuer, the app client and the groups.
    expect(customer.claims).toMatchObject({
      iss: endpoints.cognito.issuer,
      aud: endpoints.cognito.clientId,
      token_use: 'id',
      'cognito:groups': ['customer'],
      'cognito:username': CUSTOMER,
    });
  });

  it('serves the seeded catalog to an API key caller, written by the updateInventory resolver', async () => {
    // Act
    const res = await graphql(
      endpoints,
      '{ listProducts(limit: 50) { items { vendorId productId price reserved version } } }',
      {},
      {
        'x-api-key': endpoints.apiKey!,
      },
    );
    // Assess
    const items = (
      res.body.data?.['listProducts'] as { items: { productId: string; reserved: number; version: number }[] }
    ).items;
    expect(items.map((p) => p.productId).sort()).toEqual(DEMO_PRODUCTS.map((p) => p.productId).sort());
    expect(items.every((p) => p.reserved === 0 && p.version >= 1)).toBe(true);
  });

  it('delivers a status change published over SigV4 to the customer it belongs to, and only to them', async () => {
    // Prepare
    const client = subscriptionClient(endpoints, customer.idToken);
    const received: unknown[] = [];
    const before = stack.appsync.activeSubscriptions();
    const sub = client
      .subscribe({ query: ON_MY_ORDERS_CHANGED })
      .subscribe({ next: (event) => received.push(event.data) });
    await waitFor(() => stack.appsync.activeSubscriptions() > before, 'start_ack');
    // Act: first a change of someone else's order, then one of the customer's own
    const other = await iamGraphql(endpoints, PUBLISH_ORDER_STATUS, {
      input: statusEvent('someone-else', 'o-other'),
    });
    const own = await iamGraphql(endpoints, PUBLISH_ORDER_STATUS, {
      input: statusEvent(String(customer.claims['sub']), 'o-mine'),
    });
    await waitFor(() => received.length > 0, 'the subscription event');
    // A later change of the customer's own order, once the first arrived: had the other order's event
    // passed the filter, it would be in the list before this one.
    await iamGraphql(endpoints, PUBLISH_ORDER_STATUS, {
      input: statusEvent(String(customer.claims['sub']), 'o-mine-later'),
    });
    await waitFor(() => received.length > 1, 'the later subscription event');
    // Assess: "Defining enhanced subscriptions filters" — the resolver's customerId filter drops the other order.
    expect(other.body.errors).toBeUndefined();
    expect(own.body.errors).toBeUndefined();
    const event = (orderId: string) => ({
      onMyOrdersChanged: {
        __typename: 'OrderStatusEvent',
        orderId,
        customerId: customer.claims['sub'],
        status: 'PAID',
        actor: 'SYSTEM',
      },
    });
    expect(received).toEqual([event('o-mine'), event('o-mine-later')]);
    sub.unsubscribe();
    await waitFor(() => stack.appsync.activeSubscriptions() === before, 'stop');
  });

  it("pushes a placed order to the customer's subscription with placeOrder's own answer", async () => {
    // Prepare
    const client = subscriptionClient(endpoints, customer.idToken);
    const received: { onOrderPlaced: { id: string; status: string } }[] = [];
    const before = stack.appsync.activeSubscriptions();
    const sub = client
      .subscribe({ query: ON_ORDER_PLACED })
      .subscribe({ next: (event) => received.push(event.data as (typeof received)[number]) });
    await waitFor(() => stack.appsync.activeSubscriptions() > before, 'start_ack');
    // Act
    const placed = await graphql(
      endpoints,
      // customerId selected: the subscriber's filter reads it from the mutation's selection set
      'mutation ($input: PlaceOrderInput!, $key: ID!) { placeOrder(input: $input, idempotencyKey: $key) { id customerId status } }',
      {
        input: {
          lines: [{ vendorId: 'v-aurora', productId: 'p-headlamp', quantity: 1 }],
          shippingAddress: {
            name: 'Ada',
            line1: '1 Loop Road',
            city: 'Tromsø',
            postalCode: '9008',
            country: 'NO',
          },
        },
        key: `e2e-${Date.now()}`,
      },
      { authorization: customer.idToken },
    );
    const orderId = (placed.body.data?.['placeOrder'] as { id: string } | undefined)?.id;
    await waitFor(() => received.some((e) => e.onOrderPlaced.id === orderId), 'the pushed order', 30_000);
    // Assess: onOrderPlaced lists placeOrder in @aws_subscribe (schema.graphql), no relay in between
    expect(placed.body.errors).toBeUndefined();
    expect(received.find((e) => e.onOrderPlaced.id === orderId)?.onOrderPlaced.status).toBe('PLACED');
    sub.unsubscribe();
    await waitFor(() => stack.appsync.activeSubscriptions() === before, 'stop');
  });

  it('rejects a request without authorization with 401 and the AppSync error body', async () => {
    // Act
    const res = await graphql(endpoints, '{ listProducts { items { productId } } }');
    // Assess: "Authorization and authentication" — a request with no valid mode is rejected with 401.
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      errors: [{ errorType: 'UnauthorizedException', message: 'Missing authorization header' }],
    });
  });

  it('keeps idle connections for a minute, so a client that reuses one is never reset under load', async () => {
    // Act
    const res = await fetch(endpoints.graphqlUrl, { method: 'POST', body: '{}' });
    await res.text();
    // Assess: the hint clients size their idle pool by (undici closes a second before it).
    expect(res.headers.get('keep-alive')).toBe('timeout=65');
  });

  it('rejects a customer asking for every order with an Unauthorized error', async () => {
    // Act
    const res = await graphql(
      endpoints,
      '{ orders { items { id } } }',
      {},
      { authorization: customer.idToken },
    );
    // Assess: "Using additional authorization modes" — a field outside the caller's groups is an error.
    expect(res.status).toBe(200);
    expect(res.body.errors?.[0]).toMatchObject({ errorType: 'Unauthorized', path: ['orders'] });
  });

  it('seeds idempotently: a second run finds every product and creates none', async () => {
    // Act
    const again = await seedCatalog({
      graphqlUrl: endpoints.graphqlUrl,
      cognitoEndpoint: endpoints.cognito.endpoint,
      clientId: endpoints.cognito.clientId,
    });
    // Assess
    expect(again).toEqual({ created: 0, existing: DEMO_PRODUCTS.length });
  });

  it('lists the consumers’ dead-letter queues for the replay CLI', () => {
    // Assess
    const functions = Object.values(endpoints.lambdaDeadLetterQueues);
    expect(functions.length).toBeGreaterThan(0);
    expect(functions.every((arn) => arn.startsWith('arn:aws:lambda:us-east-1:'))).toBe(true);
  });

  it('stops the server, the API worker threads and DynamoDB Local, and a second stop is a no-op', async () => {
    // Prepare
    const javaPid = stack.dynamodb.process!.pid!;
    const workers = stack.appsync.liveWorkers();
    // Act
    await stack.stop();
    await stack.stop();
    // Assess
    expect(workers).toBe(stack.appsync.workerCount);
    expect(stack.appsync.liveWorkers()).toBe(0);
    expect(isRunning(javaPid)).toBe(false);
    await expect(fetch(endpoints.graphqlUrl, { method: 'POST' })).rejects.toThrow();
  });
});
