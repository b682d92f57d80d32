import { unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { bundleAppSyncCode } from '../../../infra/bundling.js';
import { executeResolver, type InvokeDataSource } from '@orderloop/local/appsync/runtime';
import { functions, resolvers } from '../../../resolvers/manifest.js';
import { orderKey, orderListKeys, productKey } from '../../../domain/keys.js';
import { derivedId } from '../../../domain/digest.js';
import { newOrderItem, type CatalogProduct } from '../../../domain/order.js';
import type { StoredOrder } from '../../../domain/views.js';

/**
 * placeOrder's pipeline as bundled for AppSync, run by the APPSYNC_JS runtime against a fake table whose
 * eventually consistent reads answer a stale copy of the catalog: DynamoDB Local has no replication lag,
 * so this is where a stale first read is made on purpose.
 */

const TABLE = 'orders';
const address = { name: 'Ada', line1: '1 Main St', city: 'London', postalCode: 'N1', country: 'GB' };
const product = (productId: string, fields: Partial<CatalogProduct> = {}): CatalogProduct => ({
  vendorId: 'v1',
  productId,
  name: `${productId} by v1`,
  price: 1000,
  currency: 'USD',
  available: 10,
  reserved: 0,
  ...fields,
});

type Sent = { operation: string; consistentRead?: boolean; stockConditions?: Record<string, unknown>[] };

/** The id placeOrder derives for customer c1's key `k` (the keys here are their own URL encoding). */
const ORDER_ID = derivedId(['placeOrder', 'c1', 'k']);

/** An order customer c1 placed with key `k` (at ORDER_ID), for the given lines of v1's products. */
const placedOrder = (lines: { productId: string; quantity: number }[], customerId = 'c1'): StoredOrder => ({
  ...newOrderItem({
    id: ORDER_ID,
    customerId,
    lines: lines.map((l) => ({
      vendorId: 'v1',
      ...l,
      name: `${l.productId} by v1`,
      unitPrice: 1000,
      lineTotal: 1000 * l.quantity,
    })),
    currency: 'USD',
    shippingAddress: address,
    correlationId: 'first-call',
    now: '2026-01-01T00:00:00.000Z',
  }),
  ...orderListKeys(ORDER_ID, customerId, 'PLACED', '2026-01-01T00:00:00.000Z'),
});

/**
 * A table of products: `current` answers consistent reads and the transaction's conditions, `stale` the
 * eventually consistent reads; the same for the order at ORDER_ID (`orders`, none by default: a first
 * call). Records what the pipeline sends.
 */
function fakeTable(
  current: CatalogProduct[],
  stale: CatalogProduct[],
  orders: { current: StoredOrder | null; stale: StoredOrder | null } = { current: null, stale: null },
) {
  const sent: Sent[] = [];
  const byPk = (list: CatalogProduct[], pk: string) =>
    list.find((p) => productKey(p.vendorId, p.productId).PK === pk) ?? null;
  const invoke: InvokeDataSource = async (_name, request) => {
    const req = request as Record<string, unknown>;
    const operation = req['operation'] as string;
    if (operation === 'GetItem') {
      const consistentRead = req['consistentRead'] as boolean;
      sent.push({ operation, consistentRead });
      expect(unmarshall(req['key'] as never)).toEqual(orderKey(ORDER_ID));
      return { result: consistentRead ? orders.current : orders.stale };
    }
    if (operation === 'BatchGetItem') {
      const spec = (
        req['tables'] as Record<string, { keys: Record<string, unknown>[]; consistentRead: boolean }>
      )[TABLE]!;
      sent.push({ operation, consistentRead: spec.consistentRead });
      const source = spec.consistentRead ? current : stale;
      const data = spec.keys.map((k) => byPk(source, unmarshall(k as never)['PK'] as string));
      return { result: { data: { [TABLE]: data }, unprocessedKeys: { [TABLE]: [] } } };
    }
    if (operation === 'TransactWriteItems') {
      const items = req['transactItems'] as {
        operation: string;
        key: Record<string, unknown>;
        condition?: { expressionValues?: Record<string, unknown> };
      }[];
      const stockConditions: Record<string, unknown>[] = [];
      const reasons = items.map((item) => {
        if (item.operation === 'PutItem' && unmarshall(item.key as never)['PK'] === `ORDER#${ORDER_ID}`)
          return orders.current ? { type: 'ConditionalCheckFailed', item: orders.current } : { type: 'None' };
        if (item.operation !== 'UpdateItem') return { type: 'None' };
        const values = unmarshall((item.condition?.expressionValues ?? {}) as never);
        stockConditions.push(values);
        const now = byPk(current, unmarshall(item.key as never)['PK'] as string);
        const holds =
          now !== null &&
          now.available >= values[':q'] &&
          now.price === values[':price'] &&
          now.name === values[':name'] &&
          now.currency === values[':currency'];
        return holds ? { type: 'None' } : { type: 'ConditionalCheckFailed', ...(now ? { item: now } : {}) };
      });
      sent.push({ operation, stockConditions });
      if (reasons.every((r) => r.type === 'None')) return { result: { keys: [] } };
      return {
        result: { keys: null, cancellationReasons: reasons },
        error: { type: 'DynamoDB:TransactionCanceledException', message: 'Transaction cancelled' },
      };
    }
    throw new Error(`unexpected ${operation}`);
  };
  return { invoke, sent };
}

async function placeOrder(invoke: InvokeDataSource, lines: { productId: string; quantity: number }[]) {
  const entry = resolvers.find((r) => r.fieldName === 'placeOrder');
  if (!entry || entry.kind !== 'pipeline') throw new Error('placeOrder is a pipeline');
  const args = {
    input: { lines: lines.map((l) => ({ vendorId: 'v1', ...l })), shippingAddress: address },
    idempotencyKey: 'k',
  };
  return executeResolver(
    {
      kind: 'PIPELINE',
      code: bundleAppSyncCode(entry.code),
      functions: entry.functions.map((name) => ({
        name,
        code: bundleAppSyncCode(functions[name].code),
        dataSource: functions[name].dataSource,
      })),
    },
    {
      typeName: 'Mutation',
      fieldName: 'placeOrder',
      args,
      source: null,
      identity: {
        sub: 'c1',
        username: 'c1',
        groups: ['customer'],
        claims: { sub: 'c1', 'cognito:groups': ['customer'] },
      },
      request: { headers: {} },
      info: {
        fieldName: 'placeOrder',
        parentTypeName: 'Mutation',
        variables: {},
        selectionSetList: [],
        selectionSetGraphQL: '',
      },
      env: { TABLE_NAME: TABLE },
    },
    invoke,
  );
}

describe('placeOrder with an eventually consistent catalog read', () => {
  it('conditions each stock move on the price, name and currency the order was priced with', async () => {
    // Prepare
    const table = fakeTable([product('p', { price: 250 })], [product('p', { price: 250 })]);
    // Act
    const result = await placeOrder(table.invoke, [{ productId: 'p', quantity: 2 }]);
    // Assess: the happy path reads once, eventually consistent
    expect(result.errors).toEqual([]);
    expect(table.sent.map((s) => [s.operation, s.consistentRead])).toEqual([
      ['GetItem', false],
      ['BatchGetItem', false],
      ['TransactWriteItems', undefined],
    ]);
    expect(table.sent[2]!.stockConditions).toEqual([
      { ':q': 2, ':price': 250, ':name': 'p by v1', ':currency': 'USD' },
    ]);
  });

  it('never writes a stale price: the cancelled write is confirmed and retried with the consistent values', async () => {
    // Prepare: the lagging copy still has the old price and name
    const table = fakeTable(
      [product('p', { price: 1200, name: 'Pen, blue' })],
      [product('p', { price: 1000, name: 'Pen' })],
    );
    // Act
    const result = await placeOrder(table.invoke, [{ productId: 'p', quantity: 1 }]);
    // Assess
    expect(result.errors).toEqual([]);
    expect(result.data).toMatchObject({ total: 1200, lines: [{ name: 'Pen, blue', unitPrice: 1200 }] });
    expect(table.sent.map((s) => [s.operation, s.consistentRead])).toEqual([
      ['GetItem', false],
      ['BatchGetItem', false],
      ['TransactWriteItems', undefined],
      ['BatchGetItem', true],
      ['TransactWriteItems', undefined],
    ]);
    expect(table.sent[4]!.stockConditions).toEqual([
      { ':q': 1, ':price': 1200, ':name': 'Pen, blue', ':currency': 'USD' },
    ]);
  });

  it('answers no refusal from a stale copy: missing or sold out there, the consistent read places the order', async () => {
    // Prepare: the copy lacks one product and shows the other sold out
    const table = fakeTable(
      [product('new', { price: 300 }), product('restocked', { price: 50, available: 4 })],
      [product('restocked', { price: 50, available: 0 })],
    );
    // Act
    const result = await placeOrder(table.invoke, [
      { productId: 'new', quantity: 1 },
      { productId: 'restocked', quantity: 4 },
    ]);
    // Assess: one consistent read decided, and the one write used its values
    expect(result.errors).toEqual([]);
    expect(result.data).toMatchObject({ total: 300 + 4 * 50 });
    expect(table.sent.map((s) => [s.operation, s.consistentRead])).toEqual([
      ['GetItem', false],
      ['BatchGetItem', false],
      ['BatchGetItem', true],
      ['TransactWriteItems', undefined],
    ]);
  });

  it('fails with NotFound naming the product when the consistent read confirms it is missing', async () => {
    // Prepare
    const table = fakeTable([], []);
    // Act
    const result = await placeOrder(table.invoke, [{ productId: 'ghost', quantity: 1 }]);
    // Assess
    expect(result.errors[0]).toMatchObject({
      errorType: 'NotFound',
      errorInfo: { vendorId: 'v1', productId: 'ghost' },
    });
    expect(table.sent.filter((s) => s.operation === 'BatchGetItem').map((s) => s.consistentRead)).toEqual([
      false,
      true,
    ]);
  });

  it('fails with ConcurrentModification naming the product that changed after the consistent read', async () => {
    // Prepare: the consistent read is stale too by the time the transaction runs (a concurrent change)
    const current = [product('p', { price: 1000 }), product('q', { price: 10 })];
    const table = fakeTable(
      current,
      current.map((p) => ({ ...p })),
    );
    const invoke: InvokeDataSource = async (name, request, ctx) => {
      if ((request as { operation: string }).operation === 'TransactWriteItems') current[0]!.price += 1;
      return table.invoke(name, request, ctx);
    };
    // Act
    const result = await placeOrder(invoke, [
      { productId: 'p', quantity: 1 },
      { productId: 'q', quantity: 1 },
    ]);
    // Assess
    expect(result.data).toBeNull();
    expect(result.errors[0]).toMatchObject({
      errorType: 'ConcurrentModification',
      errorInfo: { products: [{ vendorId: 'v1', productId: 'p' }] },
    });
    expect(table.sent.filter((s) => s.operation === 'TransactWriteItems')).toHaveLength(2);
  });
});

describe("placeOrder's idempotency on the order item, read eventually consistent", () => {
  const reads = (sent: Sent[]) => sent.map((s) => [s.operation, s.consistentRead]);

  it('replays the order an eventually consistent read shows, reading it again consistently, and writes nothing', async () => {
    // Prepare: the key's order is there, in the copy and in the table
    const order = placedOrder([{ productId: 'p', quantity: 2 }]);
    const table = fakeTable([product('p')], [product('p')], { current: order, stale: order });
    // Act
    const result = await placeOrder(table.invoke, [{ productId: 'p', quantity: 2 }]);
    // Assess
    expect(result.errors).toEqual([]);
    expect(result.data).toMatchObject({ id: ORDER_ID, correlationId: 'first-call' });
    expect(reads(table.sent)).toEqual([
      ['GetItem', false],
      ['GetItem', true],
    ]);
  });

  it('replays the order a stale copy missed: the order put condition cancels the write and returns it', async () => {
    // Prepare: a call with the key committed just now; the lagging copy does not show its order yet
    const order = placedOrder([{ productId: 'p', quantity: 2 }]);
    const table = fakeTable([product('p')], [product('p')], { current: order, stale: null });
    // Act
    const result = await placeOrder(table.invoke, [{ productId: 'p', quantity: 2 }]);
    // Assess: the first call's order, from the item the failed condition returned (no further read)
    expect(result.errors).toEqual([]);
    expect(result.data).toMatchObject({ id: ORDER_ID, correlationId: 'first-call' });
    expect(reads(table.sent)).toEqual([
      ['GetItem', false],
      ['BatchGetItem', false],
      ['TransactWriteItems', undefined],
    ]);
  });

  it('replays the order a stale copy missed when the catalog has changed since: the refusal waits for a consistent read', async () => {
    // Prepare: the first call placed the order, then the product left the catalog
    const order = placedOrder([{ productId: 'gone', quantity: 1 }]);
    const table = fakeTable([], [], { current: order, stale: null });
    // Act
    const result = await placeOrder(table.invoke, [{ productId: 'gone', quantity: 1 }]);
    // Assess: not NotFound, and no transaction was tried
    expect(result.errors).toEqual([]);
    expect(result.data).toMatchObject({ id: ORDER_ID });
    expect(reads(table.sent)).toEqual([
      ['GetItem', false],
      ['BatchGetItem', false],
      ['BatchGetItem', true],
      ['GetItem', true],
    ]);
  });

  it('rejects another request with the key as IdempotencyConflict, whether the copy or the transaction finds the order', async () => {
    // Prepare: the key's order holds 2 of p; this call asks for 3
    const order = placedOrder([{ productId: 'p', quantity: 2 }]);
    const seen = fakeTable([product('p')], [product('p')], { current: order, stale: order });
    const missed = fakeTable([product('p')], [product('p')], { current: order, stale: null });
    // Act
    const results = [
      await placeOrder(seen.invoke, [{ productId: 'p', quantity: 3 }]),
      await placeOrder(missed.invoke, [{ productId: 'p', quantity: 3 }]),
    ];
    // Assess
    for (const result of results) {
      expect(result.data).toBeNull();
      expect(result.errors[0]).toMatchObject({
        errorType: 'IdempotencyConflict',
        errorInfo: { idempotencyKey: 'k' },
      });
    }
  });

  it("never replays an order of another customer found at the id: a conflict, not that customer's order", async () => {
    // Prepare: an order of someone else at the id (only a hash collision could put one there)
    const order = placedOrder([{ productId: 'p', quantity: 2 }], 'c2');
    const table = fakeTable([product('p')], [product('p')], { current: order, stale: order });
    // Act
    const result = await placeOrder(table.invoke, [{ productId: 'p', quantity: 2 }]);
    // Assess
    expect(result.data).toBeNull();
    expect(result.errors[0]).toMatchObject({ errorType: 'IdempotencyConflict' });
    expect(JSON.stringify(result.errors)).not.toContain('c2');
  });
});
