import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  LIST_SHARDS,
  notificationKey,
  orderIdOfEntry,
  recipientPartitions,
  shardOf,
  vendorOrdersPartitions,
} from '../../../domain/keys.js';
import { address, iamIdentity, productItem, startHarness, userIdentity, type Harness } from './harness.js';

type Page = { items: { id?: string; orderId?: string }[]; nextToken: string | null };

/**
 * The lists every order lands in (a vendor's orders, all orders) are write-sharded (domain/keys.ts): these
 * tests spread one list over every shard through placeOrder and read it back through the list resolvers,
 * page by page, newest first, with the sealed per-shard nextToken.
 */
describe('sharded lists', () => {
  let h: Harness;
  const vendor = `v-sharded-${Date.now()}`;
  const customer = `c-sharded-${Date.now()}`;
  const admin = userIdentity('a-sharded', 'admin');
  const vendorCaller = userIdentity('u-sharded', 'vendor', vendor);

  /**
   * The vendor's list entries per shard partition, as the table holds them (items of their own, PK the
   * shard, SK createdAt#orderId), each with the order it names.
   */
  async function entriesByShard(): Promise<{ PK: string; SK: string; orderId: string }[][]> {
    return Promise.all(
      vendorOrdersPartitions(vendor).map(async (partition) => {
        const out = await h.client.send(
          new QueryCommand({
            TableName: h.tableName,
            KeyConditionExpression: 'PK = :pk',
            ExpressionAttributeValues: { ':pk': { S: partition } },
            ConsistentRead: true,
          }),
        );
        return (out.Items ?? []).map((i) => {
          const entry = unmarshall(i) as { PK: string; SK: string };
          return { ...entry, orderId: orderIdOfEntry(entry.SK) };
        });
      }),
    );
  }

  async function readAll(fieldName: string, args: Record<string, unknown>, identity: unknown) {
    const pages: Page[] = [];
    let nextToken: string | null = null;
    do {
      const r = await h.call('Query', fieldName, { ...args, nextToken }, identity);
      expect(r.errors).toEqual([]);
      const page = r.data as Page;
      pages.push(page);
      nextToken = page.nextToken;
    } while (nextToken !== null && pages.length < 50);
    return pages;
  }

  beforeAll(async () => {
    h = await startHarness();
    await h.seed(productItem(vendor, 'p', { available: 500 }));
    // Place orders until every shard of the vendor's list holds at least two (ids are SHA-256 prefixes, spread like random ones).
    for (let i = 0; i < 80; i++) {
      const r = await h.call(
        'Mutation',
        'placeOrder',
        {
          input: { lines: [{ vendorId: vendor, productId: 'p', quantity: 1 }], shippingAddress: address },
          idempotencyKey: `k${i}`,
        },
        userIdentity(customer, 'customer'),
      );
      expect(r.errors).toEqual([]);
      if (i >= 7 && (await entriesByShard()).every((s) => s.length >= 2)) break;
    }
  }, 240_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('spreads one vendor list over every shard partition', async () => {
    const shards = await entriesByShard();
    expect(shards).toHaveLength(LIST_SHARDS);
    expect(shards.every((s) => s.length >= 2)).toBe(true);
  });

  it("reads a vendor's orders back newest first across shards and pages", async () => {
    // Prepare: the order DynamoDB sorts by, over every shard
    const expected = (await entriesByShard())
      .flat()
      .sort((a, b) => (a.SK < b.SK ? 1 : -1))
      .map((e) => e.orderId);
    // Act: pages of 3, so pages cut through shards part way
    const pages = await readAll('vendorOrders', { vendorId: vendor, limit: 3 }, vendorCaller);
    // Assess
    const listed = pages.flatMap((p) => p.items.map((i) => i.orderId));
    expect(listed).toEqual(expected);
    expect(pages.slice(0, -1).every((p) => p.items.length === 3)).toBe(true);
  });

  it("filters a vendor's list on its part's status across shards and pages", async () => {
    // Prepare: every part of the list is PENDING (the orders are unpaid)
    const expected = (await entriesByShard())
      .flat()
      .sort((a, b) => (a.SK < b.SK ? 1 : -1))
      .map((e) => e.orderId);
    // Act
    const pending = await readAll(
      'vendorOrders',
      { vendorId: vendor, limit: 4, status: 'PENDING' },
      vendorCaller,
    );
    const accepted = await readAll(
      'vendorOrders',
      { vendorId: vendor, limit: 4, status: 'ACCEPTED' },
      vendorCaller,
    );
    // Assess
    expect(pending.flatMap((p) => p.items.map((i) => i.orderId))).toEqual(expected);
    expect(accepted.flatMap((p) => p.items)).toEqual([]);
  });

  it('reads every order back newest first for an admin, and filters one status after the read', async () => {
    // Prepare
    const expected = (await entriesByShard())
      .flat()
      .sort((a, b) => (a.SK < b.SK ? 1 : -1))
      .map((e) => e.orderId);
    // Act
    const all = (await readAll('orders', { limit: 4 }, admin)).flatMap((p) => p.items.map((i) => i.id));
    const placed = (await readAll('orders', { limit: 5, status: 'PLACED' }, admin)).flatMap((p) =>
      p.items.map((i) => i.id),
    );
    const paid = (await readAll('orders', { limit: 5, status: 'PAID' }, admin)).flatMap((p) =>
      p.items.map((i) => i.id),
    );
    // Assess
    expect(all).toEqual(expected);
    expect(placed).toEqual(expected);
    expect(paid).toEqual([]);
  });

  it("pages a customer's own single-partition list with the same kind of token", async () => {
    const pages = await readAll('myOrders', { limit: 5 }, userIdentity(customer, 'customer'));
    const listed = pages.flatMap((p) => p.items.map((i) => i.id));
    expect(new Set(listed).size).toBe(listed.length);
    expect(listed.length).toBe((await entriesByShard()).flat().length);
  });

  it('rejects a token spent on another list, another caller or changed', async () => {
    // Prepare
    const first = await h.call('Query', 'vendorOrders', { vendorId: vendor, limit: 3 }, vendorCaller);
    const token = (first.data as Page).nextToken as string;
    const text = Buffer.from(token, 'base64').toString('utf8');
    const [version, , cursors] = text.split('\n');
    const forged = Buffer.from(`${version}\nvendor|${vendor}|\n${cursors}x`, 'utf8').toString('base64');
    const swapped = Buffer.from(
      `${version}\nvendor|${vendor}|\n${(cursors ?? '').split(',').reverse().join(',')}`,
      'utf8',
    ).toString('base64');
    // Act
    const onOrders = await h.call('Query', 'orders', { limit: 3, nextToken: token }, admin);
    const otherCustomer = await h.call(
      'Query',
      'myOrders',
      { limit: 3, nextToken: token },
      userIdentity('someone-else', 'customer'),
    );
    const changed = await h.call(
      'Query',
      'vendorOrders',
      { vendorId: vendor, limit: 3, nextToken: forged },
      vendorCaller,
    );
    const reordered = await h.call(
      'Query',
      'vendorOrders',
      { vendorId: vendor, limit: 3, nextToken: swapped },
      vendorCaller,
    );
    // Assess: AppSync's answer to a token it did not issue
    for (const r of [onOrders, otherCustomer, changed, reordered]) {
      expect(r.data).toBeNull();
      expect(r.errors[0]?.errorType).toBe('DynamoDB:UserIllegalArgumentException');
    }
  });

  it("spreads a vendor's notifications over its shards and lists them newest first across pages", async () => {
    // Prepare: three notifications per shard, their ids chosen so that every shard gets some
    const recipient = `vendor#${vendor}`;
    const ids: string[] = [];
    for (let i = 0; ids.length < 3 * LIST_SHARDS && i < 500; i++) {
      const id = `n${i}`;
      if (ids.filter((x) => shardOf(x, LIST_SHARDS) === shardOf(id, LIST_SHARDS)).length < 3) ids.push(id);
    }
    const published = ids.map((id, i) => ({
      id,
      recipient,
      kind: 'VENDOR_ORDER_RECEIVED',
      message: `order ${i}`,
      createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    }));
    for (const input of published) {
      const r = await h.call('Mutation', 'publishNotification', { input }, iamIdentity);
      expect(r.errors).toEqual([]);
    }
    // Act
    const pages = await readAll('myNotifications', { limit: 5 }, vendorCaller);
    // Assess
    const partitions = new Set(published.map((n) => notificationKey(recipient, n.createdAt, n.id).PK));
    expect([...partitions].sort()).toEqual([...recipientPartitions(recipient)].sort());
    expect(pages.flatMap((p) => p.items.map((i) => i.id))).toEqual(published.map((n) => n.id).reverse());
  });
});
