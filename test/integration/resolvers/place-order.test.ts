import { readFileSync } from 'node:fs';
import { buildSchema, parse, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { APPSYNC_DIRECTIVES_SDL } from '@orderloop/local/auth/directives';
import { address, productItem, startHarness, userIdentity, type Harness } from './harness.js';
import { LIST_SHARDS, productKey, shardOf, vendorOrderEntryKey } from '../../../domain/keys.js';
import { derivedId } from '../../../domain/digest.js';

/** util.urlEncode as AppSync documents it (Java's URLEncoder over UTF-8), for the id a test expects. */
const urlEncode = (text: string) =>
  encodeURIComponent(text)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
/** The id placeOrder derives for a customer's key. */
const orderIdFor = (customer: string, key: string) => derivedId(['placeOrder', customer, key].map(urlEncode));

const productKeyArgs = (vendorId: string, productId: string): [string, string] => {
  const key = productKey(vendorId, productId);
  return [key.PK, key.SK];
};

/** The fields of a placed order these tests read. */
type PlacedOrder = {
  id: string;
  createdAt: string;
  total: number;
  vendorIds: string[];
  vendorOrders: { subtotal: number }[];
  lines: { unitPrice: number; lineTotal: number }[];
};

describe('placeOrder', () => {
  let h: Harness;
  let n = 0;
  /** Fresh ids per test, so tests sharing the table never see each other's items. */
  const fresh = (prefix: string) => `${prefix}-${++n}-${Date.now()}`;
  const getItem = async (PK: string, SK: string) => {
    const out = await h.client.send(
      new GetItemCommand({ TableName: h.tableName, Key: marshall({ PK, SK }), ConsistentRead: true }),
    );
    return out.Item ? unmarshall(out.Item) : null;
  };

  beforeAll(async () => {
    h = await startHarness();
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('writes the order, one list entry per vendor, and moves stock from available to reserved', async () => {
    // Prepare
    const [v1, v2, customer] = [fresh('v'), fresh('v'), fresh('c')];
    await h.seed(productItem(v1, 'p1', { price: 250, available: 5 }));
    await h.seed(productItem(v1, 'p2', { price: 99, available: 5 }));
    await h.seed(productItem(v2, 'p3', { price: 1000, available: 1 }));
    const lines = [
      { vendorId: v1, productId: 'p1', quantity: 2 },
      { vendorId: v2, productId: 'p3', quantity: 1 },
      { vendorId: v1, productId: 'p2', quantity: 3 },
    ];
    // Act
    const result = await h.call(
      'Mutation',
      'placeOrder',
      { input: { lines, shippingAddress: address }, idempotencyKey: 'k1' },
      userIdentity(customer, 'customer'),
      { 'x-correlation-id': 'corr-1' },
    );
    // Assess
    expect(result.errors).toEqual([]);
    const order = result.data as PlacedOrder;
    expect(order).toMatchObject({
      customerId: customer,
      status: 'PLACED',
      currency: 'USD',
      correlationId: 'corr-1',
      version: 1,
    });
    expect(order.total).toBe(2 * 250 + 3 * 99 + 1000);
    const subtotals = order.vendorOrders.map((v: { subtotal: number }) => v.subtotal);
    expect(subtotals.reduce((a: number, b: number) => a + b, 0)).toBe(order.total); // the invariant
    expect(order.vendorIds).toEqual([v1, v2]);
    const stored = await getItem(`ORDER#${order.id}`, 'ORDER');
    expect(stored).toMatchObject({
      entity: 'ORDER',
      status: 'PLACED',
      GSI1PK: `CUSTOMER#${customer}`,
      GSI2PK: `ORDERS#${shardOf(order.id, LIST_SHARDS)}`,
      GSISK: `${order.createdAt}#${order.id}`,
    });
    // No byStatus entry: the sweeper finds an unpaid order by its creation time on the all-orders list
    expect(stored).not.toHaveProperty('GSI3PK');
    // The order item is the one copy of each part; each vendor's list holds a keys-only entry for it
    expect(stored?.vendorOrders).toEqual([
      { vendorId: v1, status: 'PENDING', version: 1 },
      { vendorId: v2, status: 'PENDING', version: 1 },
    ]);
    expect(await getItem(`ORDER#${order.id}`, `VENDOR#${v2}`)).toBeNull();
    const entry = vendorOrderEntryKey(order.id, v2, order.createdAt);
    expect(await getItem(entry.PK, entry.SK)).toEqual({ ...entry, entity: 'VENDOR_ORDER_ENTRY' });
    expect(await getItem(...productKeyArgs(v1, 'p1'))).toMatchObject({ available: 3, reserved: 2 });
    expect(await getItem(...productKeyArgs(v2, 'p3'))).toMatchObject({ available: 0, reserved: 1 });
  });

  it('gives the client no price to send: a line with a unitPrice fails validation against the schema', () => {
    // Prepare: the API's schema as AppSync builds it (its directives first)
    const schema = buildSchema(`${APPSYNC_DIRECTIVES_SDL}\n${readFileSync('schema.graphql', 'utf8')}`);
    const line = (extra: string) =>
      parse(`mutation { placeOrder(idempotencyKey: "k", input: {
        lines: [{ vendorId: "v", productId: "p", quantity: 2${extra} }],
        shippingAddress: { name: "Ada", line1: "1 Main St", city: "London", postalCode: "N1", country: "GB" }
      }) { id } }`);
    // Act
    const withPrice = validate(schema, line(', unitPrice: 1'));
    const without = validate(schema, line(''));
    // Assess: graphql-js rules, which AppSync applies before any resolver runs
    expect(withPrice.map((e) => e.message)).toEqual([
      'Field "unitPrice" is not defined by type "OrderLineInput".',
    ]);
    expect(without).toEqual([]);
  });

  it('prices lines from the catalog at placement, and the order keeps that price when the catalog changes', async () => {
    // Prepare
    const [v, customer] = [fresh('v'), fresh('c')];
    await h.seed(productItem(v, 'p', { price: 1234 }));
    const placed = await h.call(
      'Mutation',
      'placeOrder',
      {
        input: { lines: [{ vendorId: v, productId: 'p', quantity: 2 }], shippingAddress: address },
        idempotencyKey: 'k',
      },
      userIdentity(customer, 'customer'),
    );
    const order = placed.data as PlacedOrder;
    // Act: the vendor changes the price after the order was placed
    await h.seed(productItem(v, 'p', { price: 9999 }));
    const read = await h.call('Query', 'getOrder', { id: order.id }, userIdentity(customer, 'customer'));
    // Assess
    expect(order.lines[0]).toMatchObject({ unitPrice: 1234, lineTotal: 2468 });
    expect(order.total).toBe(2468);
    expect(read.data).toMatchObject({ total: 2468, lines: [{ unitPrice: 1234, lineTotal: 2468 }] });
  });

  it('rejects a short order with OutOfStock naming each failing product, and writes nothing', async () => {
    // Prepare
    const [v, customer] = [fresh('v'), fresh('c')];
    await h.seed(productItem(v, 'ok', { available: 5 }));
    await h.seed(productItem(v, 'few', { available: 1 }));
    await h.seed(productItem(v, 'none', { available: 0 }));
    const lines = [
      { vendorId: v, productId: 'ok', quantity: 2 },
      { vendorId: v, productId: 'few', quantity: 2 },
      { vendorId: v, productId: 'none', quantity: 1 },
    ];
    // Act
    const result = await h.call(
      'Mutation',
      'placeOrder',
      { input: { lines, shippingAddress: address }, idempotencyKey: 'k' },
      userIdentity(customer, 'customer'),
    );
    // Assess
    expect(result.data).toBeNull();
    expect(result.errors[0]?.errorType).toBe('OutOfStock');
    expect(result.errors[0]?.errorInfo).toEqual({
      products: [
        { vendorId: v, productId: 'few', requested: 2, available: 1 },
        { vendorId: v, productId: 'none', requested: 1, available: 0 },
      ],
    });
    expect(await getItem(...productKeyArgs(v, 'ok'))).toMatchObject({ available: 5, reserved: 0 }); // all or nothing
  });

  it('rejects with OutOfStock naming each product whose stock condition failed in the transaction', async () => {
    // Prepare: stock is sold between the catalog read and the transaction
    const [v, customer] = [fresh('v'), fresh('c')];
    await h.seed(productItem(v, 'a', { available: 2 }));
    await h.seed(productItem(v, 'b', { available: 2 }));
    h.beforeRequest = async (request) => {
      if (request.operation !== 'TransactWriteItems') return;
      h.beforeRequest = null;
      await h.seed(productItem(v, 'a', { available: 0 }));
      await h.seed(productItem(v, 'b', { available: 1 }));
    };
    const lines = [
      { vendorId: v, productId: 'a', quantity: 1 },
      { vendorId: v, productId: 'b', quantity: 2 },
    ];
    // Act
    const result = await h.call(
      'Mutation',
      'placeOrder',
      { input: { lines, shippingAddress: address }, idempotencyKey: 'k' },
      userIdentity(customer, 'customer'),
    );
    // Assess
    // DynamoDB API reference, TransactWriteItems / CancellationReasons: one reason per item, in request order.
    expect(result.errors[0]).toMatchObject({
      errorType: 'OutOfStock',
      errorInfo: {
        products: [
          { vendorId: v, productId: 'a', requested: 1, available: 0 },
          { vendorId: v, productId: 'b', requested: 2, available: 1 },
        ],
      },
    });
    expect(await getItem(...productKeyArgs(v, 'b'))).toMatchObject({ available: 1, reserved: 0 });
  });

  /** The consistentRead flag of each BatchGetItem the call sends, in order, and its transactions' count. */
  const recordReads = () => {
    const seen = { reads: [] as boolean[], transactions: 0 };
    return {
      seen,
      record(request: Record<string, unknown>) {
        if (request['operation'] === 'TransactWriteItems') seen.transactions += 1;
        if (request['operation'] !== 'BatchGetItem') return;
        const tables = request['tables'] as Record<string, { consistentRead: boolean }>;
        seen.reads.push(tables[h.tableName]!.consistentRead);
      },
    };
  };
  const isConsistentRead = (request: Record<string, unknown>) =>
    request['operation'] === 'BatchGetItem' &&
    (request['tables'] as Record<string, { consistentRead: boolean }>)[h.tableName]!.consistentRead;
  const placeOne = (customer: string, lines: { vendorId: string; productId: string; quantity: number }[]) =>
    h.call(
      'Mutation',
      'placeOrder',
      { input: { lines, shippingAddress: address }, idempotencyKey: 'k' },
      userIdentity(customer, 'customer'),
    );

  it('reads the catalog eventually consistent, and no consistent read when the order can go', async () => {
    // Prepare
    const [v, customer] = [fresh('v'), fresh('c')];
    await h.seed(productItem(v, 'p', { available: 3 }));
    const reads = recordReads();
    h.beforeRequest = async (request) => reads.record(request);
    // Act
    const result = await placeOne(customer, [{ vendorId: v, productId: 'p', quantity: 1 }]);
    h.beforeRequest = null;
    // Assess: one eventually consistent read (half the RRU) and one transaction
    expect(result.errors).toEqual([]);
    expect(reads.seen).toEqual({ reads: [false], transactions: 1 });
  });

  it('places the order from the consistent read when the eventually consistent one missed the product', async () => {
    // Prepare: the product is created between the two reads, as a read of a lagging copy would miss it
    const [v, customer] = [fresh('v'), fresh('c')];
    const reads = recordReads();
    h.beforeRequest = async (request) => {
      reads.record(request);
      if (isConsistentRead(request)) await h.seed(productItem(v, 'new', { price: 450, available: 2 }));
    };
    // Act
    const result = await placeOne(customer, [{ vendorId: v, productId: 'new', quantity: 2 }]);
    h.beforeRequest = null;
    // Assess: not NotFound; priced and reserved from the consistent read
    expect(result.errors).toEqual([]);
    expect((result.data as PlacedOrder).lines[0]).toMatchObject({ unitPrice: 450, lineTotal: 900 });
    expect(reads.seen).toEqual({ reads: [false, true], transactions: 1 });
    expect(await getItem(...productKeyArgs(v, 'new'))).toMatchObject({ available: 0, reserved: 2 });
  });

  it('places the order at the consistent price when a stale read judged it out of stock', async () => {
    // Prepare: the eventually consistent read sees the product sold out; the consistent read sees it
    // restocked at a new price
    const [v, customer] = [fresh('v'), fresh('c')];
    await h.seed(productItem(v, 'p', { price: 500, available: 0 }));
    h.beforeRequest = async (request) => {
      if (isConsistentRead(request)) await h.seed(productItem(v, 'p', { price: 700, available: 5 }));
    };
    // Act
    const result = await placeOne(customer, [{ vendorId: v, productId: 'p', quantity: 1 }]);
    h.beforeRequest = null;
    // Assess: not OutOfStock, and never at the price the stale read saw
    expect(result.errors).toEqual([]);
    expect((result.data as PlacedOrder).total).toBe(700);
    expect(await getItem(...productKeyArgs(v, 'p'))).toMatchObject({ available: 4, reserved: 1 });
  });

  it('writes the current price, not a stale one, when the price changed before the transaction', async () => {
    // Prepare: the read saw 1000 (a stale copy, or the price was changed since): the transaction finds 1200
    const [v, customer] = [fresh('v'), fresh('c')];
    await h.seed(productItem(v, 'p', { price: 1000, available: 3 }));
    const reads = recordReads();
    let changed = false;
    h.beforeRequest = async (request) => {
      reads.record(request);
      if (!changed && request['operation'] === 'TransactWriteItems') {
        changed = true;
        await h.seed(productItem(v, 'p', { price: 1200, available: 3 }));
      }
    };
    // Act
    const result = await placeOne(customer, [{ vendorId: v, productId: 'p', quantity: 2 }]);
    h.beforeRequest = null;
    // Assess: the first transaction was cancelled, the consistent read priced the order that was written
    expect(result.errors).toEqual([]);
    const order = result.data as PlacedOrder;
    expect(order.lines[0]).toMatchObject({ unitPrice: 1200, lineTotal: 2400 });
    expect(reads.seen).toEqual({ reads: [false, true], transactions: 2 });
    const stored = await getItem(`ORDER#${order.id}`, 'ORDER');
    expect(stored).toMatchObject({ total: 2400, lines: [{ unitPrice: 1200 }] });
    expect(await getItem(...productKeyArgs(v, 'p'))).toMatchObject({ available: 1, reserved: 2 }); // reserved once
  });

  it('rejects with ConcurrentModification naming each product whose price or name changed before the write', async () => {
    // Prepare: every transaction finds a and b changed since they were read (price of a, name of b)
    const [v, customer] = [fresh('v'), fresh('c')];
    await h.seed(productItem(v, 'a', { price: 100 }));
    await h.seed(productItem(v, 'b', { price: 200 }));
    await h.seed(productItem(v, 'same', { price: 300 }));
    let price = 100;
    let round = 0;
    h.beforeRequest = async (request) => {
      if (request['operation'] !== 'TransactWriteItems') return;
      price += 1;
      round += 1;
      await h.seed(productItem(v, 'a', { price }));
      await h.seed({ ...productItem(v, 'b', { price: 200 }), name: `renamed ${round}` });
    };
    const lines = [
      { vendorId: v, productId: 'a', quantity: 1 },
      { vendorId: v, productId: 'same', quantity: 1 },
      { vendorId: v, productId: 'b', quantity: 1 },
    ];
    // Act
    const result = await placeOne(customer, lines);
    h.beforeRequest = null;
    // Assess: the consistent read's values were changed too, so the call fails and writes nothing
    expect(result.data).toBeNull();
    expect(result.errors[0]).toMatchObject({
      errorType: 'ConcurrentModification',
      errorInfo: {
        products: [
          { vendorId: v, productId: 'a' },
          { vendorId: v, productId: 'b' },
        ],
      },
    });
    expect(round).toBe(2);
    expect(await getItem(...productKeyArgs(v, 'same'))).toMatchObject({ available: 10, reserved: 0 });
    expect(await getItem(`ORDER#${orderIdFor(customer, 'k')}`, 'ORDER')).toBeNull();
  });

  it('rejects with OutOfStock when the consistent read confirms the shortage the eventually consistent read saw', async () => {
    // Prepare
    const [v, customer] = [fresh('v'), fresh('c')];
    await h.seed(productItem(v, 'p', { available: 1 }));
    const reads = recordReads();
    h.beforeRequest = async (request) => reads.record(request);
    // Act
    const result = await placeOne(customer, [{ vendorId: v, productId: 'p', quantity: 2 }]);
    h.beforeRequest = null;
    // Assess: refused from the consistent read, and no transaction was tried
    expect(result.errors[0]).toMatchObject({
      errorType: 'OutOfStock',
      errorInfo: { products: [{ vendorId: v, productId: 'p', requested: 2, available: 1 }] },
    });
    expect(reads.seen).toEqual({ reads: [false, true], transactions: 0 });
  });

  it('returns the original order when the same idempotency key and payload are sent twice', async () => {
    // Prepare
    const [v, customer] = [fresh('v'), fresh('c')];
    await h.seed(productItem(v, 'p', { available: 3 }));
    const args = {
      input: { lines: [{ vendorId: v, productId: 'p', quantity: 1 }], shippingAddress: address },
      idempotencyKey: 'same',
    };
    // Act
    const first = await h.call('Mutation', 'placeOrder', args, userIdentity(customer, 'customer'));
    const second = await h.call('Mutation', 'placeOrder', args, userIdentity(customer, 'customer'));
    // Assess
    expect(second.errors).toEqual([]);
    expect((second.data as { id: string }).id).toBe((first.data as { id: string }).id);
    expect(await getItem(...productKeyArgs(v, 'p'))).toMatchObject({ available: 2, reserved: 1 }); // reserved once
  });

  it('replays the first order to a retry that read the key before the first call took the last unit', async () => {
    // Prepare: the retry reads the idempotency record (none yet), then the first call commits and
    // reserves the only unit, then the retry reads the catalog
    const [v, customer] = [fresh('v'), fresh('c')];
    await h.seed(productItem(v, 'last', { available: 1 }));
    const input = { lines: [{ vendorId: v, productId: 'last', quantity: 1 }], shippingAddress: address };
    const call = () =>
      h.call(
        'Mutation',
        'placeOrder',
        { input, idempotencyKey: 'one-key' },
        userIdentity(customer, 'customer'),
      );
    let first: Awaited<ReturnType<typeof call>> | null = null;
    h.beforeRequest = async (request) => {
      if (first === null && request['operation'] === 'BatchGetItem') {
        h.beforeRequest = null;
        first = await call();
      }
    };
    // Act
    const retry = await call();
    h.beforeRequest = null;
    // Assess: the retry answers the first order, not OutOfStock, and one unit is reserved
    expect(first).not.toBeNull();
    expect(first!.errors).toEqual([]);
    expect(retry.errors).toEqual([]);
    expect((retry.data as PlacedOrder).id).toBe((first!.data as PlacedOrder).id);
    expect(await getItem(...productKeyArgs(v, 'last'))).toMatchObject({ available: 0, reserved: 1 });
  });

  it('rejects a reused idempotency key with a different payload as IdempotencyConflict', async () => {
    // Prepare
    const [v, customer] = [fresh('v'), fresh('c')];
    await h.seed(productItem(v, 'p', { available: 3 }));
    const line = { vendorId: v, productId: 'p', quantity: 1 };
    await h.call(
      'Mutation',
      'placeOrder',
      { input: { lines: [line], shippingAddress: address }, idempotencyKey: 'k' },
      userIdentity(customer, 'customer'),
    );
    // Act
    const result = await h.call(
      'Mutation',
      'placeOrder',
      { input: { lines: [{ ...line, quantity: 2 }], shippingAddress: address }, idempotencyKey: 'k' },
      userIdentity(customer, 'customer'),
    );
    // Assess
    expect(result.errors[0]).toMatchObject({
      errorType: 'IdempotencyConflict',
      errorInfo: { idempotencyKey: 'k' },
    });
  });

  it('derives the order id from the caller and the key, and writes no idempotency record', async () => {
    // Prepare: a key with characters util.urlEncode escapes (a space, a plus, a non-ASCII letter)
    const [v, customer] = [fresh('v'), fresh('c')];
    await h.seed(productItem(v, 'p', { available: 3 }));
    const key = 'clé 1+1';
    const gets: boolean[] = [];
    h.beforeRequest = async (request) => {
      if (request['operation'] === 'GetItem') gets.push(request['consistentRead'] as boolean);
    };
    // Act
    const result = await h.call(
      'Mutation',
      'placeOrder',
      {
        input: { lines: [{ vendorId: v, productId: 'p', quantity: 1 }], shippingAddress: address },
        idempotencyKey: key,
      },
      userIdentity(customer, 'customer'),
    );
    h.beforeRequest = null;
    // Assess: the id is the SHA-256 prefix of the parts (26 Crockford base-32 characters, like a ULID),
    // the only read of the key is the order's, eventually consistent, and the table holds no record
    expect(result.errors).toEqual([]);
    const order = result.data as PlacedOrder;
    expect(order.id).toBe(orderIdFor(customer, key));
    expect(order.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(order.id).not.toContain(customer);
    expect(gets).toEqual([false]);
    const records = await h.client.send(
      new ScanCommand({
        TableName: h.tableName,
        FilterExpression: 'begins_with(PK, :p)',
        ExpressionAttributeValues: marshall({ ':p': 'IDEMPOTENCY#' }),
      }),
    );
    expect(records.Items).toEqual([]);
  });

  it("gives another customer using the same key an order of its own, never the first customer's", async () => {
    // Prepare: customer A places an order with the key
    const [v, a, b] = [fresh('v'), fresh('c'), fresh('c')];
    await h.seed(productItem(v, 'p', { available: 10 }));
    const place = (customer: string, quantity: number, line1: string) =>
      h.call(
        'Mutation',
        'placeOrder',
        {
          input: {
            lines: [{ vendorId: v, productId: 'p', quantity }],
            shippingAddress: { ...address, line1 },
          },
          idempotencyKey: 'shared-key',
        },
        userIdentity(customer, 'customer'),
      );
    const first = (await place(a, 1, '1 A Street')).data as PlacedOrder & { customerId: string };
    // Act: customer B sends the same key, with the same payload and with another
    const same = await place(b, 1, '1 A Street');
    const other = await place(fresh('c'), 2, '2 B Street');
    // Assess: B's own order (not a replay of A's, not a conflict), and nothing of A's in B's answer
    expect(same.errors).toEqual([]);
    expect(other.errors).toEqual([]);
    const mine = same.data as PlacedOrder & { customerId: string };
    expect(mine.id).not.toBe(first.id);
    expect(mine.customerId).toBe(b);
    expect(JSON.stringify(same.data)).not.toContain(a);
    expect(JSON.stringify(same.data)).not.toContain(first.id);
    expect((other.data as PlacedOrder).id).not.toBe(first.id);
    expect(await getItem(...productKeyArgs(v, 'p'))).toMatchObject({ available: 6, reserved: 4 });
    // and A's key still answers A's order
    const replay = await place(a, 1, '1 A Street');
    expect((replay.data as PlacedOrder).id).toBe(first.id);
  });

  it('places the order on a retry with the same key after a refusal, which wrote nothing', async () => {
    // Prepare: the first call is refused for want of stock
    const [v, customer] = [fresh('v'), fresh('c')];
    await h.seed(productItem(v, 'p', { available: 1 }));
    const first = await placeOne(customer, [{ vendorId: v, productId: 'p', quantity: 2 }]);
    expect(first.errors[0]?.errorType).toBe('OutOfStock');
    await h.seed(productItem(v, 'p', { available: 5 }));
    // Act
    const retry = await placeOne(customer, [{ vendorId: v, productId: 'p', quantity: 2 }]);
    // Assess
    expect(retry.errors).toEqual([]);
    expect((retry.data as PlacedOrder).id).toBe(orderIdFor(customer, 'k'));
    expect(await getItem(...productKeyArgs(v, 'p'))).toMatchObject({ available: 3, reserved: 2 });
  });

  it("replays the first order to a retry whose first read missed it: the order put's condition cancels the retry", async () => {
    // Prepare: the retry reads the key's order (none yet), then the first call commits, then the retry
    // reads the catalog (stock enough for both) and tries its transaction
    const [v, customer] = [fresh('v'), fresh('c')];
    await h.seed(productItem(v, 'p', { available: 5 }));
    const input = { lines: [{ vendorId: v, productId: 'p', quantity: 1 }], shippingAddress: address };
    const call = () =>
      h.call(
        'Mutation',
        'placeOrder',
        { input, idempotencyKey: 'raced' },
        userIdentity(customer, 'customer'),
      );
    let first: Awaited<ReturnType<typeof call>> | null = null;
    const operations: string[] = [];
    h.beforeRequest = async (request) => {
      operations.push(request['operation'] as string);
      if (first === null && request['operation'] === 'BatchGetItem') {
        h.beforeRequest = null;
        first = await call();
        h.beforeRequest = async (r) => {
          operations.push(r['operation'] as string);
        };
      }
    };
    // Act
    const retry = await call();
    h.beforeRequest = null;
    // Assess: one order, reserved once; the retry answered it from the cancelled transaction
    expect(first!.errors).toEqual([]);
    expect(retry.errors).toEqual([]);
    expect((retry.data as PlacedOrder).id).toBe((first!.data as PlacedOrder).id);
    expect(operations).toEqual(['GetItem', 'BatchGetItem', 'TransactWriteItems']);
    expect(await getItem(...productKeyArgs(v, 'p'))).toMatchObject({ available: 4, reserved: 1 });
  });

  it('answers concurrent calls with one key and payload with one order, reserving the stock once', async () => {
    // Prepare
    const [v, customer] = [fresh('v'), fresh('c')];
    await h.seed(productItem(v, 'p', { available: 20 }));
    // Act
    const results = await Promise.all(
      Array.from({ length: 8 }, () => placeOne(customer, [{ vendorId: v, productId: 'p', quantity: 2 }])),
    );
    // Assess
    expect(results.flatMap((r) => r.errors)).toEqual([]);
    expect(new Set(results.map((r) => (r.data as PlacedOrder).id))).toEqual(
      new Set([orderIdFor(customer, 'k')]),
    );
    expect(await getItem(...productKeyArgs(v, 'p'))).toMatchObject({ available: 18, reserved: 2 });
  });

  it('rejects an unknown product as NotFound naming it', async () => {
    // Prepare
    const [v, customer] = [fresh('v'), fresh('c')];
    // Act
    const result = await h.call(
      'Mutation',
      'placeOrder',
      {
        input: { lines: [{ vendorId: v, productId: 'ghost', quantity: 1 }], shippingAddress: address },
        idempotencyKey: 'k',
      },
      userIdentity(customer, 'customer'),
    );
    // Assess
    expect(result.errors[0]).toMatchObject({
      errorType: 'NotFound',
      errorInfo: { vendorId: v, productId: 'ghost' },
    });
  });

  it('rejects mixed currencies and invalid input as ValidationError', async () => {
    // Prepare
    const [v, customer] = [fresh('v'), fresh('c')];
    await h.seed(productItem(v, 'usd', { currency: 'USD' }));
    await h.seed(productItem(v, 'eur', { currency: 'EUR' }));
    const lines = [
      { vendorId: v, productId: 'usd', quantity: 1 },
      { vendorId: v, productId: 'eur', quantity: 1 },
    ];
    // Act
    const mixed = await h.call(
      'Mutation',
      'placeOrder',
      { input: { lines, shippingAddress: address }, idempotencyKey: 'a' },
      userIdentity(customer, 'customer'),
    );
    const tooMany = await h.call(
      'Mutation',
      'placeOrder',
      { input: { lines: [{ ...lines[0], quantity: 101 }], shippingAddress: address }, idempotencyKey: 'b' },
      userIdentity(customer, 'customer'),
    );
    // Assess
    expect(mixed.errors[0]?.errorType).toBe('ValidationError');
    expect(tooMany.errors[0]).toMatchObject({
      errorType: 'ValidationError',
      errorInfo: { field: 'lines.quantity' },
    });
  });
});
