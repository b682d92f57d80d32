/** The envelope EventBridge delivers to targets ("Amazon EventBridge events"). */
export interface EventBridgeEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Record<string, unknown>;
}

/** An event bus as the assembly loader maps it from the template. */
export interface BusConfig {
  readonly name: string;
  readonly arn: string;
}

/** A rule target; `input`, `inputPath` and `inputTransformer` are mutually exclusive. */
export interface TargetConfig {
  readonly id: string;
  readonly arn: string;
  readonly input?: string;
  readonly inputPath?: string;
  readonly inputTransformer?: {
    readonly inputPathsMap?: Readonly<Record<string, string>>;
    readonly inputTemplate: string;
  };
  /** @default 185 attempts and 86,400 seconds, as EventBridge documents */
  readonly retryPolicy?: {
    readonly maximumRetryAttempts?: number;
    readonly maximumEventAgeInSeconds?: number;
  };
  /** ARN of the SQS queue that receives the event once retries are exhausted. */
  readonly deadLetterArn?: string;
}

/** A rule on a bus: an event pattern, a schedule, or both. */
export interface RuleConfig {
  readonly name: string;
  readonly arn: string;
  readonly busName: string;
  readonly eventPattern?: object;
  readonly scheduleExpression?: string;
  readonly state: 'ENABLED' | 'DISABLED';
  readonly description?: string;
  readonly targets: readonly TargetConfig[];
}

/** The retry budget EventBridge gives a Lambda hand-off, passed on so the Lambda host can honour it. */
export interface RetryBudget {
  readonly maximumRetryAttempts: number;
  readonly maximumEventAgeInSeconds: number;
}

/** An SQS message attribute as EventBridge sets them on DLQ messages. */
export interface MessageAttribute {
  readonly DataType: 'String' | 'Number';
  readonly StringValue: string;
}

/**
 * How the bus reaches other local services. Each call resolves once the hand-off is accepted and throws
 * when it is not, which is what triggers EventBridge's retry policy.
 */
export interface TargetPorts {
  /** Lambda targets are asynchronous invocations: the Lambda host owns retries after the hand-off. */
  invokeLambdaAsync(functionArn: string, payload: string, retry: RetryBudget): Promise<void>;
  sendToQueue(
    queueArn: string,
    body: string,
    messageAttributes?: Readonly<Record<string, MessageAttribute>>,
  ): Promise<void>;
  /** A bus target in the same account (bus-to-bus routing); `event` is the JSON text to put. */
  putEvents?(busArn: string, event: string): Promise<void>;
}

/** A delivery failure with an EventBridge DLQ error code; `retryable: false` skips straight to the DLQ. */
export class TargetDeliveryError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable = true,
  ) {
    super(message);
    this.name = 'TargetDeliveryError';
  }
}
