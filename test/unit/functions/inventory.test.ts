import { describe, expect, it } from 'vitest';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { parseEnvelope } from '../../../domain/events/envelope.js';
import { handleInventoryEvent, moveStock, type InventoryDeps } from '../../../functions/inventory/logic.js';
import { envelope, quietLogger } from './fakes.js';
import { productKey } from '../../../domain/keys.js';

type Item = Record<string, unknown>;
type Values = Record<string, unknown>;
type Names = Record<string, string>;
type TransactItem = {
  Put?: {
    Item: Item;
    ConditionExpression?: string;
    ExpressionAttributeNames?: Names;
    ExpressionAttributeValues?: Values;
  };
  Update?: {
    Key: Item;
    UpdateExpression: string;
    ConditionExpression?: string;
    ExpressionAttributeNames: Names;
    ExpressionAttributeValues: Values;
  };
};

const keyOf = (k: Item) => `${String(k['PK'])}|${String(k['SK'])}`;

/** Holds for the condition forms the inventory consumer writes; anything else is a test failure. */
function holds(
  item: Item | undefined,
  condition: string | undefined,
  names: Names = {},
  values: Values = {},
): boolean {
  if (condition === undefined) return true;
  if (condition === 'attribute_exists(PK)') return item !== undefined;
  if (condition === 'attribute_not_exists(PK)') return item === undefined;
  const eq = /^(#\w+) = (:\w+)$/.exec(condition);
  if (eq?.[1] && eq[2]) return item !== undefined && item[names[eq[1]] ?? ''] === values[eq[2]];
  throw new Error(`fake table cannot evaluate ${condition}`);
}

/** Applies `SET #a = #a ± :v, #b = :v ADD #c :v`, the only update shape the consumer sends. */
function applyUpdate(item: Item, expression: string, names: Names, values: Values): Item {
  const next = { ...item };
  const [sets = '', adds = ''] = expression.replace(/^SET /, '').split(' ADD ');
  for (const clause of sets.split(', ')) {
    const m = /^(#\w+) = (?:(#\w+) ([+-]) )?(:\w+)$/.exec(clause);
    if (!m?.[1] || !m[4]) throw new Error(`fake table cannot apply ${clause}`);
    const [target, value] = [names[m[1]] ?? '', values[m[4]]];
    next[target] = m[2]
      ? (item[names[m[2]] ?? ''] as number) + (m[3] === '-' ? -1 : 1) * (value as number)
      : value;
  }
  if (adds) {
    const [name = '', value = ''] = adds.split(' ');
    next[names[name] ?? ''] =
      ((item[names[name] ?? ''] as number | undefined) ?? 0) + (values[value] as number);
  }
  return next;
}

/**
 * An in-memory single table behind the document client's `send`: consistent GetItem and all-or-nothing
 * TransactWriteItems. `beforeTransact` lets a test play a concurrent writer that wins the race.
 */
function fakeTable(seed: Item[] = []) {
  const items = new Map(seed.map((i) => [keyOf(i), { ...i }]));
  const transactions: TransactItem[][] = [];
  let reads = 0;
  let beforeTransact: (() => void) | undefined;
  const doc: InventoryDeps['doc'] = {
    send: (async (command: unknown) => {
      if (command instanceof GetCommand) {
        reads += 1;
        const found = items.get(keyOf(command.input.Key as Item));
        return { Item: found ? { ...found } : undefined };
      }
      if (command instanceof TransactWriteCommand) {
        const tx = command.input.TransactItems as TransactItem[];
        transactions.push(tx);
        beforeTransact?.();
        beforeTransact = undefined;
        // TransactWriteItems (API reference), TransactionCanceledException: one reason per item, in request
        // order, "None" for the items that did not fail; nothing is written when any condition fails.
        const reasons = tx.map((t) => {
          const op = t.Put ?? t.Update;
          const target = t.Put ? items.get(keyOf(t.Put.Item)) : items.get(keyOf(t.Update?.Key ?? {}));
          return {
            Code: holds(
              target,
              op?.ConditionExpression,
              op?.ExpressionAttributeNames,
              op?.ExpressionAttributeValues,
            )
              ? 'None'
              : 'ConditionalCheckFailed',
          };
        });
        if (reasons.some((r) => r.Code !== 'None')) {
          throw new TransactionCanceledException({
            message: 'Transaction cancelled',
            $metadata: {},
            CancellationReasons: reasons,
          });
        }
        for (const t of tx) {
          if (t.Put) items.set(keyOf(t.Put.Item), { ...t.Put.Item });
          if (t.Update) {
            const k = keyOf(t.Update.Key);
            items.set(
              k,
              applyUpdate(
                items.get(k) ?? {},
                t.Update.UpdateExpression,
                t.Update.ExpressionAttributeNames,
                t.Update.ExpressionAttributeValues,
              ),
            );
          }
        }
        return {};
      }
      throw new Error('fake table received an unexpected command');
    }) as InventoryDeps['doc']['send'],
  };
  return {
    doc,
    transactions,
    reads: () => reads,
    product: (vendorId: string, productId = 'p') =>
      items.get(`${productKey(vendorId, productId).PK}|${productKey(vendorId, productId).SK}`),
    stock: (orderId: string, vendorId: string) => items.get(`ORDER#${orderId}|STOCK#${vendorId}`),
    put: (item: Item) => items.set(keyOf(item), { ...item }),
    raceOnNextWrite: (fn: () => void) => {
      beforeTransact = fn;
    },
  };
}

const NOW = new Date('2025-01-01T12:00:00.000Z');
const product = (vendorId: string, available: number, reserved: number, productId = 'p') => ({
  ...productKey(vendorId, productId),
  entity: 'PRODUCT',
  vendorId,
  productId,
  available,
  reserved,
  version: 1,
});
const stockState = (orderId: string, vendorId: string, state: string) => ({
  PK: `ORDER#${orderId}`,
  SK: `STOCK#${vendorId}`,
  entity: 'STOCK',
  orderId,
  vendorId,
  state,
});
const line = (vendorId: string, quantity: number, productId = 'p') => ({
  vendorId,
  productId,
  name: 'n',
  quantity,
  unitPrice: 100,
  lineTotal: 100 * quantity,
});

function orderEvent(
  status: string,
  previousStatus: string | null,
  lines = [line('v1', 2), line('v2', 1)],
  id = 'evt-1',
) {
  return parseEnvelope(
    envelope(
      'order.statusChanged',
      {
        orderId: 'o1',
        customerId: 'c1',
        vendorIds: [...new Set(lines.map((l) => l.vendorId))],
        status,
        previousStatus,
        total: 0,
        currency: 'USD',
        lines,
        payment: null,
        reason: null,
        actor: 'SYSTEM',
        version: 3,
        at: 'now',
        vendorOrders: [],
      },
      id,
    ),
  );
}

function vendorEvent(vendorId: string, status: string, lines = [line(vendorId, 1)]) {
  return parseEnvelope(
    envelope('vendorOrder.statusChanged', {
      orderId: 'o1',
      vendorId,
      customerId: 'c1',
      status,
      previousStatus: 'PENDING',
      lines,
      subtotal: 0,
      currency: 'USD',
      reason: null,
      version: 2,
      at: 'now',
    }),
  );
}

function setup(seed: Item[]) {
  const table = fakeTable(seed);
  const deps: InventoryDeps = {
    doc: table.doc,
    tableName: 'orderloop',
    logger: quietLogger,
    clock: () => NOW,
  };
  return { table, deps };
}

describe('inventory consumer', () => {
  it('commits reserved stock when a vendor part ships: reserved goes down, available stays', async () => {
    // Prepare
    const { table, deps } = setup([product('v1', 3, 2), product('v2', 9, 1)]);
    // Act
    await handleInventoryEvent(vendorEvent('v1', 'SHIPPED', [line('v1', 2)]), deps);
    // Assess
    expect(table.product('v1')).toMatchObject({
      available: 3,
      reserved: 0,
      version: 2,
      correlationId: 'corr-1',
      updatedAt: NOW.toISOString(),
    });
    expect(table.stock('o1', 'v1')).toMatchObject({
      entity: 'STOCK',
      state: 'COMMITTED',
      updatedAt: NOW.toISOString(),
    });
    // the other vendor's part has not shipped: its stock stays reserved
    expect(table.product('v2')).toMatchObject({ available: 9, reserved: 1, version: 1 });
    expect(table.stock('o1', 'v2')).toBeUndefined();
    expect(table.transactions).toHaveLength(1);
  });

  it('moves no stock when an order is paid: its units stay reserved until each part ships', async () => {
    // Prepare
    const { table, deps } = setup([product('v1', 3, 2), product('v2', 9, 1)]);
    // Act
    await handleInventoryEvent(orderEvent('PAID', 'PAYMENT_PENDING'), deps);
    // Assess
    expect(table.reads()).toBe(0);
    expect(table.transactions).toEqual([]);
    expect(table.product('v1')).toMatchObject({ available: 3, reserved: 2, version: 1 });
  });

  it('moves the vendor parts of a cancelled order at once, not one after the other', async () => {
    // Prepare: each read of a STOCK item waits until the other part's read is under way too.
    const { table, deps } = setup([product('v1', 3, 2), product('v2', 9, 1)]);
    let reading = 0;
    let bothReading: () => void = () => undefined;
    const together = new Promise<void>((resolve) => (bothReading = resolve));
    const gated: InventoryDeps = {
      ...deps,
      doc: {
        send: (async (command: unknown) => {
          if (command instanceof GetCommand) {
            if (++reading === 2) bothReading();
            await together;
          }
          return table.doc.send(command as never);
        }) as InventoryDeps['doc']['send'],
      },
    };
    // Act
    await handleInventoryEvent(orderEvent('CANCELLED', 'PAID'), gated);
    // Assess: the parts touch disjoint items, so neither waits for the other.
    expect(table.stock('o1', 'v1')).toMatchObject({ state: 'RELEASED' });
    expect(table.stock('o1', 'v2')).toMatchObject({ state: 'RELEASED' });
  });

  it('fails the event when one vendor part fails, after the other part has settled', async () => {
    // Prepare: v2's product is missing, so its transaction is cancelled for a reason other than the STOCK state.
    const { table, deps } = setup([product('v1', 3, 2)]);
    // Act
    const handled = handleInventoryEvent(orderEvent('CANCELLED', 'PAID'), deps);
    // Assess: Lambda retries the event; the part already moved is not moved twice on the retry.
    await expect(handled).rejects.toThrow(TransactionCanceledException);
    expect(table.stock('o1', 'v1')).toMatchObject({ state: 'RELEASED' });
    expect(table.stock('o1', 'v2')).toBeUndefined();
  });

  it('releases reserved stock when an unpaid or paid order is cancelled: available back, reserved down', async () => {
    // Prepare
    const { table, deps } = setup([product('v1', 3, 2), product('v2', 9, 1)]);
    // Act
    await handleInventoryEvent(orderEvent('CANCELLED', 'PLACED'), deps);
    // Assess
    expect(table.product('v1')).toMatchObject({ available: 5, reserved: 0 });
    expect(table.product('v2')).toMatchObject({ available: 10, reserved: 0 });
    expect(table.stock('o1', 'v1')).toMatchObject({ state: 'RELEASED' });
  });

  it('returns stock committed at payment (before commits moved to shipping) to available on cancel, leaving reserved alone', async () => {
    // Prepare
    const { table, deps } = setup([
      product('v1', 3, 0),
      product('v2', 9, 0),
      stockState('o1', 'v1', 'COMMITTED'),
      stockState('o1', 'v2', 'COMMITTED'),
    ]);
    // Act
    await handleInventoryEvent(orderEvent('CANCELLED', 'PAID'), deps);
    // Assess
    expect(table.product('v1')).toMatchObject({ available: 5, reserved: 0 });
    expect(table.product('v2')).toMatchObject({ available: 10, reserved: 0 });
    // The state write is conditional on the state read, so a concurrent move cannot apply twice.
    expect(table.transactions[0]?.[0]?.Put).toMatchObject({
      ConditionExpression: '#state = :from',
      ExpressionAttributeValues: { ':from': 'COMMITTED' },
    });
  });

  it("returns only the rejecting vendor's reserved stock after payment", async () => {
    // Prepare: a paid order, neither part shipped
    const { table, deps } = setup([product('v1', 3, 1), product('v2', 9, 1)]);
    // Act
    await handleInventoryEvent(vendorEvent('v2', 'REJECTED'), deps);
    // Assess
    expect(table.product('v2')).toMatchObject({ available: 10, reserved: 0 });
    expect(table.product('v1')).toMatchObject({ available: 3, reserved: 1, version: 1 });
    expect(table.stock('o1', 'v2')).toMatchObject({ state: 'RELEASED' });
    expect(table.stock('o1', 'v1')).toBeUndefined();
    expect(table.transactions.flat().map((t) => (t.Put?.Item ?? t.Update?.Key)?.['PK'])).toEqual([
      'ORDER#o1',
      productKey('v2', 'p').PK,
    ]);
  });

  it('releases the rest of a cancelled order without returning a rejected part twice', async () => {
    // Prepare
    const { table, deps } = setup([product('v1', 3, 2), product('v2', 9, 1)]);
    await handleInventoryEvent(vendorEvent('v2', 'REJECTED'), deps);
    // Act
    await handleInventoryEvent(orderEvent('CANCELLED', 'PAID'), deps);
    // Assess
    expect(table.product('v1')).toMatchObject({ available: 5, reserved: 0 });
    expect(table.product('v2')).toMatchObject({ available: 10, reserved: 0 });
  });

  it('moves stock once when the same SHIPPED event is delivered twice', async () => {
    // Prepare
    const { table, deps } = setup([product('v1', 3, 2)]);
    const shipped = vendorEvent('v1', 'SHIPPED', [line('v1', 2)]);
    // Act
    await handleInventoryEvent(shipped, deps);
    await handleInventoryEvent(shipped, deps);
    // Assess
    expect(table.product('v1')).toMatchObject({ available: 3, reserved: 0, version: 2 });
    expect(table.transactions).toHaveLength(1); // the redelivery reads COMMITTED and writes nothing
    expect(table.transactions[0]?.[0]?.Put?.ConditionExpression).toBe('attribute_not_exists(PK)');
  });

  it('treats a conditional-check failure on the STOCK item as a move already made by someone else', async () => {
    // Prepare
    const { table, deps } = setup([product('v1', 3, 0)]);
    table.raceOnNextWrite(() => table.put(stockState('o1', 'v1', 'COMMITTED')));
    // Act
    const result = await moveStock('o1', 'v1', [line('v1', 2)], 'COMMITTED', 'corr-1', deps);
    // Assess
    expect(result).toEqual({ from: 'COMMITTED', moved: false });
    expect(table.transactions).toHaveLength(1);
    expect(table.reads()).toBe(2); // read, lost the race, read again and stopped
    expect(table.product('v1')).toMatchObject({ available: 3, reserved: 0, version: 1 });
  });

  it('retries a release that lost the race to a commit, and releases what was committed', async () => {
    // Prepare
    const { table, deps } = setup([product('v1', 3, 2)]);
    table.raceOnNextWrite(() => {
      table.put(stockState('o1', 'v1', 'COMMITTED'));
      table.put(product('v1', 3, 0));
    });
    // Act
    const result = await moveStock('o1', 'v1', [line('v1', 2)], 'RELEASED', 'corr-1', deps);
    // Assess
    expect(result).toEqual({ from: 'COMMITTED', moved: true });
    expect(table.product('v1')).toMatchObject({ available: 5, reserved: 0 });
  });

  it('fails when the transaction is cancelled for a reason other than the STOCK state, so the event is retried', async () => {
    // Prepare: the product item is missing, so its attribute_exists(PK) condition fails (reason 2, not 1)
    const { table, deps } = setup([]);
    // Act
    const move = handleInventoryEvent(vendorEvent('v1', 'SHIPPED', [line('v1', 2)]), deps);
    // Assess
    await expect(move).rejects.toBeInstanceOf(TransactionCanceledException);
    expect(table.stock('o1', 'v1')).toBeUndefined();
  });

  it.each([
    ['an order placed', () => orderEvent('PLACED', null)],
    ['an order awaiting payment', () => orderEvent('PAYMENT_PENDING', 'PLACED')],
    ['an order paid', () => orderEvent('PAID', 'PAYMENT_PENDING')],
    ['a vendor delivering its part', () => vendorEvent('v1', 'DELIVERED')],
    ['an order shipped', () => orderEvent('SHIPPED', 'FULFILLING')],
    ['a vendor accepting its part', () => vendorEvent('v1', 'ACCEPTED')],
    [
      'a product change',
      () =>
        parseEnvelope(
          envelope('product.changed', {
            vendorId: 'v1',
            productId: 'p',
            name: 'n',
            available: 1,
            previousAvailable: 2,
            reserved: 0,
            lowStockThreshold: 5,
          }),
        ),
    ],
  ])('ignores %s', async (_name, event) => {
    // Prepare
    const { table, deps } = setup([product('v1', 3, 2)]);
    // Act
    await handleInventoryEvent(event(), deps);
    // Assess
    expect(table.reads()).toBe(0);
    expect(table.transactions).toEqual([]);
  });
});
