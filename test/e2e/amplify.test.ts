/**
 * The clients people really use: aws-amplify v6, unchanged, against `npm start`'s HTTPS/WSS port with
 * only the local CA trusted; and every role authorized alike by its ID token and its access token.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdminGetUserCommand,
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { startLocalStack, type LocalStack } from '@orderloop/local/stack';
import {
  MyOrdersDocument,
  OnOrderStatusChangedDocument,
  PlaceOrderDocument,
  ProcessPaymentDocument,
  UpdateVendorOrderStatusDocument,
} from '../generated/graphql.js';
import { eventually, line, orderReaches, pay, placedOrder, SHIPPING_ADDRESS } from './support/orders.js';
import { signIn as sdkSignIn, type Session } from './support/client.js';
import { sharedDynamoDbOption } from './support/shared-dynamodb.js';

const PASSWORD = 'Orderloop!2026';
const VENDOR_ORDERS = /* GraphQL */ `
  query VendorOrders($vendorId: ID!) {
    vendorOrders(vendorId: $vendorId) {
      items {
        orderId
        vendorId
        status
      }
    }
  }
`;
const ON_VENDOR_ORDERS_CHANGED = /* GraphQL */ `
  subscription OnVendorOrdersChanged($vendorId: ID!) {
    onVendorOrdersChanged(vendorId: $vendorId) {
      orderId
      vendorIds
      status
      vendorId
      vendorStatus
    }
  }
`;

interface Answer {
  readonly id: number;
  readonly ok?: boolean;
  readonly data?: Record<string, unknown>;
  readonly errors?: { message?: string; errorType?: string }[];
  readonly event?: Record<string, unknown>;
}

/** One app process on aws-amplify v6 (test/e2e/support/amplify-app.ts), driven line by line. */
class AmplifyApp {
  private nextId = 1;
  private readonly waiting = new Map<number, (answer: Answer) => void>();
  private readonly events = new Map<number, Record<string, unknown>[]>();
  private readonly stderr: string[] = [];

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (text) => {
      const answer = JSON.parse(text) as Answer;
      if (answer.event) this.events.get(answer.id)?.push(answer.event);
      else this.waiting.get(answer.id)?.(answer);
    });
    child.stderr.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
  }

  /** Starts the app with the printed endpoints and only the local CA added to Node's trust store. */
  static async start(stack: LocalStack): Promise<AmplifyApp> {
    const https = stack.endpoints.https!;
    const config = {
      graphqlUrl: https.graphqlUrl,
      region: stack.endpoints.region,
      userPoolId: stack.endpoints.cognito.userPoolId,
      userPoolClientId: stack.endpoints.cognito.clientId,
      userPoolEndpoint: https.awsEndpoint,
    };
    const child = spawn(
      process.execPath,
      ['--experimental-websocket', '--no-warnings', '--import', 'tsx', 'test/e2e/support/amplify-app.ts'],
      {
        env: { ...process.env, NODE_EXTRA_CA_CERTS: https.caFile, AMPLIFY_CONFIG: JSON.stringify(config) },
        stdio: 'pipe',
      },
    );
    const app = new AmplifyApp(child);
    await app.answer(0);
    return app;
  }

  private answer(id: number): Promise<Answer> {
    return new Promise((resolve, reject) => {
      this.waiting.set(id, resolve);
      this.child.once('exit', (code) =>
        reject(new Error(`the Amplify app exited (${code}): ${this.stderr.join('')}`)),
      );
    });
  }

  call(op: string, args: Record<string, unknown> = {}): Promise<Answer> {
    const id = this.nextId++;
    if (op === 'subscribe') this.events.set(id, []);
    const answered = this.answer(id);
    this.child.stdin.write(`${JSON.stringify({ id, op, ...args })}\n`);
    return answered;
  }

  async graphql(query: string, variables: Record<string, unknown> = {}): Promise<Answer> {
    return this.call('graphql', { query, variables });
  }

  /** Starts a subscription and resolves once AppSync acknowledged it; events collect in the list. */
  async subscribe(query: string, variables: Record<string, unknown>): Promise<Record<string, unknown>[]> {
    const id = this.nextId;
    const answer = await this.call('subscribe', { query, variables });
    if (!answer.ok) throw new Error(`subscription failed: ${JSON.stringify(answer.errors)}`);
    return this.events.get(id)!;
  }

  stop(): void {
    this.child.kill();
  }
}

describe('aws-amplify v6 against the local stack over HTTPS and WSS', () => {
  let stack: LocalStack;
  let customer: Session;
  const tlsDir = mkdtempSync(join(tmpdir(), 'orderloop-tls-'));
  // One app process per test, started up front: each is a fresh Amplify app with its own signed-in user.
  let apps: AmplifyApp[] = [];

  beforeAll(async () => {
    stack = await startLocalStack({
      port: 0,
      seed: true,
      quiet: true,
      tls: { dir: tlsDir, port: 0 },
      dynamodb: sharedDynamoDbOption(),
    });
    customer = await sdkSignIn(stack.endpoints, 'customer@orderloop.local', PASSWORD);
    apps = await Promise.all([1, 2, 3].map(() => AmplifyApp.start(stack)));
  });
  afterAll(async () => {
    for (const app of apps) app.stop();
    await stack?.stop();
    rmSync(tlsDir, { recursive: true, force: true });
  });

  it('lets a customer sign in, query, order, pay and see its order statuses arrive on a subscription', async () => {
    // Prepare
    const app = apps[0]!;
    expect(
      await app.call('signIn', { username: 'customer@orderloop.local', password: PASSWORD }),
    ).toMatchObject({
      ok: true,
    });
    // Act
    const listed = await app.graphql(MyOrdersDocument.toString());
    const placed = await app.graphql(PlaceOrderDocument.toString(), {
      input: { lines: [line('v-aurora', 'p-headlamp')], shippingAddress: SHIPPING_ADDRESS },
      idempotencyKey: `amplify-${Date.now()}`,
    });
    const orderId = (placed.data?.['placeOrder'] as { id: string }).id;
    const events = await app.subscribe(OnOrderStatusChangedDocument.toString(), { orderId });
    const paid = await app.graphql(ProcessPaymentDocument.toString(), {
      input: { orderId, paymentToken: 'tok_success', method: 'CARD' },
      idempotencyKey: `amplify-pay-${orderId}`,
    });
    // Assess
    expect(listed).toMatchObject({ ok: true, data: { myOrders: { items: expect.any(Array) } } });
    expect(paid.ok).toBe(true);
    const statuses = await eventually(
      async () => events.map((e) => (e['onOrderStatusChanged'] as { status: string }).status),
      (seen) => seen.includes('PAID'),
    );
    // PAYMENT_PENDING is not pushed: processPayment's own answer carried it (domain/audience.ts)
    expect(statuses).toContain('PAID');
    expect(statuses).not.toContain('PAYMENT_PENDING');
    expect(paid.data).toMatchObject({ processPayment: { status: 'PENDING' } });
    for (const event of events) expect(event['onOrderStatusChanged']).toMatchObject({ orderId });
  });

  it("lets a vendor, with Amplify's default auth mode (the access token), list and subscribe to its vendor orders", async () => {
    // Prepare
    const app = apps[1]!;
    await app.call('signIn', { username: 'aurora@orderloop.local', password: PASSWORD });
    const events = await app.subscribe(ON_VENDOR_ORDERS_CHANGED, { vendorId: 'v-aurora' });
    // Act
    const order = await placedOrder(customer, [
      line('v-aurora', 'p-parka'),
      line('v-borealis', 'p-espresso'),
    ]);
    await pay(customer, order.id, 'tok_success');
    await orderReaches(customer, order.id, 'PAID');
    // A vendor hears of changes to its own part (schema.graphql, EventAudience): it accepts, through Amplify.
    const accepted = await app.graphql(UpdateVendorOrderStatusDocument.toString(), {
      input: { orderId: order.id, vendorId: 'v-aurora', status: 'ACCEPTED' },
    });
    // Assess
    expect(accepted.ok).toBe(true);
    const mine = await eventually(
      async () =>
        events
          .map(
            (e) => e['onVendorOrdersChanged'] as { orderId: string; vendorId: string; vendorStatus: string },
          )
          .filter((e) => e.orderId === order.id),
      (seen) => seen.some((e) => e.vendorStatus === 'ACCEPTED'),
    );
    expect(mine.every((e) => e.vendorId === 'v-aurora')).toBe(true);
    const listed = await app.graphql(VENDOR_ORDERS, { vendorId: 'v-aurora' });
    expect(listed.ok).toBe(true);
    const items = (listed.data?.['vendorOrders'] as { items: { orderId: string; vendorId: string }[] }).items;
    expect(items).toContainEqual(expect.objectContaining({ orderId: order.id, vendorId: 'v-aurora' }));
    expect(items.every((i) => i.vendorId === 'v-aurora')).toBe(true);
  });

  it("rejects a vendor's Amplify subscription and query for another vendor's orders", async () => {
    // Prepare
    const app = apps[2]!;
    await app.call('signIn', { username: 'aurora@orderloop.local', password: PASSWORD });
    // Act
    const listed = await app.graphql(VENDOR_ORDERS, { vendorId: 'v-borealis' });
    const subscribed = await app.call('subscribe', {
      query: ON_VENDOR_ORDERS_CHANGED,
      variables: { vendorId: 'v-borealis' },
    });
    // Assess
    expect(listed.ok).toBe(false);
    expect(listed.errors?.[0]?.errorType).toBe('Unauthorized');
    expect(subscribed.ok).toBe(false);
  });
});

describe('every role with its ID token and its access token', () => {
  let stack: LocalStack;
  let cognito: CognitoIdentityProviderClient;
  let orderId: string;

  const tokens = async (username: string) => {
    const out = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: stack.endpoints.cognito.clientId,
        AuthParameters: { USERNAME: username, PASSWORD: PASSWORD },
      }),
    );
    return { id: out.AuthenticationResult!.IdToken!, access: out.AuthenticationResult!.AccessToken! };
  };
  const ask = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
    const res = await fetch(stack.endpoints.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: token },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as {
      data?: Record<string, unknown> | null;
      errors?: { errorType?: string }[];
    };
  };
  const errorTypeOf = (answer: Awaited<ReturnType<typeof ask>>) => answer.errors?.[0]?.errorType ?? 'none';
  const vendorOrderIds = (answer: Awaited<ReturnType<typeof ask>>) =>
    ((answer.data?.['vendorOrders'] as { items: { orderId: string }[] } | undefined)?.items ?? []).map(
      (i) => i.orderId,
    );

  beforeAll(async () => {
    stack = await startLocalStack({ port: 0, seed: true, quiet: true, dynamodb: sharedDynamoDbOption() });
    cognito = new CognitoIdentityProviderClient({
      region: stack.endpoints.region,
      endpoint: stack.endpoints.cognito.endpoint,
      credentials: stack.endpoints.iam,
    });
    const customer = await sdkSignIn(stack.endpoints, 'customer@orderloop.local', PASSWORD);
    orderId = (await placedOrder(customer, [line('v-aurora', 'p-thermos'), line('v-borealis', 'p-filter')]))
      .id;
  });
  afterAll(async () => {
    cognito?.destroy();
    await stack?.stop();
  });

  it('carries the vendor id in both tokens of a vendor, and in neither token of a customer or an admin', async () => {
    // Act
    const claims = async (username: string) => {
      const t = await tokens(username);
      const decode = (jwt: string) =>
        JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
      return { id: decode(t.id)['custom:vendorId'], access: decode(t.access)['custom:vendorId'] };
    };
    // Assess
    expect(await claims('aurora@orderloop.local')).toEqual({ id: 'v-aurora', access: 'v-aurora' });
    expect(await claims('customer@orderloop.local')).toEqual({ id: undefined, access: undefined });
    expect(await claims('admin@orderloop.local')).toEqual({ id: undefined, access: undefined });
  });

  for (const kind of ['id', 'access'] as const) {
    it(`authorizes a vendor's own vendor orders and only those with its ${kind} token`, async () => {
      // Prepare
      const token = (await tokens('aurora@orderloop.local'))[kind];
      // Act
      const own = await ask(token, VENDOR_ORDERS, { vendorId: 'v-aurora' });
      const other = await ask(token, VENDOR_ORDERS, { vendorId: 'v-borealis' });
      // Assess
      expect(errorTypeOf(own)).toBe('none');
      expect(vendorOrderIds(own)).toContain(orderId);
      expect(errorTypeOf(other)).toBe('Unauthorized');
    });

    it(`lets a customer read its orders and no vendor orders with its ${kind} token`, async () => {
      // Prepare
      const token = (await tokens('customer@orderloop.local'))[kind];
      // Act
      const mine = await ask(token, MyOrdersDocument.toString());
      const vendors = await ask(token, VENDOR_ORDERS, { vendorId: 'v-aurora' });
      // Assess
      expect(errorTypeOf(mine)).toBe('none');
      expect((mine.data?.['myOrders'] as { items: { id: string }[] }).items.map((o) => o.id)).toContain(
        orderId,
      );
      expect(errorTypeOf(vendors)).toBe('Unauthorized');
    });

    it(`lets an admin read any vendor's orders with its ${kind} token`, async () => {
      // Prepare
      const token = (await tokens('admin@orderloop.local'))[kind];
      // Act
      const borealis = await ask(token, VENDOR_ORDERS, { vendorId: 'v-borealis' });
      // Assess
      expect(errorTypeOf(borealis)).toBe('none');
      expect(vendorOrderIds(borealis)).toContain(orderId);
    });
  }

  it('rejects a vendor changing its own vendor id, so its tokens keep the id an admin gave it', async () => {
    // Prepare
    const { access } = await tokens('aurora@orderloop.local');
    // Act
    const attempt = cognito.send(
      new UpdateUserAttributesCommand({
        AccessToken: access,
        UserAttributes: [{ Name: 'custom:vendorId', Value: 'v-borealis' }],
      }),
    );
    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'A client attempted to write unauthorized attribute',
    });
    const after = await tokens('aurora@orderloop.local');
    const claims = JSON.parse(
      Buffer.from(after.access.split('.')[1]!, 'base64url').toString('utf8'),
    ) as Record<string, unknown>;
    expect(claims['custom:vendorId']).toBe('v-aurora');
  });

  it('lets a user change the attributes the web client lists as writable', async () => {
    // Prepare
    const { access } = await tokens('customer2@orderloop.local');
    // Act
    await cognito.send(
      new UpdateUserAttributesCommand({
        AccessToken: access,
        UserAttributes: [{ Name: 'name', Value: 'Ada' }],
      }),
    );
    // Assess
    const user = await cognito.send(
      new AdminGetUserCommand({
        UserPoolId: stack.endpoints.cognito.userPoolId,
        Username: 'customer2@orderloop.local',
      }),
    );
    expect(user.UserAttributes).toContainEqual({ Name: 'name', Value: 'Ada' });
  });

  it('rejects even an admin changing the immutable vendor id after the user was created', async () => {
    // Act
    const attempt = cognito.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: stack.endpoints.cognito.userPoolId,
        Username: 'aurora@orderloop.local',
        UserAttributes: [{ Name: 'custom:vendorId', Value: 'v-borealis' }],
      }),
    );
    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it("rejects SignUp because the template's pool allows only admins to create users", async () => {
    // Act
    const attempt = cognito.send(
      new SignUpCommand({
        ClientId: stack.endpoints.cognito.clientId,
        Username: 'mallory@example.com',
        Password: 'Mallory-Password-1!',
        UserAttributes: [{ Name: 'custom:vendorId', Value: 'v-aurora' }],
      }),
    );
    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'SignUp is not permitted for this user pool',
    });
  });
});
