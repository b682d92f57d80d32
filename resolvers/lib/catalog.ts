import { util } from '@aws-appsync/utils';
import { productKey } from '../../domain/keys.js';
import type { CatalogProduct } from '../../domain/order.js';

/**
 * One BatchGetItem of every product the order names. Eventually consistent costs half a consistent read
 * (0.5 RRU per 4 KB item instead of 1): readCatalog reads so, confirmCatalog consistently.
 */
export function readProducts(
  table: string,
  lines: readonly { vendorId: string; productId: string }[],
  consistentRead: boolean,
) {
  const keys: unknown[] = [];
  for (const l of lines) keys.push(util.dynamodb.toMapValues(productKey(l.vendorId, l.productId)));
  return { operation: 'BatchGetItem', tables: { [`${table}`]: { keys, consistentRead } } };
}

/** The products a BatchGetItem answered (null for a key that matched nothing), or null when DynamoDB left keys unprocessed. */
export function productsRead(result: unknown, table: string): (CatalogProduct | null)[] | null {
  const read = result as {
    data: Record<string, (CatalogProduct | null)[]>;
    unprocessedKeys?: Record<string, unknown[]>;
  };
  const unprocessed = read.unprocessedKeys ? read.unprocessedKeys[table] : undefined;
  if (unprocessed && unprocessed.length > 0) return null;
  return read.data[table] ?? [];
}
