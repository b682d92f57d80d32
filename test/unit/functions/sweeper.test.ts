import { describe, expect, it } from 'vitest';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  allOrdersPartition,
  allOrdersPartitions,
  isIndexedStatus,
  LIST_SHARDS,
  orderStatusPartition,
  shardOf,
  sweeperWatermarkKey,
} from '../../../domain/keys.js';
import { MAX_PENDING, sweep, WATERMARK_LAG_MS, type SweeperDeps } from '../../../functions/sweeper/logic.js';
import { quietLogger } from './fakes.js';

type Values = Record<string, unknown>;
type Update = {
  Key: { PK: string; SK: string };
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Values;
};
type StoredVendorOrder = { vendorId: string; status: string; version: number };
type StoredOrder = {
  PK: string;
  SK: 'ORDER';
  id: string;
  status: string;
  version: number;
  createdAt: string;
  GSI2PK: string;
  GSI3PK?: string;
  GSISK: string;
  statusHistory: Record<string, unknown>[];
  vendorOrders: StoredVendorOrder[];
};
type StoredWatermark = { PK: string; SK: string; sweptTo: string | null; pending: string[]; version: number };

const NOW = new Date('2025-01-01T12:00:00.000Z');

/** `count` order ids that land in the same all-orders shard, so one shard's window pages. */
function sameShardIds(count: number, prefix = 'o'): string[] {
  const ids = Array.from({ length: 20 * count + 40 }, (_, i) => `${prefix}${i}`);
  const shard = shardOf(ids[0] ?? '', LIST_SHARDS);
  return ids.filter((id) => shardOf(id, LIST_SHARDS) === shard).slice(0, count);
}
const minutesAgo = (m: number, from = NOW) => new Date(from.getTime() - m * 60_000).toISOString();
const minutesLater = (m: number) => new Date(NOW.getTime() + m * 60_000);

function order(
  id: string,
  status: string,
  createdMinutesAgo: number,
  vendorOrders: StoredVendorOrder[] = [{ vendorId: 'v1', status: 'PENDING', version: 1 }],
): StoredOrder {
  const createdAt = minutesAgo(createdMinutesAgo);
  return {
    PK: `ORDER#${id}`,
    SK: 'ORDER',
    id,
    status,
    version: 1,
    createdAt,
    GSI2PK: allOrdersPartition(shardOf(id, LIST_SHARDS)),
    ...(isIndexedStatus(status) ? { GSI3PK: orderStatusPartition(status, id) } : {}),
    GSISK: `${createdAt}#${id}`,
    statusHistory: [],
    vendorOrders,
  };
}

/** The sort key from a key condition's value, for the fake's comparisons. */
function inWindow(sk: string, condition: string, values: Values): boolean {
  if (condition === '#pk = :pk') return true;
  if (condition === '#pk = :pk AND #sk <= :to') return sk <= (values[':to'] as string);
  if (condition === '#pk = :pk AND #sk BETWEEN :from AND :to')
    return sk >= (values[':from'] as string) && sk <= (values[':to'] as string);
  throw new Error(`fake table cannot evaluate ${condition}`);
}

/**
 * The order and watermark items behind `send` (an order item holds its vendor parts). Queries read the byVendor (all-orders list)
 * and byStatus indexes, KEYS_ONLY, which mirror the items; BatchGetItem answers at most `batchLimit`
 * keys at a time and hands back the rest as UnprocessedKeys, as DynamoDB may.
 */
function fakeTable(
  seed: StoredOrder[],
  options: { pageSize?: number; failWith?: Error; batchLimit?: number } = {},
) {
  const orders = new Map(seed.map((o) => [o.id, structuredClone(o)]));
  const watermarks = new Map<string, StoredWatermark>();
  const queries: Values[] = [];
  const batchGets: Values[] = [];
  const updates: Update[] = [];
  /** Runs before each watermark write, so a test can move the watermark meanwhile. */
  let beforeWatermarkWrite: (() => void) | undefined;

  function query(input: Values) {
    queries.push(input);
    const values = input['ExpressionAttributeValues'] as Values;
    const condition = input['KeyConditionExpression'] as string;
    const [pkName, skName] = input['IndexName'] === 'byVendor' ? ['GSI2PK', 'GSISK'] : ['GSI3PK', 'GSISK'];
    const matches = [...orders.values()]
      .map((o) => o as unknown as Record<string, string>)
      .filter((o) => o[pkName] === values[':pk'] && inWindow(o[skName] ?? '', condition, values))
      .sort((a, b) => (a[skName] ?? '').localeCompare(b[skName] ?? ''));
    const after = input['ExclusiveStartKey'] as Record<string, string> | undefined;
    const start = after ? matches.findIndex((o) => o['PK'] === after['PK']) + 1 : 0;
    const page = matches.slice(
      start,
      start + Math.min(options.pageSize ?? 100, Number(input['Limit'] ?? 1e9)),
    );
    const last = page.at(-1);
    // Query (API reference): LastEvaluatedKey is present while more results may remain, and for an index
    // holds the table's and the index's keys. A KEYS_ONLY index answers those keys only.
    const keysOf = (o: Record<string, string>) => ({
      PK: o['PK'],
      SK: o['SK'],
      [pkName]: o[pkName],
      [skName]: o[skName],
    });
    return {
      Items: page.map(keysOf),
      LastEvaluatedKey: start + page.length < matches.length && last ? keysOf(last) : undefined,
    };
  }

  function batchGet(input: Values) {
    batchGets.push(input);
    const [[table, request]] = Object.entries(
      input['RequestItems'] as Record<string, { Keys: Values[] }>,
    ) as [[string, { Keys: { PK: string }[]; ConsistentRead?: boolean }]];
    // BatchGetItem (API reference): more than 100 keys is a ValidationException.
    if (request.Keys.length > 100)
      throw Object.assign(new Error('Too many items requested for the BatchGetItem call'), {
        name: 'ValidationException',
      });
    const answered = request.Keys.slice(0, options.batchLimit ?? 100);
    const rest = request.Keys.slice(answered.length);
    return {
      Responses: {
        [table]: answered.flatMap((k) => {
          const found = orders.get(k.PK.slice('ORDER#'.length));
          return found ? [structuredClone(found)] : [];
        }),
      },
      UnprocessedKeys: rest.length > 0 ? { [table]: { Keys: rest, ConsistentRead: true } } : {},
    };
  }

  function putWatermark(input: Values) {
    beforeWatermarkWrite?.();
    const item = input['Item'] as StoredWatermark;
    const stored = watermarks.get(item.PK);
    const condition = input['ConditionExpression'];
    const ok =
      condition === 'attribute_not_exists(PK)'
        ? stored === undefined
        : condition === '#version = :read' &&
          stored?.version === (input['ExpressionAttributeValues'] as Values)[':read'];
    if (!ok)
      throw Object.assign(new Error('The conditional request failed'), {
        name: 'ConditionalCheckFailedException',
      });
    watermarks.set(item.PK, structuredClone(item));
    return {};
  }

  function update(u: Update) {
    updates.push(u);
    if (options.failWith) throw options.failWith;
    const target = u.Key.SK === 'ORDER' ? orders.get(u.Key.PK.slice('ORDER#'.length)) : undefined;
    const v = u.ExpressionAttributeValues;
    const ok =
      u.ConditionExpression === '#status = :fromStatus AND #version = :readVersion' &&
      target?.status === v[':fromStatus'] &&
      target?.version === v[':readVersion'];
    // UpdateItem (API reference): a failed condition writes nothing.
    if (!target || !ok)
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    Object.assign(target, { status: v[':toStatus'], version: v[':nextVersion'] });
    target.statusHistory.push(...(v[':entries'] as Record<string, unknown>[]));
    if (v[':statusPartition'] === undefined) delete target.GSI3PK;
    else target.GSI3PK = v[':statusPartition'] as string;
    // The embedded parts it moves (#vendorOrders[i] = :vo<i>Status, version + 1).
    target.vendorOrders.forEach((vo, i) => {
      const status = v[`:vo${i}Status`];
      if (typeof status === 'string') Object.assign(vo, { status, version: vo.version + 1 });
    });
    return {};
  }

  const doc: SweeperDeps['doc'] = {
    send: (async (command: unknown) => {
      if (command instanceof QueryCommand) return query(command.input as Values);
      if (command instanceof BatchGetCommand) return batchGet(command.input as Values);
      if (command instanceof GetCommand) {
        const pk = String(command.input.Key?.PK);
        if (pk.startsWith('SWEEPER#')) return { Item: structuredClone(watermarks.get(pk)) };
        const found = orders.get(pk.slice('ORDER#'.length));
        return { Item: found ? structuredClone(found) : undefined };
      }
      if (command instanceof PutCommand) return putWatermark(command.input as Values);
      if (command instanceof UpdateCommand) return update(command.input as unknown as Update);
      throw new Error('fake table received an unexpected command');
    }) as SweeperDeps['doc']['send'],
  };
  return {
    doc,
    queries,
    batchGets,
    updates,
    order: (id: string) => orders.get(id),
    /** Changes an order as another writer would (the customer paying, the payment result arriving). */
    move: (id: string, status: string) => {
      const o = orders.get(id);
      if (o) Object.assign(o, { status, version: o.version + 1 });
    },
    /** Places an order (its item, which holds its vendor parts), as placeOrder does. */
    place: (o: StoredOrder) => {
      orders.set(o.id, structuredClone(o));
    },
    /** One vendor's part as the order item holds it. */
    vendorOrder: (id: string, vendorId: string) =>
      orders.get(id)?.vendorOrders.find((vo) => vo.vendorId === vendorId),
    watermark: (shard: number) => watermarks.get(sweeperWatermarkKey(shard).PK),
    onWatermarkWrite: (f: () => void) => {
      beforeWatermarkWrite = f;
    },
    setWatermark: (shard: number, w: Omit<StoredWatermark, 'PK' | 'SK'>) =>
      watermarks.set(sweeperWatermarkKey(shard).PK, { ...sweeperWatermarkKey(shard), ...w }),
  };
}

const depsFor = (table: ReturnType<typeof fakeTable>, overrides: Partial<SweeperDeps> = {}): SweeperDeps => ({
  doc: table.doc,
  tableName: 'orderloop',
  logger: quietLogger,
  clock: () => NOW,
  unpaidTtlMinutes: 30,
  ...overrides,
});

describe('unpaid-order sweeper', () => {
  it('cancels PLACED and PAYMENT_FAILED orders older than the TTL and leaves newer ones alone', async () => {
    // Prepare
    const table = fakeTable([
      order('old-placed', 'PLACED', 31),
      order('old-failed', 'PAYMENT_FAILED', 45),
      order('new-placed', 'PLACED', 29),
      order('new-failed', 'PAYMENT_FAILED', 5),
    ]);
    // Act
    const result = await sweep(depsFor(table));
    // Assess
    expect(result).toEqual({ expired: ['old-placed', 'old-failed'], completed: [] });
    expect(table.order('old-placed')).toMatchObject({ status: 'CANCELLED', version: 2 });
    expect(table.order('old-placed')).not.toHaveProperty('GSI3PK'); // CANCELLED has no byStatus entry
    expect(table.order('old-failed')).toMatchObject({ status: 'CANCELLED' });
    expect(table.vendorOrder('old-placed', 'v1')).toMatchObject({ status: 'CANCELLED', version: 2 });
    expect(table.order('new-placed')).toMatchObject({ status: 'PLACED', version: 1 });
    expect(table.order('new-failed')).toMatchObject({ status: 'PAYMENT_FAILED', version: 1 });
    // Every shard of the all-orders list from its start (no watermark yet) up to the cutoff, oldest first
    expect(table.queries.slice(0, LIST_SHARDS)).toEqual(
      allOrdersPartitions().map((pk) =>
        expect.objectContaining({
          IndexName: 'byVendor',
          KeyConditionExpression: '#pk = :pk AND #sk <= :to',
          ExpressionAttributeValues: { ':pk': pk, ':to': minutesAgo(30) },
        }),
      ),
    );
    // the orders read in one consistent BatchGetItem per page, never one GetItem each
    expect(table.batchGets).toEqual(
      table.batchGets.map(() =>
        expect.objectContaining({
          RequestItems: { orderloop: expect.objectContaining({ ConsistentRead: true }) },
        }),
      ),
    );
  });

  it('writes each cancellation as one conditional update of the order item, closing its open parts only', async () => {
    // Prepare
    const vendorOrders = [
      { vendorId: 'v1', status: 'REJECTED', version: 2 },
      { vendorId: 'v2', status: 'PENDING', version: 1 },
    ];
    const table = fakeTable([{ ...order('o1', 'PAYMENT_FAILED', 60, vendorOrders), version: 4 }]);
    // Act
    await sweep(depsFor(table));
    // Assess
    expect(table.updates).toHaveLength(1);
    const orderUpdate = table.updates[0];
    expect(orderUpdate).toMatchObject({
      Key: { PK: 'ORDER#o1', SK: 'ORDER' },
      ConditionExpression: '#status = :fromStatus AND #version = :readVersion',
      ExpressionAttributeValues: {
        ':fromStatus': 'PAYMENT_FAILED',
        ':readVersion': 4,
        ':nextVersion': 5,
        ':toStatus': 'CANCELLED',
      },
    });
    expect(orderUpdate?.UpdateExpression).toContain('#vendorOrders[1].#voStatus = :vo1Status');
    expect(orderUpdate?.UpdateExpression).not.toContain('#vendorOrders[0]');
    expect(table.vendorOrder('o1', 'v2')).toMatchObject({ status: 'CANCELLED', version: 2 });
    expect(table.vendorOrder('o1', 'v1')).toMatchObject({ status: 'REJECTED', version: 2 });
  });

  it('leaves a paid, paying, cancelled or completed order alone, however old', async () => {
    // Prepare
    const table = fakeTable([
      order('paid', 'PAID', 90),
      order('paying', 'PAYMENT_PENDING', 90),
      order('cancelled', 'CANCELLED', 90),
      order('completed', 'COMPLETED', 90),
      order('unpaid', 'PLACED', 90),
    ]);
    // Act
    const result = await sweep(depsFor(table));
    // Assess
    expect(result.expired).toEqual(['unpaid']);
    expect(table.updates.map((u) => u.Key.PK)).toEqual(['ORDER#unpaid']);
    for (const [id, status] of [
      ['paid', 'PAID'],
      ['paying', 'PAYMENT_PENDING'],
      ['cancelled', 'CANCELLED'],
      ['completed', 'COMPLETED'],
    ] as const)
      expect(table.order(id)).toMatchObject({ status, version: 1, statusHistory: [] });
  });

  it('skips an order paid between the list read and the item read, and still sweeps the rest', async () => {
    // Prepare: the customer pays o1 while the sweeper pages (after its list query, before its item read)
    const table = fakeTable([order('o1', 'PLACED', 40), order('o2', 'PLACED', 50)]);
    const deps = depsFor(table);
    const send = deps.doc.send.bind(deps.doc);
    deps.doc = {
      send: (async (command: unknown) => {
        if (command instanceof BatchGetCommand && table.order('o1')?.status === 'PLACED')
          table.move('o1', 'PAYMENT_PENDING');
        return send(command as never);
      }) as SweeperDeps['doc']['send'],
    };
    // Act
    const result = await sweep(deps);
    // Assess: the consistent read shows it moved on, so it is not even tried
    expect(result.expired).toEqual(['o2']);
    expect(table.updates.map((u) => u.Key.PK)).toEqual(['ORDER#o2']);
    expect(table.order('o1')).toMatchObject({ status: 'PAYMENT_PENDING', version: 2, statusHistory: [] });
    expect(table.vendorOrder('o1', 'v1')).toMatchObject({ status: 'PENDING', version: 1 });
  });

  it('changes nothing when run again', async () => {
    // Prepare
    const table = fakeTable([order('o1', 'PLACED', 31)]);
    await sweep(depsFor(table));
    // Act
    const again = await sweep(depsFor(table));
    // Assess
    expect(again).toEqual({ expired: [], completed: [] });
    expect(table.order('o1')?.statusHistory).toHaveLength(1);
  });

  it("reads every page of a shard's window", async () => {
    // Prepare
    const [a = '', b = '', c = ''] = sameShardIds(3);
    const table = fakeTable([order(a, 'PLACED', 33), order(b, 'PLACED', 32), order(c, 'PLACED', 31)], {
      pageSize: 2,
    });
    // Act
    const result = await sweep(depsFor(table));
    // Assess
    expect(result.expired).toEqual([a, b, c]);
    expect(table.queries.filter((q) => q['ExclusiveStartKey'])).toEqual([
      expect.objectContaining({ ExclusiveStartKey: expect.objectContaining({ PK: `ORDER#${b}` }) }),
    ]);
  });

  it('asks BatchGetItem again for the keys it left unprocessed', async () => {
    // Prepare
    const ids = sameShardIds(3);
    const table = fakeTable(
      ids.map((id, i) => order(id, 'PLACED', 40 - i)),
      { batchLimit: 2 },
    );
    // Act
    const result = await sweep(depsFor(table));
    // Assess
    expect(result.expired).toEqual(ids);
    expect(table.batchGets.map((g) => Object.values(g['RequestItems'] as Values)[0])).toEqual([
      expect.objectContaining({ Keys: ids.map((id) => ({ PK: `ORDER#${id}`, SK: 'ORDER' })) }),
      expect.objectContaining({ Keys: [{ PK: `ORDER#${ids[2]}`, SK: 'ORDER' }] }),
    ]);
  });

  it('completes DELIVERED orders, whatever their age, each in a write of its own', async () => {
    // Prepare
    const delivered = (id: string) =>
      order(id, 'DELIVERED', 1, [{ vendorId: 'v1', status: 'DELIVERED', version: 4 }]);
    const table = fakeTable([delivered('d1'), delivered('d2'), order('o1', 'PLACED', 31)]);
    // Act
    const result = await sweep(depsFor(table));
    // Assess
    expect(result).toEqual({ expired: ['o1'], completed: ['d1', 'd2'] });
    expect(table.updates.map((u) => `${u.Key.PK}|${u.Key.SK}`)).toEqual([
      'ORDER#o1|ORDER',
      'ORDER#d1|ORDER',
      'ORDER#d2|ORDER',
    ]);
    expect(table.order('d1')).toMatchObject({ status: 'COMPLETED', version: 2 });
    expect(table.order('d1')).not.toHaveProperty('GSI3PK');
    expect(table.vendorOrder('d1', 'v1')).toMatchObject({ status: 'DELIVERED', version: 4 });
    expect(table.updates[1]?.ExpressionAttributeValues).toMatchObject({
      ':fromStatus': 'DELIVERED',
      ':readVersion': 1,
    });
  });

  it('records every change in statusHistory as SYSTEM, with the reason for a cancellation', async () => {
    // Prepare
    const table = fakeTable([order('o1', 'PAYMENT_FAILED', 31), order('d1', 'DELIVERED', 1)]);
    // Act
    await sweep(depsFor(table));
    // Assess: stored without the attributes that are null (GraphQL answers null for them)
    expect(table.order('o1')?.statusHistory).toEqual([
      {
        from: 'PAYMENT_FAILED',
        to: 'CANCELLED',
        actor: 'SYSTEM',
        reason: 'unpaid for more than 30 minutes',
        at: NOW.toISOString(),
      },
    ]);
    expect(table.order('d1')?.statusHistory).toEqual([
      {
        from: 'DELIVERED',
        to: 'COMPLETED',
        actor: 'SYSTEM',
        at: NOW.toISOString(),
      },
    ]);
  });

  it('fails when the table answers with an error other than a failed condition', async () => {
    // Prepare
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const table = fakeTable([order('o1', 'PLACED', 31)], { failWith: throttled });
    // Act
    const run = sweep(depsFor(table));
    // Assess
    await expect(run).rejects.toThrow('Rate exceeded');
  });
});

describe('the sweeper watermark', () => {
  const shardOfIds = (ids: string[]) => shardOf(ids[0] ?? '', LIST_SHARDS);

  it('cancels an order placed before a sweeper outage once the sweeper runs again', async () => {
    // Prepare: given an order placed 10 minutes before the last run, then a 6-hour outage with more orders
    const [before = '', ...during] = sameShardIds(6);
    const table = fakeTable([order(before, 'PLACED', 10)]);
    await sweep(depsFor(table));
    for (const [i, id] of during.entries()) table.place(order(id, 'PLACED', -60 * (i + 1)));
    const afterOutage = minutesLater(6 * 60);
    // Act: when the sweeper comes back, each run reading one page of 2 entries
    const runs: string[][] = [];
    for (let i = 0; i < 3; i++)
      runs.push((await sweep(depsFor(table, { clock: () => afterOutage, maxPagesPerShard: 1 }))).expired);
    // Assess: the order from before the outage goes first, and each run resumes where the last stopped
    expect(runs[0]?.[0]).toBe(before);
    expect(runs.flat()).toEqual([before, ...during]);
    expect(table.order(before)).toMatchObject({ status: 'CANCELLED' });
  });

  it('stores how far a run that runs out of pages got, and the next run resumes from there', async () => {
    // Prepare
    const ids = sameShardIds(5);
    const shard = shardOfIds(ids);
    const table = fakeTable(
      ids.map((id, i) => order(id, 'PLACED', 50 - i)),
      { pageSize: 2 },
    );
    // Act
    const first = await sweep(depsFor(table, { maxPagesPerShard: 1 }));
    const mark = table.watermark(shard);
    const second = await sweep(depsFor(table, { maxPagesPerShard: 1 }));
    // Assess
    expect(first.expired).toEqual(ids.slice(0, 2));
    expect(mark).toMatchObject({ sweptTo: table.order(ids[1] ?? '')?.GSISK, pending: [], version: 1 });
    // (BETWEEN is inclusive, so the entry at the watermark takes a slot of the resumed page)
    expect(second.expired).toEqual(ids.slice(2, 3));
    const resumed = table.queries.filter((q) => (q['ExpressionAttributeValues'] as Values)[':from']);
    expect(resumed).toEqual([
      expect.objectContaining({
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        ExpressionAttributeValues: expect.objectContaining({ ':from': mark?.sweptTo }),
      }),
    ]);
  });

  it('moves the watermark past an order still waiting for its payment result and cancels it if the payment fails', async () => {
    // Prepare: oldest first, an unpaid order, one whose payment is pending, a paid one, and a fresh one
    const [unpaid = '', paying = '', paid = '', fresh = ''] = sameShardIds(4);
    const shard = shardOfIds([unpaid]);
    const table = fakeTable([
      order(unpaid, 'PLACED', 50),
      order(paying, 'PAYMENT_PENDING', 45),
      order(paid, 'PAID', 40),
      order(fresh, 'PLACED', 10),
    ]);
    // Act
    const first = await sweep(depsFor(table));
    const mark = table.watermark(shard);
    table.move(paying, 'PAYMENT_FAILED');
    const second = await sweep(depsFor(table));
    const third = await sweep(depsFor(table, { clock: () => minutesLater(21) }));
    // Assess: the watermark passed the pending order but kept it, so its failure was swept later
    expect(first.expired).toEqual([unpaid]);
    expect(mark).toMatchObject({ sweptTo: table.order(paid)?.GSISK, pending: [paying] });
    expect(second.expired).toEqual([paying]);
    expect(table.watermark(shard)?.pending).toEqual([]);
    expect(third.expired).toEqual([fresh]);
    expect(table.order(paid)).toMatchObject({ status: 'PAID', version: 1 });
  });

  it(`never skips an order: with ${MAX_PENDING} payments pending behind it, the watermark waits at the next one`, async () => {
    // Prepare: one more pending payment than the watermark keeps, then an unpaid order
    const ids = sameShardIds(MAX_PENDING + 2);
    const shard = shardOfIds(ids);
    const unpaid = ids.at(-1) ?? '';
    const table = fakeTable([
      ...ids.slice(0, -1).map((id, i) => order(id, 'PAYMENT_PENDING', 600 - i)),
      order(unpaid, 'PLACED', 60),
    ]);
    // Act
    const first = await sweep(depsFor(table));
    const mark = structuredClone(table.watermark(shard));
    for (const id of ids.slice(0, -1)) table.move(id, 'PAYMENT_FAILED');
    const second = await sweep(depsFor(table));
    // Assess: the unpaid order beyond still went, but the watermark stopped before the order it could not keep
    expect(first.expired).toEqual([unpaid]);
    expect(mark?.pending).toEqual(ids.slice(0, MAX_PENDING));
    expect(mark?.sweptTo).toBe(table.order(ids[MAX_PENDING - 1] ?? '')?.GSISK);
    expect(second.expired).toEqual(ids.slice(0, -1));
    expect(table.watermark(shard)).toMatchObject({ sweptTo: table.order(unpaid)?.GSISK, pending: [] });
  });

  it('leaves an order exactly at the TTL edge to the next run, and the watermark does not pass it', async () => {
    // Prepare: created exactly 30 minutes before the run, so not yet unpaid for more than 30 minutes
    const [older = '', edge = ''] = sameShardIds(2);
    const shard = shardOfIds([edge]);
    const table = fakeTable([order(older, 'PLACED', 30.001), order(edge, 'PLACED', 30)]);
    // Act
    const atEdge = await sweep(depsFor(table));
    const mark = table.watermark(shard);
    const justAfter = await sweep(depsFor(table, { clock: () => new Date(NOW.getTime() + 1) }));
    // Assess
    expect(atEdge.expired).toEqual([older]);
    expect(mark?.sweptTo).toBe(table.order(older)?.GSISK);
    expect(justAfter.expired).toEqual([edge]);
    expect(table.order(edge)).toMatchObject({ status: 'CANCELLED' });
  });

  it('keeps the watermark behind the clock, so an entry the index shows late is still swept', async () => {
    // Prepare: a zero TTL, an order placed a minute ago; one placed two minutes ago is not in the index yet
    const [shown = '', late = ''] = sameShardIds(2);
    const shard = shardOfIds([shown]);
    const table = fakeTable([order(shown, 'PLACED', 1)]);
    const deps = depsFor(table, { unpaidTtlMinutes: 0 });
    // Act
    const first = await sweep(deps);
    table.place(order(late, 'PLACED', 2));
    const second = await sweep(deps);
    // Assess
    expect(first.expired).toEqual([shown]);
    expect(table.watermark(shard)).toBeUndefined(); // nothing older than the lag yet
    expect(second.expired).toEqual([late]);
    expect(WATERMARK_LAG_MS).toBeGreaterThan(2 * 60_000);
  });

  it('leaves the watermark to a run that moved it first, and fails nothing', async () => {
    // Prepare: another run stores its watermark while this one sweeps
    const [id = ''] = sameShardIds(1);
    const shard = shardOfIds([id]);
    const table = fakeTable([order(id, 'PLACED', 40)]);
    table.onWatermarkWrite(() =>
      table.setWatermark(shard, { sweptTo: 'other-run', pending: [], version: 1 }),
    );
    // Act
    const result = await sweep(depsFor(table));
    // Assess
    expect(result.expired).toEqual([id]);
    expect(table.watermark(shard)).toMatchObject({ sweptTo: 'other-run', version: 1 });
  });

  it('stops paging when the invocation is about to time out, and stores how far it got', async () => {
    // Prepare
    const ids = sameShardIds(3);
    const shard = shardOfIds(ids);
    const table = fakeTable(
      ids.map((id, i) => order(id, 'PLACED', 40 - i)),
      { pageSize: 1 },
    );
    let left = 60_000;
    // Act: each call to the clock of remaining time costs 30 s
    const result = await sweep(depsFor(table, { remainingMs: () => (left -= 30_000) + 30_000 }));
    // Assess
    expect(result.expired.filter((id) => ids.includes(id))).toEqual(ids.slice(0, 1));
    expect(table.watermark(shard)?.sweptTo).toBe(table.order(ids[0] ?? '')?.GSISK);
  });

  it('reads nothing when the watermark is past the cutoff (the TTL was raised since)', async () => {
    // Prepare
    const [id = ''] = sameShardIds(1);
    const shard = shardOfIds([id]);
    const table = fakeTable([order(id, 'PLACED', 40)]);
    table.setWatermark(shard, { sweptTo: minutesAgo(20), pending: [], version: 3 });
    // Act
    const result = await sweep(depsFor(table));
    // Assess
    expect(result.expired).not.toContain(id);
    const pk = allOrdersPartition(shard);
    expect(table.queries.filter((q) => (q['ExpressionAttributeValues'] as Values)[':pk'] === pk)).toEqual([]);
    expect(table.watermark(shard)).toMatchObject({ sweptTo: minutesAgo(20), version: 3 });
  });
});
