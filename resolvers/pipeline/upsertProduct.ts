import { type Context, util } from '@aws-appsync/utils';
import { productKey, productListKeys } from '../../domain/keys.js';
import {
  createsCompleteProduct,
  DEFAULT_LOW_STOCK_THRESHOLD,
  type InventoryChange,
} from '../../domain/inventory.js';
import type { Product } from '../../domain/generated/schema.js';
import { fail } from '../lib/errors.js';
import { businessError } from '../../domain/errors.js';

/**
 * updateInventory, step 2 (table): sets the given fields. A change that lacks name, price or currency may
 * only update an existing product. Reserved stock is never touched here.
 */
export function request(ctx: Context) {
  const input = ctx.prev.result as InventoryChange;
  const now = util.time.nowISO8601();
  const names: Record<string, string> = { '#updatedAt': 'updatedAt', '#version': 'version' };
  const values: Record<string, unknown> = { ':now': now, ':one': 1, ':zero': 0 };
  const sets = ['#updatedAt = :now'];
  const fields: (keyof InventoryChange)[] = ['name', 'price', 'currency', 'available', 'lowStockThreshold'];
  for (const field of fields) {
    const value = input[field];
    if (value !== undefined && value !== null) {
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
  }
  const fixed: Record<string, unknown> = {
    vendorId: input.vendorId,
    productId: input.productId,
    entity: 'PRODUCT',
    ...productListKeys(input.vendorId, input.productId),
  };
  for (const key of Object.keys(fixed)) {
    names[`#${key}`] = key;
    values[`:${key}`] = fixed[key];
    sets.push(`#${key} = :${key}`);
  }
  names['#reserved'] = 'reserved';
  sets.push('#reserved = if_not_exists(#reserved, :zero)');
  if (input.available === undefined || input.available === null) {
    names['#available'] = 'available';
    sets.push('#available = if_not_exists(#available, :zero)');
  }
  if (input.lowStockThreshold === undefined || input.lowStockThreshold === null) {
    names['#lowStockThreshold'] = 'lowStockThreshold';
    values[':defaultThreshold'] = DEFAULT_LOW_STOCK_THRESHOLD;
    sets.push('#lowStockThreshold = if_not_exists(#lowStockThreshold, :defaultThreshold)');
  }
  const request = {
    operation: 'UpdateItem',
    key: util.dynamodb.toMapValues(productKey(input.vendorId, input.productId)),
    update: {
      expression: `SET ${sets.join(', ')} ADD #version :one`,
      expressionNames: names,
      expressionValues: util.dynamodb.toMapValues(values),
    },
  };
  if (createsCompleteProduct(input)) return request;
  return {
    ...request,
    condition: { expression: 'attribute_exists(PK)' },
  };
}

/** A conditional failure means the product does not exist and the change cannot create it. */
export function response(ctx: Context): Product {
  if (ctx.error) {
    if (ctx.error.type === 'DynamoDB:ConditionalCheckFailedException') {
      fail(
        businessError(
          'NotFound',
          'The product does not exist; name, price and currency are needed to create it',
          null,
        ),
      );
    }
    util.error(ctx.error.message, ctx.error.type);
  }
  return ctx.result as Product;
}
