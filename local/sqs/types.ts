import type { MessageAttributeValue } from './md5.js';

/** Plain configuration of a queue, mapped from an AWS::SQS::Queue in cdk.out. */
export interface QueueConfig {
  readonly name: string;
  readonly arn: string;
  /** @default 30 */
  readonly visibilityTimeoutSeconds?: number;
  /** @default 345600 (4 days) */
  readonly messageRetentionSeconds?: number;
  readonly redrivePolicy?: { readonly deadLetterTargetArn: string; readonly maxReceiveCount: number };
  readonly fifo?: boolean;
  readonly contentBasedDeduplication?: boolean;
  /** @default 0 */
  readonly delaySeconds?: number;
}

/** A message as the queue keeps it (and as the JSON store persists it). */
export interface StoredMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  messageAttributes?: Record<string, MessageAttributeValue>;
  md5OfMessageAttributes?: string;
  sentTimestamp: number;
  receiveCount: number;
  firstReceiveTimestamp?: number;
  visibleAt: number;
  receiptNonce?: string;
  groupId?: string;
  deduplicationId?: string;
  sequenceNumber?: string;
  /** Set when a redrive policy moved the message here (the DeadLetterQueueSourceArn system attribute). */
  deadLetterQueueSourceArn?: string;
}

/** A received message in the ReceiveMessage output shape. */
export interface ReceivedMessage {
  MessageId: string;
  ReceiptHandle: string;
  MD5OfBody: string;
  Body: string;
  Attributes?: Record<string, string>;
  MessageAttributes?: Record<string, MessageAttributeValue>;
  MD5OfMessageAttributes?: string;
}
