import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, type IEventBus, type Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_DETAIL_TYPE, EVENT_SOURCE } from '../../domain/events/envelope.js';
import { orderloopFunction } from './lambda-defaults.js';
import { deadLetterQueue } from './queues.js';
import { assertIntegerInRange } from './validation.js';

/** Props for a consumer Lambda behind a bus rule or a schedule. */
export interface EventConsumerProps {
  /** Folder under functions/ that holds handler.ts. */
  readonly functionDir: string;
  /** The bus the rule listens on. */
  readonly bus: IEventBus;
  /** Domain event types (detail.type) that trigger the consumer. Give these, a schedule, or both. */
  readonly eventTypes?: readonly string[];
  /** Narrows the events to those whose detail.data matches this EventBridge pattern. @default every event of the types */
  readonly eventData?: Record<string, unknown>;
  /**
   * Narrows the named event types to those whose detail.data matches the type's pattern (an `$or` of one
   * alternative per type), so the function is not invoked for events it would ignore; the types not named
   * here arrive whole. @default every event of the types
   */
  readonly eventDataByType?: Readonly<Record<string, Record<string, unknown>>>;
  /** Runs the consumer on a schedule too. @default no schedule */
  readonly schedule?: Schedule;
  /** @default {} */
  readonly environment?: Record<string, string>;
  /** Lambda's own retries of a failed async invocation, 0 to 2. @default 2 */
  readonly retryAttempts?: number;
  /** EventBridge's retries when it cannot hand the event to Lambda, 0 to 185. @default 8 */
  readonly targetRetryAttempts?: number;
  /** How long an undelivered event is kept, 60 s to 6 h. @default Duration.hours(1) */
  readonly maxEventAge?: Duration;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** @default no reserved concurrency */
  readonly reservedConcurrency?: number;
  /**
   * Memory in MB, 128 to 10240. A consumer waits on AppSync and DynamoDB more than it computes, and its
   * bundle (the AWS SDK clients, Powertools) runs in well under 256 MB, so 256 halves the GB-seconds of the
   * 512 MB default without starving its CPU share. @default 256
   */
  readonly memorySize?: number;
}

/**
 * A consumer of domain events on the bus and/or of a schedule (EventBridge rules invoke it
 * asynchronously; no stream feeds it): the function, its dead-letter queue (for both EventBridge
 * delivery failures and Lambda's exhausted async retries), the rules that feed it, and alarms on its
 * errors and its DLQ. It grants nothing on tables or the API: the caller grants what the code calls.
 */
export class EventConsumer extends Construct {
  /** The consumer function. */
  readonly function: NodejsFunction;
  /** Events EventBridge could not deliver, and invocation records of events that kept failing; `npm run replay` brings them back. */
  readonly deadLetterQueue: Queue;
  /** The rules that trigger the function: the event rule and/or the schedule. */
  readonly rules: readonly Rule[];
  /** Fires when the function reports errors. */
  readonly errorsAlarm: Alarm;
  /** Fires when anything waits in the dead-letter queue. */
  readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: EventConsumerProps) {
    super(scope, id);
    const hasEvents = props.eventTypes !== undefined && props.eventTypes.length > 0;
    if (!hasEvents && props.schedule === undefined) {
      throw new Error(
        `EventConsumer ${id} needs a trigger: eventTypes, a schedule or both, received neither`,
      );
    }
    if (props.eventData !== undefined && !hasEvents) {
      throw new Error(
        `EventConsumer ${id}: eventData narrows eventTypes, received eventData without eventTypes`,
      );
    }
    const byType = props.eventDataByType ?? {};
    const unknownTypes = Object.keys(byType).filter((t) => !props.eventTypes?.includes(t));
    if (unknownTypes.length > 0 || (props.eventData !== undefined && props.eventDataByType !== undefined)) {
      throw new Error(
        `EventConsumer ${id}: eventDataByType narrows the eventTypes it names and replaces eventData, received ${
          unknownTypes.length > 0 ? `types not in eventTypes: ${unknownTypes.join(', ')}` : 'both'
        }`,
      );
    }
    assertIntegerInRange('retryAttempts', props.retryAttempts, 0, 2);
    assertIntegerInRange('targetRetryAttempts', props.targetRetryAttempts, 0, 185);
    assertIntegerInRange('memorySize', props.memorySize, 128, 10_240);
    const maxEventAge = props.maxEventAge ?? Duration.hours(1);
    assertIntegerInRange('maxEventAge (seconds)', maxEventAge.toSeconds(), 60, 21_600);

    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetterQueue');
    this.function = orderloopFunction(this, 'Function', {
      functionDir: props.functionDir,
      environment: props.environment,
      timeout: props.timeout,
      memorySize: props.memorySize ?? 256,
      reservedConcurrentExecutions: props.reservedConcurrency,
      // The on-failure destination carries the whole invocation record (event, error, attempts).
      onFailure: new SqsDestination(this.deadLetterQueue),
      retryAttempts: props.retryAttempts ?? 2,
      maxEventAge,
    });
    const target = new LambdaFunction(this.function, {
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: props.targetRetryAttempts ?? 8,
      maxEventAge,
    });
    const rules: Rule[] = [];
    if (hasEvents) {
      let detail: Record<string, unknown> = { type: [...props.eventTypes!] };
      if (props.eventData) detail.data = props.eventData;
      if (Object.keys(byType).length > 0) {
        const alternatives = props.eventTypes!.map((t) =>
          byType[t] ? { type: [t], data: byType[t] } : { type: [t] },
        );
        // "Content filtering in Amazon EventBridge event patterns": $or needs two alternatives or more.
        detail = alternatives.length > 1 ? { $or: alternatives } : alternatives[0]!;
      }
      rules.push(
        new Rule(this, 'Rule', {
          eventBus: props.bus,
          eventPattern: { source: [EVENT_SOURCE], detailType: [EVENT_DETAIL_TYPE], detail },
          targets: [target],
        }),
      );
    }
    if (props.schedule)
      rules.push(new Rule(this, 'Schedule', { schedule: props.schedule, targets: [target] }));
    this.rules = rules;
    this.errorsAlarm = new Alarm(this, 'ErrorsAlarm', {
      alarmDescription: `${props.functionDir} consumer reports errors`,
      metric: this.function.metricErrors({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.deadLetterAlarm = new Alarm(this, 'DeadLetterAlarm', {
      alarmDescription: `${props.functionDir} consumer has events in its dead-letter queue`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
