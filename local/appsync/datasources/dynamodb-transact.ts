import {
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  TransactionCanceledException,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDbSender } from './dynamodb-client.js';
import { RequestObjectError, fromSdkItem, toSdkItem, type SdkItem } from './attribute-values.js';
import { mergeExpressionAttributes, readExpression, requireExpression } from './expressions.js';
import { isRecord, type DataSourceOutcome } from './types.js';

type Request = Record<string, unknown>;

function readTransactItems(request: Request): Record<string, unknown>[] {
  const items = request.transactItems;
  if (!Array.isArray(items) || items.length === 0) {
    throw new RequestObjectError('transactItems is required and must hold at least one request item');
  }
  return items.map((item, i) => {
    if (!isRecord(item) || typeof item.table !== 'string') {
      throw new RequestObjectError(`transactItems[${i}].table must be the name of a table`);
    }
    if (item.key === undefined) throw new RequestObjectError(`transactItems[${i}].key is required`);
    return item;
  });
}

/**
 * The cancellation reasons AppSync puts in ctx.result, in request order: `type` is DynamoDB's code
 * (`None` for an item that did not fail), and `item` is the current item when the request asked for it
 * with `returnValuesOnConditionCheckFailure`.
 */
function cancellationReasons(err: TransactionCanceledException) {
  return (err.CancellationReasons ?? []).map((r) => ({
    type: r.Code ?? 'None',
    message: r.Message ?? null,
    ...(r.Item ? { item: fromSdkItem(r.Item) } : {}),
  }));
}

const canceled = (err: TransactionCanceledException, result: Record<string, unknown>): DataSourceOutcome => ({
  result: { ...result, cancellationReasons: cancellationReasons(err) },
  error: { type: 'DynamoDB:TransactionCanceledException', message: err.message },
});

/** "TransactGetItems": result `{ items: [item | null, ...] }` in request order. */
export async function transactGetItems(client: DynamoDbSender, request: Request): Promise<DataSourceOutcome> {
  const gets = readTransactItems(request).map((item, i) => {
    const projection = readExpression(item.projection, `transactItems[${i}].projection`);
    return {
      Get: {
        TableName: item.table as string,
        Key: toSdkItem(item.key, `transactItems[${i}].key`),
        ProjectionExpression: projection?.expression,
        ...mergeExpressionAttributes(projection),
      },
    };
  });
  try {
    const out = await client.send(new TransactGetItemsCommand({ TransactItems: gets }));
    return { result: { items: (out.Responses ?? []).map((r) => (r.Item ? fromSdkItem(r.Item) : null)) } };
  } catch (err) {
    if (err instanceof TransactionCanceledException) return canceled(err, { items: null });
    throw err;
  }
}

function toWrite(item: Record<string, unknown>, i: number): { write: TransactWriteItem; key: SdkItem } {
  const where = `transactItems[${i}]`;
  const TableName = item.table as string;
  const Key = toSdkItem(item.key, `${where}.key`);
  const condition = readExpression(item.condition, `${where}.condition`);
  const conditional = {
    ConditionExpression: condition?.expression,
    ReturnValuesOnConditionCheckFailure:
      isRecord(item.condition) && item.condition.returnValuesOnConditionCheckFailure === true
        ? ('ALL_OLD' as const)
        : undefined,
  };
  switch (item.operation) {
    case 'PutItem': {
      const Item = { ...toSdkItem(item.attributeValues ?? {}, `${where}.attributeValues`), ...Key };
      return {
        key: Key,
        write: { Put: { TableName, Item, ...conditional, ...mergeExpressionAttributes(condition) } },
      };
    }
    case 'UpdateItem': {
      const update = requireExpression(item.update, `${where}.update`);
      return {
        key: Key,
        write: {
          Update: {
            TableName,
            Key,
            UpdateExpression: update.expression,
            ...conditional,
            ...mergeExpressionAttributes(update, condition),
          },
        },
      };
    }
    case 'DeleteItem':
      return {
        key: Key,
        write: { Delete: { TableName, Key, ...conditional, ...mergeExpressionAttributes(condition) } },
      };
    case 'ConditionCheck': {
      const check = requireExpression(item.condition, `${where}.condition`);
      return {
        key: Key,
        write: {
          ConditionCheck: {
            TableName,
            Key,
            ConditionExpression: check.expression,
            ReturnValuesOnConditionCheckFailure: conditional.ReturnValuesOnConditionCheckFailure,
            ...mergeExpressionAttributes(check),
          },
        },
      };
    }
    default:
      throw new RequestObjectError(
        `${where}.operation must be PutItem, UpdateItem, DeleteItem or ConditionCheck, received ${String(item.operation)}`,
      );
  }
}

/**
 * "TransactWriteItems": result `{ keys: [key, ...] }` in request order. When DynamoDB cancels the
 * transaction, ctx.error is DynamoDB:TransactionCanceledException and ctx.result holds `keys: null`
 * and the `cancellationReasons`.
 */
export async function transactWriteItems(
  client: DynamoDbSender,
  request: Request,
): Promise<DataSourceOutcome> {
  const writes = readTransactItems(request).map(toWrite);
  try {
    await client.send(new TransactWriteItemsCommand({ TransactItems: writes.map((w) => w.write) }));
    return { result: { keys: writes.map((w) => fromSdkItem(w.key)) } };
  } catch (err) {
    if (err instanceof TransactionCanceledException) return canceled(err, { keys: null });
    throw err;
  }
}
