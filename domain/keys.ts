/**
 * Single-table keys. One table holds orders, the vendors' order lists, products and notifications; three
 * KEYS_ONLY GSIs serve the other lists (by customer, by vendor, by status and catalog). Only items a list
 * shows carry GSI keys, and no list key takes more than a bounded share of the writes at 1,000 orders/s:
 * the lists every order lands in are write-sharded (docs/capacity.md has the figures).
 * Resolver-safe: this file stays inside the APPSYNC_JS subset.
 */

/** GSI names, shared by the table definition and the resolvers that query them. */
export const INDEX = {
  byCustomer: 'byCustomer',
  byVendor: 'byVendor',
  byStatus: 'byStatus',
} as const;

/**
 * The sort key attribute of all three indexes (each has its own partition key, GSI1PK … GSI3PK). An item
 * sorts the same in every list it is in (an order by its creation time in its customer's list, its shard
 * of the all-orders list and its status; a product by vendor and id in its vendor's list and the
 * catalog), so it stores that sort key once: DynamoDB bills a write by the item's size, attribute names
 * included, and an order item carried the same `createdAt#id` three times.
 */
export const LIST_SORT_KEY = 'GSISK';

/** The order item: PK ORDER#id, SK ORDER. */
export function orderKey(orderId: string) {
  return { PK: `ORDER#${orderId}`, SK: 'ORDER' };
}

/**
 * A vendor's entry for one order in its order list, a small immutable item of the table itself (no index
 * keys), written once with the order: its shard of the vendor's orders, sorted by creation time (then id,
 * so a page is newest first whatever the ids look like). The order item is the one copy of the part's
 * state (its embedded vendorOrders), so a status change writes no entry. Items of the earlier design
 * (PK ORDER#id, SK VENDOR#vendorId, entity VENDOR_ORDER) are read by nothing any more.
 */
export function vendorOrderEntryKey(orderId: string, vendorId: string, createdAt: string) {
  return {
    PK: vendorOrdersPartition(vendorId, shardOf(orderId, LIST_SHARDS)),
    SK: timeSortKey(createdAt, orderId),
  };
}

/** The order id of a vendor's list entry, from its sort key (createdAt#orderId: a time holds no '#'). */
export function orderIdOfEntry(sortKey: string): string {
  return sortKey.slice(sortKey.indexOf('#') + 1);
}

/**
 * A product is its own partition, so one vendor's stock moves spread over as many partitions as it has
 * products (one vendor partition would take every line of every order of that vendor). The sort key
 * repeats the product id, which makes the pair unambiguous whatever characters the ids hold.
 */
export function productKey(vendorId: string, productId: string) {
  return { PK: `PRODUCT#${vendorId}#${productId}`, SK: `PRODUCT#${productId}` };
}

/**
 * The list keys of a product: its vendor's product list (byVendor) and the catalog (byStatus), both sorted
 * by vendor and product id (within one vendor's list, by product id). They never change after creation,
 * and the indexes are KEYS_ONLY, so a stock move writes no index.
 */
export function productListKeys(vendorId: string, productId: string) {
  return {
    GSI2PK: vendorPartition(vendorId),
    GSI3PK: CATALOG_PARTITION,
    GSISK: `${vendorId}#${productId}`,
  };
}

/**
 * A notification lives in its recipient's partition, newest last. A vendor is notified of every order it
 * takes part in, so a vendor's notifications are write-sharded like its orders (LIST_SHARDS partitions,
 * by the notification's id); a customer's or an admin's are few and stay in one partition.
 */
export function notificationKey(recipient: string, createdAt: string, id: string) {
  const partitions = recipientPartitions(recipient);
  const partition = partitions[shardOf(id, partitions.length)] ?? `RECIPIENT#${recipient}`;
  return { PK: partition, SK: `NOTIFICATION#${createdAt}#${id}` };
}

/** The partitions that hold a recipient's notifications, in shard order. */
export function recipientPartitions(recipient: string): string[] {
  if (recipient.slice(0, VENDOR_RECIPIENT.length) !== VENDOR_RECIPIENT) return [`RECIPIENT#${recipient}`];
  return shardNumbers(LIST_SHARDS).map((s) => `RECIPIENT#${s}#${recipient}`);
}

/** The prefix of a vendor's notification recipient id (vendorRecipient). */
const VENDOR_RECIPIENT = 'vendor#';

/** Partition key of a vendor's product list on the byVendor GSI. */
export function vendorPartition(vendorId: string) {
  return `VENDOR#${vendorId}`;
}

/**
 * How many write shards each list that every order lands in has: the all-orders list and each vendor's
 * orders. At 1,000 orders/s each shard key takes 250 writes/s (the all-orders list's index entries, the
 * vendors' list entries on the table; docs/capacity.md).
 */
export const LIST_SHARDS = 4;

/** How many write shards the DELIVERED status partition has: entering and leaving it are both writes. */
export const STATUS_SHARDS = 8;

/**
 * The write shard of an order, 0 … shards − 1, from its id (26 characters of ORDER_ID_ALPHABET: a SHA-256
 * prefix, or for orders placed before ids were derived a ULID, whose last characters are random), so an
 * order and its vendors' list entries always land in the same shard number.
 */
export function shardOf(orderId: string, shards: number): number {
  let sum = 0;
  for (const ch of orderId.toUpperCase().split('')) sum = sum + Math.max(0, ORDER_ID_ALPHABET.indexOf(ch));
  return sum % shards;
}

/** Crockford's base32: the alphabet of order ids (derived ones, domain/digest.ts, and the ULIDs before them). */
export const ORDER_ID_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The shard numbers 0 … shards − 1 (at most 10). */
export function shardNumbers(shards: number): number[] {
  return [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].slice(0, shards);
}

/** Partition key of one shard of a vendor's orders, on the table itself (vendorOrderEntryKey). */
export function vendorOrdersPartition(vendorId: string, shard: number) {
  return `VENDORORDERS#${shard}#${vendorId}`;
}

/** Every shard partition of a vendor's orders, in shard order. */
export function vendorOrdersPartitions(vendorId: string): string[] {
  return shardNumbers(LIST_SHARDS).map((s) => vendorOrdersPartition(vendorId, s));
}

/** Partition key of one shard of the all-orders list on the byVendor GSI. */
export function allOrdersPartition(shard: number) {
  return `ORDERS#${shard}`;
}

/** Every shard partition of the all-orders list, in shard order. */
export function allOrdersPartitions(): string[] {
  return shardNumbers(LIST_SHARDS).map(allOrdersPartition);
}

/** Partition key of a customer's orders on the byCustomer GSI. */
export function customerPartition(customerId: string) {
  return `CUSTOMER#${customerId}`;
}

/**
 * The order statuses that keep a byStatus entry: DELIVERED only, the safety net of the completion path
 * (the sweeper completes a delivered order whose order.statusChanged event was lost, however long after
 * its creation it was delivered, so no window on creation time finds it). Unpaid orders have no entry:
 * the sweeper finds them by a creation-time window on the all-orders list (functions/sweeper/logic.ts),
 * so placing and paying an order write no byStatus entry. An admin's list of one status reads the
 * all-orders list and filters (Query.orders.ts).
 */
export const INDEXED_STATUSES: readonly string[] = ['DELIVERED'];

/** Whether an order in this status has a byStatus entry. */
export function isIndexedStatus(status: string): boolean {
  return INDEXED_STATUSES.includes(status);
}

/** Partition key of the byStatus GSI for an order in an indexed status, in the order's shard. */
export function orderStatusPartition(status: string, orderId: string) {
  return `ORDERSTATUS#${status}#${shardOf(orderId, STATUS_SHARDS)}`;
}

/** Every shard partition of one status on the byStatus GSI. */
export function orderStatusPartitions(status: string): string[] {
  return shardNumbers(STATUS_SHARDS).map((s) => `ORDERSTATUS#${status}#${s}`);
}

/**
 * The list keys of a new order: its customer's list and its shard of the all-orders list (on byVendor,
 * which order items do not otherwise use), both by creation time. A new order's status has no byStatus
 * entry; its list sort key (GSISK) serves byStatus too, so entering DELIVERED sets the partition key only.
 */
export function orderListKeys(orderId: string, customerId: string, status: string, createdAt: string) {
  return {
    GSI1PK: customerPartition(customerId),
    GSI2PK: allOrdersPartition(shardOf(orderId, LIST_SHARDS)),
    ...(isIndexedStatus(status) ? { GSI3PK: orderStatusPartition(status, orderId) } : {}),
    GSISK: timeSortKey(createdAt, orderId),
  };
}

/**
 * The sweeper's watermark for one shard of the all-orders list: how far (by sort key) that shard has
 * been swept, and the orders behind it still waiting for a payment result.
 */
export function sweeperWatermarkKey(shard: number) {
  return { PK: `SWEEPER#${allOrdersPartition(shard)}`, SK: 'WATERMARK' };
}

/** The inventory consumer's record of where one vendor part's stock stands (reserved, committed, released). */
export function stockStateKey(orderId: string, vendorId: string) {
  return { PK: `ORDER#${orderId}`, SK: `STOCK#${vendorId}` };
}

/** Partition key of the byStatus GSI for the whole catalog. */
export const CATALOG_PARTITION = 'CATALOG';

/** Sort key that orders items newest first when read backwards. */
export function timeSortKey(createdAt: string, id: string) {
  return `${createdAt}#${id}`;
}

/** The notification recipient id of a vendor. */
export function vendorRecipient(vendorId: string) {
  return `${VENDOR_RECIPIENT}${vendorId}`;
}
