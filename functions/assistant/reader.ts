import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CATALOG_PARTITION, customerPartition, INDEX, orderKey, vendorPartition } from '../../domain/keys.js';
import type { Order, Product, VendorOrder } from '../../domain/generated/schema.js';

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

/** The reader over the single table (TABLE_NAME), through the document client. */
export function dynamoOrderReader(doc: Pick<DynamoDBDocumentClient, 'send'>, tableName: string): OrderReader {
  const queryIndex = async <T>(
    index: string,
    keyName: string,
    partition: string,
    options: ListOptions & { entity?: string },
  ): Promise<T[]> => {
    const items: T[] = [];
    let startKey: Record<string, unknown> | undefined;
    for (let page = 0; page < MAX_PAGES && items.length < options.limit; page++) {
      const filters: string[] = [];
      const names: Record<string, string> = { '#pk': keyName };
      const values: Record<string, unknown> = { ':pk': partition };
      if (options.status) {
        filters.push('#status = :status');
        names['#status'] = 'status';
        values[':status'] = options.status;
      }
      if (options.entity) {
        filters.push('#entity = :entity');
        names['#entity'] = 'entity';
        values[':entity'] = options.entity;
      }
      const out = await doc.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: index,
          KeyConditionExpression: '#pk = :pk',
          ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
          Limit: Math.max(options.limit, 20),
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...((out.Items ?? []) as T[]));
      startKey = out.LastEvaluatedKey;
      if (!startKey) break;
    }
    return items.slice(0, options.limit);
  };
  return {
    customerOrders: (customerId, options) =>
      queryIndex<Order>(INDEX.byCustomer, 'GSI1PK', customerPartition(customerId), options),
    vendorParts: (vendorId, options) =>
      queryIndex<VendorOrder>(INDEX.byVendor, 'GSI2PK', vendorPartition(vendorId), {
        ...options,
        entity: 'VENDOR_ORDER',
      }),
    async order(orderId) {
      const out = await doc.send(new GetCommand({ TableName: tableName, Key: orderKey(orderId) }));
      return (out.Item as Order | undefined) ?? null;
    },
    catalog: (limit) => queryIndex<Product>(INDEX.byStatus, 'GSI3PK', CATALOG_PARTITION, { limit }),
  };
}
