/**
 * The plain-data shape of one EventBridge pipe with a DynamoDB stream source, and the ports it talks
 * through. The CloudFormation mapper builds a PipeConfig from `AWS::Pipes::Pipe`; the runtime supplies
 * the ports, so the pipe itself never knows how Lambda, the bus or SQS are run.
 */

/** A DynamoDB attribute value in the wire (JSON) form the stream hands out. */
export type AttributeMap = Record<string, Record<string, unknown>>;

/** One stream record exactly as Pipes hands it to filters, enrichment and targets. */
export interface PipeStreamRecord {
  readonly eventID: string;
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly eventVersion: string;
  readonly eventSource: 'aws:dynamodb';
  readonly awsRegion: string;
  readonly dynamodb: {
    readonly ApproximateCreationDateTime: number;
    readonly Keys: AttributeMap;
    readonly NewImage?: AttributeMap;
    readonly OldImage?: AttributeMap;
    readonly SequenceNumber: string;
    readonly SizeBytes: number;
    readonly StreamViewType: string;
  };
  readonly eventSourceARN: string;
}

/** Where a pipe delivers: the three target kinds the local runtime runs. */
export type PipeTarget =
  | { readonly type: 'lambda'; readonly functionArn: string }
  | {
      readonly type: 'eventbridge';
      readonly busArn: string;
      readonly detailType?: string;
      readonly source?: string;
    }
  | { readonly type: 'sqs'; readonly queueArn: string };

/** One pipe, as plain data (the CloudFormation properties, already resolved). */
export interface PipeConfig {
  readonly name: string;
  readonly arn: string;
  readonly streamArn: string;
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST';
  /** @default 1 in CloudFormation; required here */
  readonly batchSize: number;
  readonly maximumBatchingWindowInSeconds: number;
  /**
   * Batches of one shard in flight at once, 1 to 10; records of one item (partition and sort key) stay in
   * order. @default 1
   */
  readonly parallelizationFactor?: number;
  /** Parsed EventBridge patterns; a record passes when any matches; empty lets every record pass. */
  readonly filters: readonly object[];
  /** -1 retries until the record expires. */
  readonly maximumRetryAttempts: number;
  /** -1 never discards a record for its age. */
  readonly maximumRecordAgeInSeconds: number;
  readonly onPartialBatchItemFailure?: 'AUTOMATIC_BISECT';
  /** An SQS queue ARN; it receives batch metadata, not the records. */
  readonly deadLetterArn?: string;
  readonly enrichment?: { readonly functionArn: string; readonly inputTemplate?: string };
  readonly target: PipeTarget;
}

/** The answer of a synchronous Lambda invoke. */
export interface LambdaInvokeResult {
  readonly payload: unknown;
  /** 'Unhandled' or 'Handled' when the function failed, as in the Invoke API's X-Amz-Function-Error. */
  readonly functionError?: string;
}

/** One PutEvents entry a pipe sends to an event bus target. */
export interface PutEventsEntry {
  Source: string;
  DetailType: string;
  Detail: string;
  Resources?: string[];
}

/** The PutEvents answer, in the API's shape: one result per entry, in order. */
export interface PutEventsResult {
  FailedEntryCount: number;
  Entries: { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[];
}

/**
 * Per-shard progress: the sequence number of the last record that is fully processed (delivered,
 * filtered out or dead-lettered). SHARD_END marks a closed shard read to its end.
 */
export interface CheckpointStore {
  get(shardId: string): Promise<string | undefined>;
  put(shardId: string, sequenceNumber: string): Promise<void>;
}

/** What the pipe needs from the rest of the local runtime. */
export interface PipePorts {
  /** The shared EventBridge pattern matcher. */
  matches(pattern: object, record: unknown): boolean;
  invokeLambdaSync(functionArn: string, payload: unknown): Promise<LambdaInvokeResult>;
  putEvents(busArn: string, entries: PutEventsEntry[]): Promise<PutEventsResult>;
  sendToQueue(queueArn: string, body: string, attributes?: Record<string, string>): Promise<void>;
  checkpoints: CheckpointStore;
}

/** Why records left the pipe without reaching the target. */
export type DeadLetterCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

/** Observability callbacks, for tests and future usage counters; each is optional and must not throw. */
export interface PipeHooks {
  /** The target accepted these records. */
  onDelivered?(records: readonly PipeStreamRecord[]): void;
  /** An invocation failed for these records; `attempt` counts from 1. */
  onFailed?(records: readonly PipeStreamRecord[], error: string, attempt: number): void;
  /** No filter matched this record, so it never reached enrichment or the target. */
  onFiltered?(record: PipeStreamRecord): void;
  /** These records were given up on; `message` is what went to the DLQ (absent when none is configured). */
  onDeadLettered?(
    records: readonly PipeStreamRecord[],
    condition: DeadLetterCondition,
    message?: DeadLetterMessage,
  ): void;
  /** The poller could not read the stream (it retries on the next poll). */
  onPollError?(error: unknown): void;
}

/** The body a pipe with a stream source sends to its dead-letter queue: where the records are, not the records. */
export interface DeadLetterMessage {
  readonly context: { readonly partnerResourceArn: string; readonly condition: DeadLetterCondition };
  readonly version: '1.0';
  readonly timestamp: string;
  readonly DDBStreamBatchInfo: {
    readonly shardId: string;
    readonly startSequenceNumber: string;
    readonly endSequenceNumber: string;
    readonly approximateArrivalOfFirstRecord: string;
    readonly approximateArrivalOfLastRecord: string;
    readonly batchSize: number;
    readonly streamArn: string;
  };
}
