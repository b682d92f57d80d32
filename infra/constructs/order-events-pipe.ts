import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnPipe } from 'aws-cdk-lib/aws-pipes';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { UNPUSHED_ORDER_STATUSES } from '../../domain/audience.js';
import { EVENT_DETAIL_TYPE, EVENT_SOURCE } from '../../domain/events/envelope.js';
import { deadLetterQueue } from './queues.js';
import { assertIntegerInRange } from './validation.js';

/**
 * Order statuses whose records no consumer acts on: the unpushed ones, and PAID / PAYMENT_FAILED, whose
 * push and notices the payment consumer sends in its own recordPaymentResult request
 * (functions/payment/logic.ts) and on which no rule acts (inventory commits stock at shipping, refunds
 * start at CANCELLED, the sweeper reads DELIVERED).
 */
export const OFF_BUS_ORDER_STATUSES: readonly string[] = [
  ...UNPUSHED_ORDER_STATUSES,
  'PAID',
  'PAYMENT_FAILED',
];

/** Entities whose stream records become domain events (an order's also carry its parts' changes). */
export const EVENT_ENTITIES = ['ORDER', 'PRODUCT'] as const;

/** Vendor-part statuses a part can reach while its order stays PAID (the other parts still PENDING). */
const CLOSED_PART_STATUSES = ['REJECTED', 'CANCELLED'];

/**
 * The stream records some consumer acts on, as the pipe's filter patterns (any one matches; Pipes bills
 * and enriches only what passes). A new order (INSERT, PLACED) does not pass: placeOrder's own answer is
 * its push (onOrderPlaced), and no consumer acts on it; nor do the vendors' list entries (keys only,
 * written once). A payment request is the order's MODIFY to PAYMENT_PENDING (processPayment writes the
 * attempt onto the order; the enricher makes it payment.requested, the one event that move means); a
 * product's stock move is a MODIFY. A vendor part's move is a MODIFY of the order item, which holds the
 * parts: one that moves the order too (ACCEPTED → FULFILLING, the last SHIPPED or DELIVERED, the last
 * REJECTED → CANCELLED) passes with the order's new status; one that leaves the order PAID (a part
 * REJECTED or CANCELLED while the others are still PENDING) passes by its closed part, since PAID itself
 * is off the bus. Any other status nobody is told of (domain/audience.ts UNPUSHED_ORDER_STATUSES) does
 * not pass, and neither do idempotency records, stock states or notifications. A pattern cannot compare
 * the old and new image, so the enricher still drops a MODIFY that changes no status (of the order or a
 * part: a refund of a rejected part while the order stays PAID passes the last pattern and is dropped
 * there) and a stock move that does not cross the low-stock threshold.
 */
export const EVENT_RECORD_FILTERS = [
  { eventName: ['MODIFY'], dynamodb: { NewImage: { entity: { S: ['PRODUCT'] } } } },
  {
    eventName: ['MODIFY'],
    dynamodb: {
      NewImage: {
        entity: { S: ['ORDER'] },
        status: { S: [{ 'anything-but': [...OFF_BUS_ORDER_STATUSES] }] },
      },
    },
  },
  // The payment request (payment.requested), though PAYMENT_PENDING itself is pushed to no one.
  {
    eventName: ['MODIFY'],
    dynamodb: { NewImage: { entity: { S: ['ORDER'] }, status: { S: ['PAYMENT_PENDING'] } } },
  },
  // A part closed while its order stays PAID (vendorOrder.statusChanged): any element of the embedded
  // parts' list (a DynamoDB L of M) in a closed status.
  {
    eventName: ['MODIFY'],
    dynamodb: {
      NewImage: {
        entity: { S: ['ORDER'] },
        status: { S: ['PAID'] },
        vendorOrders: { L: { M: { status: { S: CLOSED_PART_STATUSES } } } },
      },
    },
  },
] as const;

/** Props for the pipe from the table stream to the bus. */
export interface OrderEventsPipeProps {
  /** A table with a stream. */
  readonly table: ITable;
  /** Where domain events go. */
  readonly bus: IEventBus;
  /** Maps stream records to domain events. */
  readonly enrichment: IFunction;
  /** Records per batch, 1 to 10000. @default 10 */
  readonly batchSize?: number;
  /**
   * Seconds a partial batch may wait for more records, 0 to 300. A full batch never waits. Most statuses
   * cross the pipe, so each second here is a second of status latency at low traffic.
   * @default 0
   */
  readonly batchingWindowSeconds?: number;
  /** Retries of a failing batch, 0 to 10000 (finite on purpose). @default 3 */
  readonly maximumRetryAttempts?: number;
  /** Oldest record the pipe still delivers, in seconds, 60 to 604800. @default 86400 */
  readonly maximumRecordAgeSeconds?: number;
}

/**
 * DynamoDB stream → filter → enrichment → event bus, with AUTOMATIC_BISECT to isolate a poison record,
 * finite retries, and a dead-letter queue for what still fails.
 */
export class OrderEventsPipe extends Construct {
  /** The pipe. */
  readonly pipe: CfnPipe;
  /** Records the pipe gave up on. */
  readonly deadLetterQueue: Queue;
  /** Fires when anything waits in the dead-letter queue. */
  readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: OrderEventsPipeProps) {
    super(scope, id);
    assertIntegerInRange('batchSize', props.batchSize, 1, 10_000);
    assertIntegerInRange('batchingWindowSeconds', props.batchingWindowSeconds, 0, 300);
    assertIntegerInRange('maximumRetryAttempts', props.maximumRetryAttempts, 0, 10_000);
    assertIntegerInRange('maximumRecordAgeSeconds', props.maximumRecordAgeSeconds, 60, 604_800);
    const streamArn = props.table.tableStreamArn;
    if (!streamArn)
      throw new Error(`OrderEventsPipe ${id} needs a table with a stream, received one without`);

    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetterQueue');
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('pipes.amazonaws.com') });
    props.table.grantStreamRead(role);
    props.enrichment.grantInvoke(role);
    props.bus.grantPutEventsTo(role);
    this.deadLetterQueue.grantSendMessages(role);
    role.addToPolicy(new PolicyStatement({ actions: ['dynamodb:ListStreams'], resources: ['*'] }));

    this.pipe = new CfnPipe(this, 'Pipe', {
      roleArn: role.roleArn,
      source: streamArn,
      sourceParameters: {
        dynamoDbStreamParameters: {
          startingPosition: 'TRIM_HORIZON',
          batchSize: props.batchSize ?? 10,
          maximumBatchingWindowInSeconds: props.batchingWindowSeconds ?? 0,
          maximumRetryAttempts: props.maximumRetryAttempts ?? 3,
          maximumRecordAgeInSeconds: props.maximumRecordAgeSeconds ?? 86_400,
          onPartialBatchItemFailure: 'AUTOMATIC_BISECT',
          deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
        },
        filterCriteria: {
          filters: EVENT_RECORD_FILTERS.map((pattern) => ({ pattern: JSON.stringify(pattern) })),
        },
      },
      enrichment: props.enrichment.functionArn,
      target: props.bus.eventBusArn,
      targetParameters: {
        eventBridgeEventBusParameters: { source: EVENT_SOURCE, detailType: EVENT_DETAIL_TYPE },
      },
    });
    this.pipe.node.addDependency(role);

    this.deadLetterAlarm = new Alarm(this, 'DeadLetterAlarm', {
      alarmDescription: 'The order events pipe gave up on stream records',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
