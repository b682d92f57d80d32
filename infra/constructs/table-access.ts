import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';

/**
 * The DynamoDB item actions a function may be granted on a table. A TransactWriteItems call needs the
 * action of each of its parts (Put, Update, Delete: PutItem, UpdateItem, DeleteItem; ConditionCheck:
 * ConditionCheckItem), per "Using IAM with DynamoDB transactions" in the DynamoDB developer guide.
 */
export type ItemAction =
  'GetItem' | 'BatchGetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'ConditionCheckItem' | 'Query';

/** What one function does on one table: the least privilege for the calls its code makes. */
export interface TableAccess {
  /** The actions on the table's own items. @default none */
  readonly actions?: readonly ItemAction[];
  /** The global secondary indexes it queries (dynamodb:Query on `<table>/index/<name>` only). @default none */
  readonly queryIndexes?: readonly string[];
}

/**
 * Grants exactly `access` on `table`: the item actions on the table ARN and Query on each named index's
 * ARN, nothing on its stream and no index wildcard. CDK's grantReadData / grantReadWriteData give
 * every read (and write) action, and on an imported TableV2 no index at all, so a query on a GSI fails.
 */
export function grantTableAccess(grantee: IGrantable, table: ITableV2, access: TableAccess): void {
  const actions = access.actions ?? [];
  const indexes = access.queryIndexes ?? [];
  if (actions.length === 0 && indexes.length === 0) {
    throw new Error('grantTableAccess needs actions or queryIndexes, received neither');
  }
  if (actions.length > 0) {
    Grant.addToPrincipal({
      grantee,
      actions: [...new Set(actions)].map((a) => `dynamodb:${a}`),
      resourceArns: [table.tableArn],
    });
  }
  if (indexes.length > 0) {
    Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:Query'],
      resourceArns: [...new Set(indexes)].map((name) => `${table.tableArn}/index/${name}`),
    });
  }
}
