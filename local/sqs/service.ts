import { LOCAL_ACCOUNT, nameFromArn, queueArn as localQueueArn } from '../aws-ids.js';
import { queryProtocolCode, type SigV4Refusal } from '../auth/sigv4.js';
import { AwsServiceError, type AwsJsonService, type AwsRequestContext } from '../aws-json.js';
import type { MessageAttributeValue } from './md5.js';
import { SQS_ACTIONS } from './query.js';
import { parseReceiptHandle, Queue, type ReceiveOptions } from './queue.js';
import { QueueFileStore } from './store.js';
import type { QueueConfig, ReceivedMessage, StoredMessage } from './types.js';

/** Options of the local SQS service. */
export interface SqsServiceOptions {
  readonly queues?: readonly QueueConfig[];
  /** A directory for the JSON file store; unset keeps queues in memory only. */
  readonly dataDir?: string;
  /** How often a long poll looks again for messages whose visibility expired. @default 100 */
  readonly pollIntervalMs?: number;
  readonly now?: () => number;
}

type Input = Record<string, unknown>;

// The operations handle() answers, for the UnsupportedOperation message.
const IMPLEMENTED = [
  'CreateQueue',
  'GetQueueUrl',
  'ListQueues',
  'SendMessage',
  'SendMessageBatch',
  'ReceiveMessage',
  'DeleteMessage',
  'DeleteMessageBatch',
  'ChangeMessageVisibility',
  'ChangeMessageVisibilityBatch',
  'GetQueueAttributes',
  'PurgeQueue',
  'DeleteQueue',
];

// The JSON protocol answers errors with the Smithy shape id as __type; the SDK maps it to the modelled
// exception (QueueDoesNotExist, …). See the SQS API reference "Common errors" / each action's errors.
const error = (shape: string, message: string, status = 400) =>
  new AwsServiceError(`com.amazonaws.sqs#${shape}`, message, status);

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined =>
  typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : undefined;

/**
 * SQS over the AWS JSON protocol (X-Amz-Target AmazonSQS.*), as the current @aws-sdk/client-sqs
 * speaks it, plus an in-process API for the other local components.
 */
export class SqsService implements AwsJsonService {
  /** The X-Amz-Target prefix of SQS. */
  readonly targetPrefix = 'AmazonSQS';
  /** SQS's SigV4 signing name: the router verifies every JSON call with the local IAM keys. */
  readonly signingName = 'sqs';
  private readonly queues = new Map<string, Queue>();
  private readonly store?: QueueFileStore;
  private readonly dirty = new Set<Queue>();
  private readonly waiters = new Set<() => void>();
  private flushTimer?: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(private readonly options: SqsServiceOptions = {}) {
    this.now = options.now ?? Date.now;
    if (options.dataDir) {
      this.store = new QueueFileStore(options.dataDir);
      for (const snapshot of this.store.loadAll()) {
        const queue = new Queue(snapshot.config, snapshot.createdTimestamp);
        queue.messages = snapshot.messages;
        queue.sequence = snapshot.sequence;
        this.queues.set(snapshot.config.name, queue);
      }
    }
    for (const config of options.queues ?? []) {
      const existing = this.queues.get(config.name);
      // The assembly is the source of truth for configuration; the store only for contents.
      if (existing) existing.config = config;
      else this.queues.set(config.name, new Queue(config, this.now()));
    }
  }

  /**
   * A refused call in the JSON protocol: SQS is query-compatible, so it answers the query protocol's
   * common error code (MissingAuthenticationToken, InvalidClientTokenId, SignatureDoesNotMatch, …) as
   * the coral `__type` and in x-amzn-query-error, which @aws-sdk/client-sqs names the exception after.
   */
  refusal(refused: SigV4Refusal): AwsServiceError {
    const code = queryProtocolCode(refused);
    return new AwsServiceError(
      `com.amazon.coral.service#${code}`,
      refused.message,
      refused.status,
      `${code};Sender`,
    );
  }

  /** Dispatches one JSON protocol operation. */
  async handle(operation: string, input: Input, request: AwsRequestContext): Promise<unknown> {
    const host = request.host;
    switch (operation) {
      case 'CreateQueue':
        return { QueueUrl: this.urlOf(this.createQueue(input), host) };
      case 'GetQueueUrl': {
        const queue = this.queues.get(str(input.QueueName) ?? '');
        if (!queue) throw error('QueueDoesNotExist', 'The specified queue does not exist.');
        return { QueueUrl: this.urlOf(queue, host) };
      }
      case 'ListQueues': {
        const prefix = str(input.QueueNamePrefix) ?? '';
        const names = [...this.queues.keys()].filter((n) => n.startsWith(prefix)).sort();
        return names.length ? { QueueUrls: names.map((n) => this.urlOf(this.queues.get(n)!, host)) } : {};
      }
      case 'SendMessage': {
        const queue = this.byUrl(input.QueueUrl);
        const m = this.sendTo(queue, input);
        return {
          MessageId: m.messageId,
          MD5OfMessageBody: m.md5OfBody,
          ...(m.md5OfMessageAttributes ? { MD5OfMessageAttributes: m.md5OfMessageAttributes } : {}),
          ...(m.sequenceNumber ? { SequenceNumber: m.sequenceNumber } : {}),
        };
      }
      case 'SendMessageBatch':
        return this.sendBatch(this.byUrl(input.QueueUrl), input);
      case 'ReceiveMessage': {
        const queue = this.byUrl(input.QueueUrl);
        const messages = await this.receive(
          queue,
          {
            maxNumberOfMessages: num(input.MaxNumberOfMessages),
            visibilityTimeoutSeconds: num(input.VisibilityTimeout),
            attributeNames: [
              ...((input.AttributeNames as string[] | undefined) ?? []),
              ...((input.MessageSystemAttributeNames as string[] | undefined) ?? []),
            ],
            messageAttributeNames: input.MessageAttributeNames as string[] | undefined,
          },
          num(input.WaitTimeSeconds) ?? 0,
        );
        return messages.length ? { Messages: messages } : {};
      }
      case 'DeleteMessage':
        this.deleteFrom(this.byUrl(input.QueueUrl), str(input.ReceiptHandle) ?? '');
        return {};
      case 'DeleteMessageBatch':
        return this.batch(input, (entry) => {
          this.deleteFrom(this.byUrl(input.QueueUrl), str(entry.ReceiptHandle) ?? '');
          return {};
        });
      case 'ChangeMessageVisibility':
        this.changeVisibility(
          this.byUrl(input.QueueUrl),
          str(input.ReceiptHandle) ?? '',
          num(input.VisibilityTimeout) ?? 0,
        );
        return {};
      case 'ChangeMessageVisibilityBatch':
        return this.batch(input, (entry) => {
          this.changeVisibility(
            this.byUrl(input.QueueUrl),
            str(entry.ReceiptHandle) ?? '',
            num(entry.VisibilityTimeout) ?? 0,
          );
          return {};
        });
      case 'GetQueueAttributes':
        return {
          Attributes: this.attributesOf(
            this.byUrl(input.QueueUrl),
            (input.AttributeNames as string[] | undefined) ?? [],
          ),
        };
      case 'PurgeQueue': {
        const queue = this.byUrl(input.QueueUrl);
        queue.messages = [];
        this.changed(queue);
        return {};
      }
      case 'DeleteQueue': {
        const queue = this.byUrl(input.QueueUrl);
        this.queues.delete(queue.config.name);
        return {};
      }
      default:
        // An SQS action the local SQS does not run is UnsupportedOperation (a modelled SQS error, so
        // the SDKs and the CLI show its message); anything else is the protocol's unknown operation.
        if (SQS_ACTIONS.has(operation))
          throw error(
            'UnsupportedOperation',
            `${operation} is not implemented by the local SQS; it implements ${IMPLEMENTED.join(', ')}.`,
          );
        throw new AwsServiceError(
          'UnknownOperationException',
          `Operation ${operation} is not supported by the local SQS`,
        );
    }
  }

  /** Sends a message to a queue by ARN (Lambda DLQs, EventBridge targets, pipes). */
  async sendByArn(
    arn: string,
    body: string,
    attributes: Record<string, MessageAttributeValue> = {},
  ): Promise<{ messageId: string }> {
    const queue = this.byArn(arn);
    const message = this.sendTo(queue, { MessageBody: body, MessageAttributes: attributes });
    return { messageId: message.messageId };
  }

  /** How many receives are waiting in a long poll right now (tests wait on it instead of a clock). */
  get waitingReceives(): number {
    return this.waiters.size;
  }

  /** Peeks at every message of a queue without receiving it (tests and replay). */
  listMessages(arn: string): readonly StoredMessage[] {
    return this.byArn(arn).messages.map((m) => ({ ...m }));
  }

  /** Receives like ReceiveMessage, for in-process pollers (event source mappings). */
  async receiveByArn(
    arn: string,
    options: ReceiveOptions & { waitTimeSeconds?: number } = {},
  ): Promise<ReceivedMessage[]> {
    return this.receive(
      this.byArn(arn),
      { attributeNames: ['All'], messageAttributeNames: ['All'], ...options },
      options.waitTimeSeconds ?? 0,
    );
  }

  /** Deletes a received message by its receipt handle. */
  async deleteByArn(arn: string, receiptHandle: string): Promise<void> {
    this.deleteFrom(this.byArn(arn), receiptHandle);
  }

  /** Writes every changed queue to the store now. */
  flush() {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    for (const queue of this.dirty) {
      this.store?.save({
        config: queue.config,
        createdTimestamp: queue.createdTimestamp,
        sequence: queue.sequence,
        messages: queue.messages,
      });
    }
    this.dirty.clear();
  }

  /** Ends long polls and flushes the store. */
  async stop(): Promise<void> {
    for (const wake of this.waiters) wake();
    this.flush();
  }

  private createQueue(input: Input): Queue {
    const name = str(input.QueueName) ?? '';
    if (!/^[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(name)) {
      throw error(
        'InvalidParameterValue',
        `Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length: ${name}`,
      );
    }
    const attrs = (input.Attributes as Record<string, string> | undefined) ?? {};
    const redrive = attrs.RedrivePolicy
      ? (JSON.parse(attrs.RedrivePolicy) as { deadLetterTargetArn: string; maxReceiveCount: number | string })
      : undefined;
    const config: QueueConfig = {
      name,
      arn: localQueueArn(name),
      ...(attrs.VisibilityTimeout ? { visibilityTimeoutSeconds: Number(attrs.VisibilityTimeout) } : {}),
      ...(attrs.MessageRetentionPeriod
        ? { messageRetentionSeconds: Number(attrs.MessageRetentionPeriod) }
        : {}),
      ...(attrs.DelaySeconds ? { delaySeconds: Number(attrs.DelaySeconds) } : {}),
      ...(redrive
        ? {
            redrivePolicy: {
              deadLetterTargetArn: redrive.deadLetterTargetArn,
              maxReceiveCount: Number(redrive.maxReceiveCount),
            },
          }
        : {}),
      ...(attrs.FifoQueue === 'true' || name.endsWith('.fifo') ? { fifo: true } : {}),
      ...(attrs.ContentBasedDeduplication === 'true' ? { contentBasedDeduplication: true } : {}),
    };
    const existing = this.queues.get(name);
    if (existing) {
      // "CreateQueue": same name and same attributes returns the existing URL; different attributes fail.
      const current = this.attributesOf(existing, ['All']);
      const conflict = Object.entries(attrs).some(([k, v]) => k in current && current[k] !== String(v));
      if (conflict)
        throw error(
          'QueueNameExists',
          `A queue already exists with the same name and a different value for attribute(s)`,
        );
      return existing;
    }
    const queue = new Queue(config, this.now());
    this.queues.set(name, queue);
    this.changed(queue);
    return queue;
  }

  private sendTo(queue: Queue, input: Input): StoredMessage {
    const body = str(input.MessageBody);
    if (body === undefined || body === '')
      throw error('MissingParameter', 'The request must contain the parameter MessageBody.');
    const groupId = str(input.MessageGroupId);
    if (queue.config.fifo && !groupId)
      throw error('MissingParameter', 'The request must contain the parameter MessageGroupId.');
    if (queue.config.fifo && !input.MessageDeduplicationId && !queue.config.contentBasedDeduplication) {
      throw error(
        'InvalidParameterValue',
        'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
      );
    }
    const message = queue.send(
      body,
      {
        messageAttributes: input.MessageAttributes as Record<string, MessageAttributeValue> | undefined,
        delaySeconds: num(input.DelaySeconds),
        groupId,
        deduplicationId: str(input.MessageDeduplicationId),
      },
      this.now(),
    );
    this.changed(queue);
    for (const wake of this.waiters) wake();
    return message;
  }

  private sendBatch(queue: Queue, input: Input) {
    const entries = (input.Entries as Input[] | undefined) ?? [];
    this.checkBatch(entries);
    const Successful: unknown[] = [];
    const Failed: unknown[] = [];
    for (const entry of entries) {
      try {
        const m = this.sendTo(queue, entry);
        Successful.push({
          Id: entry.Id,
          MessageId: m.messageId,
          MD5OfMessageBody: m.md5OfBody,
          ...(m.md5OfMessageAttributes ? { MD5OfMessageAttributes: m.md5OfMessageAttributes } : {}),
          ...(m.sequenceNumber ? { SequenceNumber: m.sequenceNumber } : {}),
        });
      } catch (err) {
        Failed.push({
          Id: entry.Id,
          SenderFault: true,
          Code: (err as AwsServiceError).code,
          Message: (err as Error).message,
        });
      }
    }
    return { Successful, Failed };
  }

  private batch(input: Input, each: (entry: Input) => object) {
    const entries = (input.Entries as Input[] | undefined) ?? [];
    this.checkBatch(entries);
    const Successful: unknown[] = [];
    const Failed: unknown[] = [];
    for (const entry of entries) {
      try {
        Successful.push({ Id: entry.Id, ...each(entry) });
      } catch (err) {
        if ((err as AwsServiceError).code?.endsWith('QueueDoesNotExist')) throw err;
        Failed.push({
          Id: entry.Id,
          SenderFault: true,
          Code: (err as AwsServiceError).code?.split('#').pop(),
          Message: (err as Error).message,
        });
      }
    }
    return { Successful, Failed };
  }

  private checkBatch(entries: Input[]) {
    if (entries.length === 0)
      throw error('EmptyBatchRequest', 'There should be at least one entry in the request.');
    if (entries.length > 10)
      throw error(
        'TooManyEntriesInBatchRequest',
        `Maximum number of entries per request are 10. You have sent ${entries.length}.`,
      );
    const ids = entries.map((e) => e.Id);
    if (new Set(ids).size !== ids.length)
      throw error('BatchEntryIdsNotDistinct', 'Two or more batch entries in the request have the same Id.');
  }

  private async receive(
    queue: Queue,
    options: ReceiveOptions,
    waitTimeSeconds: number,
  ): Promise<ReceivedMessage[]> {
    const deadline = Date.now() + Math.min(waitTimeSeconds, 20) * 1000; // real time even with an injected clock
    for (;;) {
      const messages = queue.receive(options, this.now(), (m) => this.redrive(queue, m));
      if (messages.length > 0) {
        this.changed(queue);
        return messages;
      }
      const left = deadline - Date.now();
      if (left <= 0 || !this.queues.has(queue.config.name)) return [];
      await this.waitForSend(Math.min(left, this.options.pollIntervalMs ?? 100));
    }
  }

  private redrive(source: Queue, message: StoredMessage): boolean {
    const target = source.config.redrivePolicy?.deadLetterTargetArn;
    const dlq = target ? this.queues.get(nameFromArn(target)) : undefined;
    if (!dlq) return false;
    dlq.adopt(message, source.config.arn, this.now());
    this.changed(dlq);
    this.changed(source);
    return true;
  }

  private waitForSend(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.waiters.add(wake);
    });
  }

  private deleteFrom(queue: Queue, receiptHandle: string) {
    const parsed = parseReceiptHandle(receiptHandle);
    if (!parsed || parsed.queueName !== queue.config.name) {
      throw error(
        'ReceiptHandleIsInvalid',
        `The input receipt handle "${receiptHandle}" is not a valid receipt handle.`,
      );
    }
    queue.delete(parsed.messageId);
    this.changed(queue);
  }

  private changeVisibility(queue: Queue, receiptHandle: string, seconds: number) {
    const parsed = parseReceiptHandle(receiptHandle);
    if (!parsed || parsed.queueName !== queue.config.name) {
      throw error(
        'ReceiptHandleIsInvalid',
        `The input receipt handle "${receiptHandle}" is not a valid receipt handle.`,
      );
    }
    if (!queue.changeVisibility(parsed.messageId, seconds, this.now())) {
      throw error('MessageNotInflight', 'The message referred to is not in flight.');
    }
    this.changed(queue);
  }

  private attributesOf(queue: Queue, names: readonly string[]): Record<string, string> {
    const counts = queue.counts(this.now());
    const c = queue.config;
    const all: Record<string, string | undefined> = {
      QueueArn: c.arn,
      ApproximateNumberOfMessages: String(counts.visible),
      ApproximateNumberOfMessagesNotVisible: String(counts.notVisible),
      ApproximateNumberOfMessagesDelayed: String(counts.delayed),
      CreatedTimestamp: String(Math.floor(queue.createdTimestamp / 1000)),
      LastModifiedTimestamp: String(Math.floor(queue.createdTimestamp / 1000)),
      VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
      MessageRetentionPeriod: String(c.messageRetentionSeconds ?? 345_600),
      DelaySeconds: String(c.delaySeconds ?? 0),
      MaximumMessageSize: '262144',
      ReceiveMessageWaitTimeSeconds: '0',
      RedrivePolicy: c.redrivePolicy ? JSON.stringify(c.redrivePolicy) : undefined,
      FifoQueue: c.fifo ? 'true' : undefined,
      ContentBasedDeduplication: c.fifo ? String(!!c.contentBasedDeduplication) : undefined,
    };
    const wantAll = names.includes('All');
    return Object.fromEntries(
      Object.entries(all).filter(([k, v]) => v !== undefined && (wantAll || names.includes(k))),
    ) as Record<string, string>;
  }

  private urlOf(queue: Queue, host: string): string {
    return `http://${host}/${LOCAL_ACCOUNT}/${queue.config.name}`;
  }

  private byUrl(url: unknown): Queue {
    const name = str(url)?.split('/').pop() ?? '';
    const queue = this.queues.get(name);
    if (!queue) throw error('QueueDoesNotExist', 'The specified queue does not exist.');
    return queue;
  }

  private byArn(arn: string): Queue {
    const queue = this.queues.get(arn.startsWith('arn:') ? nameFromArn(arn) : arn);
    if (!queue) throw error('QueueDoesNotExist', `The specified queue does not exist: ${arn}`);
    return queue;
  }

  private changed(queue: Queue) {
    if (!this.store) return;
    this.dirty.add(queue);
    this.flushTimer ??= setTimeout(() => this.flush(), 200);
    this.flushTimer.unref?.();
  }
}
