import { util } from '@aws-appsync/utils';
import { conditionExpression, setExpression, type UpdateParts } from '../../domain/writes.js';

/**
 * One plain UpdateItem (not a transaction) built from assembled parts, conditional on what the caller
 * read: a change that touches one item pays 1 WRU per KB instead of a transaction's 2.
 */
export function conditionalUpdateItem(key: Record<string, string>, parts: UpdateParts) {
  const values = util.dynamodb.toMapValues(parts.values);
  return {
    operation: 'UpdateItem',
    key: util.dynamodb.toMapValues(key),
    update: { expression: setExpression(parts), expressionNames: parts.names, expressionValues: values },
    condition: {
      expression: conditionExpression(parts),
      expressionNames: parts.names,
      expressionValues: values,
    },
  };
}
