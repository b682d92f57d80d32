import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import {
  AttributeType,
  Billing,
  ProjectionType,
  StreamViewType,
  TableV2,
  type ITableV2,
} from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { INDEX, LIST_SORT_KEY } from '../domain/keys.js';

/** Export names the API stack imports: a stable contract between the two stacks. */
export const DATA_EXPORTS = {
  tableArn: 'OrderloopData-TableArn',
  tableStreamArn: 'OrderloopData-TableStreamArn',
} as const;

/**
 * What holds data: the single table (with its stream). Kept apart from the stateless API stack so the API
 * can be replaced without touching data.
 */
export class StatefulStack extends Stack {
  /** Orders, vendor orders, products, payments and notifications. */
  readonly table: ITableV2;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    // KEYS_ONLY: a list reads the keys and then the items (BatchGetItem), so an item's updates write an
    // index only when its list keys change, never for a status, stock or payment change. An index with
    // ALL rewrote its copy on every update of an indexed item (docs/capacity.md, "What a write costs").
    // One sort key attribute for all three (domain/keys.ts LIST_SORT_KEY): an item stores it once.
    const gsi = (indexName: string, n: number) => ({
      indexName,
      partitionKey: { name: `GSI${n}PK`, type: AttributeType.STRING },
      sortKey: { name: LIST_SORT_KEY, type: AttributeType.STRING },
      projectionType: ProjectionType.KEYS_ONLY,
    });
    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: 'PK', type: AttributeType.STRING },
      sortKey: { name: 'SK', type: AttributeType.STRING },
      billing: Billing.onDemand(),
      dynamoStream: StreamViewType.NEW_AND_OLD_IMAGES,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      // Nothing writes `expiresAt` any more: placeOrder's idempotency records were its only users (the
      // order item is the key's record now). TTL stays on so the records written before expire (within a
      // day of the change) instead of staying forever; it can go once they have.
      timeToLiveAttribute: 'expiresAt',
      removalPolicy: RemovalPolicy.RETAIN,
      globalSecondaryIndexes: [gsi(INDEX.byCustomer, 1), gsi(INDEX.byVendor, 2), gsi(INDEX.byStatus, 3)],
    });
    new CfnOutput(this, 'TableArn', { value: this.table.tableArn, exportName: DATA_EXPORTS.tableArn });
    new CfnOutput(this, 'TableStreamArn', {
      value: this.table.tableStreamArn!,
      exportName: DATA_EXPORTS.tableStreamArn,
    });
  }
}
