import { describe, expect, it } from 'vitest';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import {
  isIndexedStatus,
  orderStatusPartition,
  orderStatusPartitions,
  shardOf,
  STATUS_SHARDS,
} from '../../../domain/keys.js';
import { sweep, type SweeperDeps } from '../../../functions/sweeper/logic.js';
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
  GSI3PK?: string;
  GSISK: string;
  statusHistory: Record<string, unknown>[];
  vendorOrders: StoredVendorOrder[];
};

const NOW = new Date('2025-01-01T12:00:00.000Z');

/** `count` order ids that land in the same byStatus shard, so one shard's query pages. */
function sameShardIds(count: number): string[] {
  const ids = Array.from({ length: 200 }, (_, i) => `o${i}`);
  const shard = shardOf(ids[0] ?? '', STATUS_SHARDS);
  return ids.filter((id) => shardOf(id, STATUS_SHARDS) === shard).slice(0, count);
}
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000).toISOString();

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
    ...(isIndexedStatus(status) ? { GSI3PK: orderStatusPartition(status, id) } : {}),
    GSISK: `${createdAt}#${id}`,
    statusHistory: [],
    vendorOrders,
  };
}

/**
 * The order and vendor-order items behind `send`. Queries read the byStatus index, which by default
 * mirrors the items; `staleIndex` holds copies the index still shows after the item moved on (a GSI is
 * only eventually consistent, so a sweep can act on an order that has just changed).
 */
function fakeTable(
  seed: StoredOrder[],
  options: { pageSize?: number; staleIndex?: StoredOrder[]; failWith?: Error } = {},
) {
  const orders = new Map(seed.map((o) => [o.id, structuredClone(o)]));
  const vendorOrders = new Map<string, StoredVendorOrder>(
    seed.flatMap((o) =>
      o.vendorOrders.map((vo): [string, StoredVendorOrder] => [`${o.PK}|VENDOR#${vo.vendorId}`, { ...vo }]),
    ),
  );
  const queries: Values[] = [];
  const transactions: Update[][] = [];

  function query(input: Values) {
    queries.push(input);
    const values = input['ExpressionAttributeValues'] as Values;
    const stale = new Map((options.staleIndex ?? []).map((o) => [o.id, o]));
    const matches = [...orders.values()]
      .map((o) => stale.get(o.id) ?? o)
      .filter(
        (o) =>
          o.GSI3PK === values[':pk'] &&
          (values[':before'] === undefined || o.GSISK < (values[':before'] as string)),
      )
      .sort((a, b) => a.GSISK.localeCompare(b.GSISK));
    const start = input['ExclusiveStartKey']
      ? matches.findIndex((o) => o.id === (input['ExclusiveStartKey'] as { id: string }).id) + 1
      : 0;
    const page = matches.slice(start, start + (options.pageSize ?? 100));
    const last = page.at(-1);
    // Query (API reference): LastEvaluatedKey is present while more results may remain.
    // A KEYS_ONLY index answers the table and index keys only.
    return {
      Items: page.map((o) => ({ PK: o.PK, SK: o.SK, GSI3PK: o.GSI3PK, GSISK: o.GSISK, id: o.id })),
      LastEvaluatedKey: start + page.length < matches.length && last ? { id: last.id } : undefined,
    };
  }

  function transact(tx: Update[]) {
    transactions.push(tx);
    if (options.failWith) throw options.failWith;
    const targets = tx.map((t) =>
      t.Key.SK === 'ORDER'
        ? orders.get(t.Key.PK.slice('ORDER#'.length))
        : vendorOrders.get(`${t.Key.PK}|${t.Key.SK}`),
    );
    const reasons = tx.map((t, i) => {
      const v = t.ExpressionAttributeValues;
      const ok =
        t.ConditionExpression === '#status = :fromStatus AND #version = :readVersion' &&
        targets[i]?.status === v[':fromStatus'] &&
        targets[i]?.version === v[':readVersion'];
      return { Code: ok ? 'None' : 'ConditionalCheckFailed' };
    });
    // TransactWriteItems (API reference): a failed condition cancels the whole transaction, nothing is written.
    if (reasons.some((r) => r.Code !== 'None'))
      throw new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: reasons,
      });
    tx.forEach((t, i) => {
      const target = targets[i];
      if (!target) return;
      const v = t.ExpressionAttributeValues;
      Object.assign(target, { status: v[':toStatus'], version: v[':nextVersion'] });
      if ('statusHistory' in target) {
        target.statusHistory.push(...(v[':entries'] as Record<string, unknown>[]));
        if (v[':statusPartition'] === undefined) delete target.GSI3PK;
        else target.GSI3PK = v[':statusPartition'] as string;
      }
    });
  }

  const doc: SweeperDeps['doc'] = {
    send: (async (command: unknown) => {
      if (command instanceof QueryCommand) return query(command.input as Values);
      if (command instanceof GetCommand) {
        const found = orders.get(String(command.input.Key?.PK).slice('ORDER#'.length));
        return { Item: found ? structuredClone(found) : undefined };
      }
      if (command instanceof TransactWriteCommand)
        return transact((command.input.TransactItems ?? []).map((t) => t.Update as unknown as Update));
      throw new Error('fake table received an unexpected command');
    }) as SweeperDeps['doc']['send'],
  };
  return {
    doc,
    queries,
    transactions,
    order: (id: string) => orders.get(id),
    vendorOrder: (id: string, vendorId: string) => vendorOrders.get(`ORDER#${id}|VENDOR#${vendorId}`),
  };
}

const depsFor = (table: ReturnType<typeof fakeTable>): SweeperDeps => ({
  doc: table.doc,
  tableName: 'orderloop',
  logger: quietLogger,
  clock: () => NOW,
  unpaidTtlMinutes: 30,
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
    // Every shard of each unpaid status, then of DELIVERED
    const unpaid = [...orderStatusPartitions('PLACED'), ...orderStatusPartitions('PAYMENT_FAILED')];
    expect(table.queries.slice(0, unpaid.length)).toEqual(
      unpaid.map((pk) =>
        expect.objectContaining({
          IndexName: 'byStatus',
          ExpressionAttributeValues: { ':pk': pk, ':before': minutesAgo(30) },
        }),
      ),
    );
  });

  it('writes each cancellation conditional on the status and version it read, and skips closed vendor parts', async () => {
    // Prepare
    const vendorOrders = [
      { vendorId: 'v1', status: 'REJECTED', version: 2 },
      { vendorId: 'v2', status: 'PENDING', version: 1 },
    ];
    const table = fakeTable([{ ...order('o1', 'PAYMENT_FAILED', 60, vendorOrders), version: 4 }]);
    // Act
    await sweep(depsFor(table));
    // Assess
    const [orderUpdate, ...vendorUpdates] = table.transactions[0] ?? [];
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
    expect(vendorUpdates).toEqual([
      expect.objectContaining({
        Key: { PK: 'ORDER#o1', SK: 'VENDOR#v2' },
        ExpressionAttributeValues: expect.objectContaining({ ':fromStatus': 'PENDING', ':readVersion': 1 }),
      }),
    ]);
    expect(table.vendorOrder('o1', 'v1')).toMatchObject({ status: 'REJECTED', version: 2 });
  });

  it('skips an order that moved on after the index was read, and still sweeps the rest', async () => {
    // Prepare: the customer paid o1 meanwhile; the eventually consistent index still shows it PLACED at version 1
    const paidMeanwhile = { ...order('o1', 'PAYMENT_PENDING', 40), version: 2 };
    const table = fakeTable([paidMeanwhile, order('o2', 'PLACED', 50)], {
      staleIndex: [order('o1', 'PLACED', 40)],
    });
    // Act
    const result = await sweep(depsFor(table));
    // Assess
    expect(result.expired).toEqual(['o2']);
    // The consistent read of the item shows it moved on, so it is not even tried.
    expect(table.transactions.map((tx) => tx[0]?.Key.PK)).toEqual(['ORDER#o2']);
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

  it('reads every page of the byStatus index', async () => {
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
      expect.objectContaining({ ExclusiveStartKey: { id: b } }),
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
    expect(table.transactions.map((tx) => tx.map((u) => `${u.Key.PK}|${u.Key.SK}`))).toEqual([
      ['ORDER#o1|ORDER', 'ORDER#o1|VENDOR#v1'],
      ['ORDER#d1|ORDER'],
      ['ORDER#d2|ORDER'],
    ]);
    expect(table.order('d1')).toMatchObject({ status: 'COMPLETED', version: 2 });
    expect(table.order('d1')).not.toHaveProperty('GSI3PK');
    expect(table.vendorOrder('d1', 'v1')).toMatchObject({ status: 'DELIVERED', version: 4 });
    expect(table.transactions[1]?.[0]?.ExpressionAttributeValues).toMatchObject({
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

  it('fails when the table answers with an error other than a cancelled transaction', async () => {
    // Prepare
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const table = fakeTable([order('o1', 'PLACED', 31)], { failWith: throttled });
    // Act
    const run = sweep(depsFor(table));
    // Assess
    await expect(run).rejects.toThrow('Rate exceeded');
  });
});
