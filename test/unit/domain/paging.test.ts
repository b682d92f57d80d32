import { describe, expect, it } from 'vitest';
import {
  LIST_SHARDS,
  orderListKeys,
  orderIdOfEntry,
  shardOf,
  vendorOrderEntryKey,
  vendorOrdersPartitions,
} from '../../../domain/keys.js';
import { listTokenText, mergeShardPages, parseListToken, type ShardPage } from '../../../domain/paging.js';

const entry = (sk: string) => ({ PK: `ORDER#${sk}`, SK: 'ORDER', GSI2SK: sk });
const page = (shard: number, sks: string[], nextToken: string | null = null): ShardPage => ({
  shard,
  keys: sks.map(entry),
  nextToken,
});

describe('sharded list keys', () => {
  it("puts an order and its vendors' list entries in the same shard, one of LIST_SHARDS", () => {
    // Prepare
    const id = '01JD8Z6M5Q9V3X4R7T2W1Y0ABD';
    // Act
    const order = orderListKeys(id, 'c1', 'PLACED', '2026-12-01T00:00:00.000Z');
    const entry = vendorOrderEntryKey(id, 'v1', '2026-12-01T00:00:00.000Z');
    // Assess: the entry is a table item of the vendor's shard, sorted as the order is in its lists
    const shard = shardOf(id, LIST_SHARDS);
    expect(order.GSI2PK).toBe(`ORDERS#${shard}`);
    expect(entry.PK).toBe(vendorOrdersPartitions('v1')[shard]);
    expect(entry.SK).toBe(order.GSISK);
    expect(orderIdOfEntry(entry.SK)).toBe(id);
  });

  it("sorts a vendor's entries by creation time and names the order whatever its id holds", () => {
    // Prepare: ids that are not time-ordered (hash-derived), one with the separator in it
    const older = vendorOrderEntryKey('zzzz', 'v1', '2026-12-01T00:00:00.000Z');
    const newer = vendorOrderEntryKey('aaaa#b', 'v1', '2026-12-01T00:00:01.000Z');
    // Act
    const newestFirst = [older.SK, newer.SK].sort().reverse();
    // Assess
    expect(newestFirst.map(orderIdOfEntry)).toEqual(['aaaa#b', 'zzzz']);
  });

  it('gives a new order no byStatus key: the sweeper finds unpaid orders on the all-orders list', () => {
    expect(orderListKeys('o1', 'c1', 'PLACED', 'now')).not.toHaveProperty('GSI3PK');
    expect(orderListKeys('o1', 'c1', 'PAID', 'now')).not.toHaveProperty('GSI3PK');
    expect(orderListKeys('o1', 'c1', 'DELIVERED', 'now').GSI3PK).toMatch(/^ORDERSTATUS#DELIVERED#\d$/);
  });
});

describe('merging shard pages', () => {
  const plan = { skName: 'GSI2SK', forward: false, limit: 3, cursors: ['top', 'top', 'top'] as const };

  it('keeps the newest entries across shards, in order', () => {
    // Act
    const merged = mergeShardPages({ ...plan, cursors: [...plan.cursors] }, [
      page(0, ['t9', 't5', 't1'], 'tok0'),
      page(1, ['t8', 't7', 't6'], 'tok1'),
      page(2, [], null),
    ]);
    // Assess
    expect(merged.keys.map((k) => k.GSI2SK)).toEqual(['t9', 't8', 't7']);
    // shard 0 and 1 were read part way: a seal query finds their positions; shard 2 is done
    expect(merged.next).toEqual([null, null, 'done']);
    expect(merged.lastKept).toEqual(['t9', 't7', null]);
  });

  it('moves a shard whose entries were all kept to its own token, and leaves an untouched one where it was', () => {
    // Act
    const merged = mergeShardPages({ ...plan, cursors: ['top', 'tokA', 'done'] }, [
      page(0, ['t9', 't8'], 'tok0'),
      page(1, ['t1'], 'tok1'),
    ]);
    // Assess
    expect(merged.keys.map((k) => k.GSI2SK)).toEqual(['t9', 't8', 't1']);
    expect(merged.next).toEqual(['tok0', 'tok1', 'done']);
  });

  it('keeps the position of a shard none of whose entries made the page', () => {
    const merged = mergeShardPages({ ...plan, limit: 2, cursors: ['top', 'tokA', 'top'] }, [
      page(0, ['t9', 't8'], null),
      page(1, ['t1'], 'tok1'),
      page(2, [], null),
    ]);
    expect(merged.next).toEqual(['done', 'tokA', 'done']);
  });
});

describe('list tokens', () => {
  it('reads back the cursors of its own list', () => {
    const text = listTokenText('vendor|v1|', ['abc=', 'top', 'done', 'xyz']);
    expect(parseListToken(text ?? '', 'vendor|v1|', 4)).toEqual(['abc=', 'top', 'done', 'xyz']);
  });

  it('is null when every shard is done', () => {
    expect(listTokenText('orders|', ['done', 'done'])).toBeNull();
  });

  it('rejects a token of another list, another shard count or a changed cursor', () => {
    const text = listTokenText('vendor|v1|', ['abc=', 'top']) ?? '';
    expect(parseListToken(text, 'vendor|v2|', 2)).toBeNull();
    expect(parseListToken(text, 'vendor|v1|', 3)).toBeNull();
    expect(parseListToken(text.replace('abc=', 'ab"c'), 'vendor|v1|', 2)).toBeNull();
    expect(parseListToken('garbage', 'vendor|v1|', 2)).toBeNull();
  });
});
