/**
 * Single-table keys. One table holds orders, vendor orders, products, payments, idempotency records and
 * notifications; three GSIs serve the access patterns by customer, by vendor and by status/kind.
 * Resolver-safe: this file stays inside the APPSYNC_JS subset.
 */

/** GSI names, shared by the table definition and the resolvers that query them. */
export const INDEX = {
  byCustomer: 'byCustomer',
  byVendor: 'byVendor',
  byStatus: 'byStatus',
} as const;

/** The order item: PK ORDER#id, SK ORDER. */
export function orderKey(orderId: string) {
  return { PK: `ORDER#${orderId}`, SK: 'ORDER' };
}

/** A vendor's part of an order lives in the order's partition. */
export function vendorOrderKey(orderId: string, vendorId: string) {
  return { PK: `ORDER#${orderId}`, SK: `VENDOR#${vendorId}` };
}

/** A payment attempt lives in the order's partition. */
export function paymentKey(orderId: string, attempt: number) {
  const digits = `${attempt}`;
  const padded = `${'0000'.slice(digits.length)}${digits}`;
  return { PK: `ORDER#${orderId}`, SK: `PAYMENT#${padded}` };
}

/** A product lives in its vendor's partition. */
export function productKey(vendorId: string, productId: string) {
  return { PK: `VENDOR#${vendorId}`, SK: `PRODUCT#${productId}` };
}

/** An idempotency record for a customer's mutation call. */
export function idempotencyKey(operation: string, callerId: string, key: string) {
  return { PK: `IDEMPOTENCY#${operation}#${callerId}#${key}`, SK: 'IDEMPOTENCY' };
}

/** A notification lives in its recipient's partition, newest last. */
export function notificationKey(recipient: string, createdAt: string, id: string) {
  return { PK: `RECIPIENT#${recipient}`, SK: `NOTIFICATION#${createdAt}#${id}` };
}

/** The partition that holds a recipient's notifications. */
export function recipientPartition(recipient: string) {
  return `RECIPIENT#${recipient}`;
}

/** Partition key of a vendor's items (products) and the byVendor GSI. */
export function vendorPartition(vendorId: string) {
  return `VENDOR#${vendorId}`;
}

/** Partition key of a customer's orders on the byCustomer GSI. */
export function customerPartition(customerId: string) {
  return `CUSTOMER#${customerId}`;
}

/** Partition key of the byStatus GSI for orders in a status. */
export function orderStatusPartition(status: string) {
  return `ORDERSTATUS#${status}`;
}

/**
 * Partition key of every order, whatever its status, for admins listing all orders. An item has one
 * GSI3PK (its status partition), so this listing lives on the byVendor GSI (GSI2PK), which order items
 * do not otherwise use; vendor partitions (`VENDOR#…`) never collide with it.
 */
export const ALL_ORDERS_PARTITION = 'ORDERS';

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
  return `vendor#${vendorId}`;
}
