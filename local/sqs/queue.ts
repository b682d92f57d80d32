import { createHash, randomUUID } from 'node:crypto';
import { md5OfBody, md5OfMessageAttributes, type MessageAttributeValue } from './md5.js';
import type { QueueConfig, ReceivedMessage, StoredMessage } from './types.js';

const DEDUP_WINDOW_MS = 5 * 60 * 1000;

/** What a send needs besides the body. */
export interface SendOptions {
  messageAttributes?: Record<string, MessageAttributeValue>;
  delaySeconds?: number;
  groupId?: string;
  deduplicationId?: string;
}

/** What a receive asks for. */
export interface ReceiveOptions {
  maxNumberOfMessages?: number;
  visibilityTimeoutSeconds?: number;
  attributeNames?: readonly string[];
  messageAttributeNames?: readonly string[];
}

/** Encodes which queue and message a receipt handle belongs to; opaque to clients, as in SQS. */
export function receiptHandleOf(queueName: string, messageId: string, nonce: string): string {
  return Buffer.from(JSON.stringify([queueName, messageId, nonce])).toString('base64url');
}

/** Decodes a receipt handle, or undefined when it is not one this service issued. */
export function parseReceiptHandle(
  handle: string,
): { queueName: string; messageId: string; nonce: string } | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(handle, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(parsed) && parsed.length === 3 && parsed.every((p) => typeof p === 'string')) {
      const [queueName, messageId, nonce] = parsed as [string, string, string];
      return { queueName, messageId, nonce };
    }
  } catch {
    // fall through: not ours
  }
  return undefined;
}

function wanted(names: readonly string[] | undefined, name: string): boolean {
  if (!names) return false;
  return names.some(
    (n) => n === 'All' || n === '.*' || n === name || (n.endsWith('.*') && name.startsWith(n.slice(0, -1))),
  );
}

/** One queue's messages and the SQS rules over them: visibility, retention, receive counts, FIFO groups. */
export class Queue {
  messages: StoredMessage[] = [];
  sequence = 0;
  private readonly dedup = new Map<string, number>();

  constructor(
    public config: QueueConfig,
    readonly createdTimestamp: number,
  ) {}

  get visibilityTimeoutSeconds(): number {
    return this.config.visibilityTimeoutSeconds ?? 30;
  }

  /** Adds a message; a FIFO duplicate inside the five-minute window returns the original id without adding. */
  send(body: string, options: SendOptions, now: number): StoredMessage {
    this.expire(now);
    let deduplicationId = options.deduplicationId;
    if (this.config.fifo) {
      deduplicationId ??= this.config.contentBasedDeduplication
        ? createHash('sha256').update(body).digest('hex')
        : undefined;
      const key = `${deduplicationId}`;
      const seenAt = this.dedup.get(key);
      if (deduplicationId !== undefined && seenAt !== undefined && now - seenAt < DEDUP_WINDOW_MS) {
        const original = this.messages.find((m) => m.deduplicationId === deduplicationId);
        if (original) return original;
      }
      if (deduplicationId !== undefined) this.dedup.set(key, now);
    }
    const attributes =
      options.messageAttributes && Object.keys(options.messageAttributes).length > 0
        ? options.messageAttributes
        : undefined;
    const message: StoredMessage = {
      messageId: randomUUID(),
      body,
      md5OfBody: md5OfBody(body),
      ...(attributes
        ? { messageAttributes: attributes, md5OfMessageAttributes: md5OfMessageAttributes(attributes) }
        : {}),
      sentTimestamp: now,
      receiveCount: 0,
      visibleAt: now + (options.delaySeconds ?? this.config.delaySeconds ?? 0) * 1000,
      ...(options.groupId !== undefined ? { groupId: options.groupId } : {}),
      ...(deduplicationId !== undefined ? { deduplicationId } : {}),
      ...(this.config.fifo ? { sequenceNumber: String(++this.sequence).padStart(20, '0') } : {}),
    };
    this.messages.push(message);
    return message;
  }

  /** Puts a message moved by a redrive policy, keeping its id, body and attributes. */
  adopt(message: StoredMessage, sourceArn: string, now: number) {
    this.messages.push({
      ...message,
      visibleAt: now,
      receiptNonce: undefined,
      deadLetterQueueSourceArn: sourceArn,
    });
  }

  /**
   * Picks visible messages and hides them for the visibility timeout. Messages whose receive count
   * already reached maxReceiveCount are handed to `moveToDlq` instead ("Using dead-letter queues in
   * Amazon SQS": a message moves once its ReceiveCount exceeds maxReceiveCount).
   */
  receive(
    options: ReceiveOptions,
    now: number,
    moveToDlq?: (m: StoredMessage) => boolean,
  ): ReceivedMessage[] {
    this.expire(now);
    const max = Math.min(Math.max(options.maxNumberOfMessages ?? 1, 1), 10);
    const visibility = (options.visibilityTimeoutSeconds ?? this.visibilityTimeoutSeconds) * 1000;
    const maxReceiveCount = this.config.redrivePolicy?.maxReceiveCount;
    const blockedGroups = new Set(
      this.config.fifo
        ? this.messages.filter((m) => m.visibleAt > now && m.receiptNonce).map((m) => m.groupId)
        : [],
    );
    const out: ReceivedMessage[] = [];
    for (const message of [...this.messages]) {
      if (out.length >= max) break;
      if (message.visibleAt > now) continue;
      if (this.config.fifo && blockedGroups.has(message.groupId)) continue;
      if (maxReceiveCount !== undefined && message.receiveCount >= maxReceiveCount && moveToDlq?.(message)) {
        this.messages = this.messages.filter((m) => m !== message);
        continue;
      }
      message.receiveCount++;
      message.firstReceiveTimestamp ??= now;
      message.visibleAt = now + visibility;
      message.receiptNonce = randomUUID();
      if (this.config.fifo) blockedGroups.add(message.groupId);
      out.push(this.toReceived(message, options));
    }
    return out;
  }

  /** Removes a message by id; a handle of an already deleted message succeeds, as in SQS. */
  delete(messageId: string) {
    this.messages = this.messages.filter((m) => m.messageId !== messageId);
  }

  /** Changes when an in-flight message becomes visible again; false when it is not in flight. */
  changeVisibility(messageId: string, seconds: number, now: number): boolean {
    const message = this.messages.find((m) => m.messageId === messageId);
    if (!message || message.visibleAt <= now || !message.receiptNonce) return false;
    message.visibleAt = now + seconds * 1000;
    return true;
  }

  /** Counts for GetQueueAttributes. */
  counts(now: number) {
    this.expire(now);
    const received = this.messages.filter((m) => m.visibleAt > now && m.receiptNonce !== undefined).length;
    const delayed = this.messages.filter((m) => m.visibleAt > now && m.receiptNonce === undefined).length;
    return { visible: this.messages.length - received - delayed, notVisible: received, delayed };
  }

  private expire(now: number) {
    const retentionMs = (this.config.messageRetentionSeconds ?? 345_600) * 1000;
    this.messages = this.messages.filter((m) => now - m.sentTimestamp < retentionMs);
  }

  private toReceived(message: StoredMessage, options: ReceiveOptions): ReceivedMessage {
    const system: Record<string, string | undefined> = {
      SenderId: 'AIDAORDERLOOPLOCAL',
      SentTimestamp: String(message.sentTimestamp),
      ApproximateReceiveCount: String(message.receiveCount),
      ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp),
      MessageGroupId: message.groupId,
      MessageDeduplicationId: message.deduplicationId,
      SequenceNumber: message.sequenceNumber,
      DeadLetterQueueSourceArn: message.deadLetterQueueSourceArn,
    };
    const attributes = Object.fromEntries(
      Object.entries(system).filter(([k, v]) => v !== undefined && wanted(options.attributeNames, k)),
    ) as Record<string, string>;
    const messageAttributes = Object.fromEntries(
      Object.entries(message.messageAttributes ?? {}).filter(([k]) =>
        wanted(options.messageAttributeNames, k),
      ),
    );
    const hasMessageAttributes = Object.keys(messageAttributes).length > 0;
    return {
      MessageId: message.messageId,
      ReceiptHandle: receiptHandleOf(this.config.name, message.messageId, message.receiptNonce!),
      MD5OfBody: message.md5OfBody,
      Body: message.body,
      ...(Object.keys(attributes).length > 0 ? { Attributes: attributes } : {}),
      ...(hasMessageAttributes
        ? {
            MessageAttributes: messageAttributes,
            MD5OfMessageAttributes: md5OfMessageAttributes(messageAttributes),
          }
        : {}),
    };
  }
}
