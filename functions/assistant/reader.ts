import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  CATALOG_PARTITION,
  customerPartition,
  INDEX,
  LIST_SORT_KEY,
  orderIdOfEntry,
  orderKey,
  vendorOrdersPartitions,
} from '../../domain/keys.js';
import type { Order, Product, VendorOrder } from '../../domain/generated/schema.js';
import { orderFromItem, orderView, vendorOrderView, type OrderItem } from '../../domain/views.js';

/**
 * The reads the assistant's tools make, with the table's key design (domain/keys.ts). Every method takes
 * the partition owner (customer or vendor) from its caller, which is the asker, never the model.
 */
export interface OrderReader {
  /** A customer's orders, newest first, optionally in one status. */
  customerOrders(customerId: string, options: ListOptions): Promise<Order[]>;
  /** A vendor's parts of orders, newest first, optionally in one status. */
  vendorParts(vendorId: string, options: ListOptions): Promise<VendorOrder[]>;
  /** One order item as stored, whoever owns it: the caller applies domain/views.ts before use. */
  order(orderId: string): Promise<Order | null>;
  /** The public catalog, at most `limit` products. */
  catalog(limit: number): Promise<Product[]>;
}

/** How much of a list to read. */
export interface ListOptions {
  readonly status?: string | undefined;
  readonly limit: number;
}

/** Pages one query reads at most, so a status filter over a long history stays bounded. */
const MAX_PAGES = 5;

/** How many items the reader reads at once. */
const BATCH_KEYS = 25;

/** The reader over the single table (TABLE_NAME), through the document client. */
export function dynamoOrderReader(doc: Pick<DynamoDBDocumentClient, 'send'>, tableName: string): OrderReader {
  // The indexes are KEYS_ONLY, and a vendor's list holds entries of the table that name orders: each
  // partition (one per write shard) gives keys in its sort order, the shards are merged by sort key, and
  // the items are read from the table (`itemKey`: which item an entry stands for; `view`: what of it the
  // list answers, or null to leave it out; the status filter applies to that view).
  const queryIndex = async <T extends object>(
    index: string | null,
    keyNames: { pk: string; sk: string },
    partitions: readonly string[],
    options: ListOptions & {
      forward?: boolean;
      itemKey?: (entry: Record<string, string>) => { PK: string; SK: string };
      view?: (item: Record<string, unknown>) => T | null;
    },
  ): Promise<T[]> => {
    const keys: Record<string, string>[] = [];
    for (const partition of partitions) {
      let startKey: Record<string, unknown> | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const out = await doc.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: index ?? undefined,
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': keyNames.pk },
            ExpressionAttributeValues: { ':pk': partition },
            ScanIndexForward: options.forward ?? false,
            Limit: Math.max(options.limit, 20),
            ExclusiveStartKey: startKey,
          }),
        );
        keys.push(...((out.Items ?? []) as Record<string, string>[]));
        startKey = out.LastEvaluatedKey;
        if (!startKey || (!options.status && keys.length >= options.limit * partitions.length)) break;
      }
    }
    const sk = (k: Record<string, string>) => k[keyNames.sk] ?? '';
    keys.sort((a, b) => (sk(a) < sk(b) ? -1 : sk(a) > sk(b) ? 1 : 0));
    if (!(options.forward ?? false)) keys.reverse();
    // One GetItem per key, a batch of them at a time (the function's grant is GetItem and the index
    // queries, infra/api-stack.ts), until the page is full.
    const itemKey = options.itemKey ?? ((k: Record<string, string>) => ({ PK: k.PK ?? '', SK: k.SK ?? '' }));
    const view = options.view ?? ((item: Record<string, unknown>) => item as T);
    const items: T[] = [];
    for (let i = 0; i < keys.length && items.length < options.limit; i += BATCH_KEYS) {
      const batch = keys.slice(i, i + BATCH_KEYS);
      const found = await Promise.all(
        batch.map((k) => doc.send(new GetCommand({ TableName: tableName, Key: itemKey(k) }))),
      );
      for (const out of found) {
        const item = out.Item ? view(out.Item) : null;
        if (item && (!options.status || (item as { status?: unknown }).status === options.status))
          items.push(item);
      }
    }
    return items.slice(0, options.limit);
  };
  return {
    // Orders as GraphQL returns them (domain/views.ts), as the tools show them.
    customerOrders: async (customerId, options) =>
      (
        await queryIndex<OrderItem>(
          INDEX.byCustomer,
          { pk: 'GSI1PK', sk: LIST_SORT_KEY },
          [customerPartition(customerId)],
          options,
        )
      ).map((item) => orderView(orderFromItem(item))),
    // The vendor's list entries (table items, sort key createdAt#orderId), then the orders they name,
    // each answered as the vendor's part of it (the order item is the one copy of the part).
    vendorParts: (vendorId, options) =>
      queryIndex<VendorOrder>(null, { pk: 'PK', sk: 'SK' }, vendorOrdersPartitions(vendorId), {
        ...options,
        itemKey: (entry) => orderKey(orderIdOfEntry(entry.SK ?? '')),
        view: (item) => {
          const order = orderFromItem(item as unknown as OrderItem);
          const part = (order.vendorOrders ?? []).find((v) => v.vendorId === vendorId);
          return part ? vendorOrderView(order, part) : null;
        },
      }),
    async order(orderId) {
      const out = await doc.send(new GetCommand({ TableName: tableName, Key: orderKey(orderId) }));
      return out.Item ? orderView(orderFromItem(out.Item as OrderItem)) : null;
    },
    catalog: (limit) =>
      queryIndex<Product>(INDEX.byStatus, { pk: 'GSI3PK', sk: LIST_SORT_KEY }, [CATALOG_PARTITION], {
        limit,
      }),
  };
}
