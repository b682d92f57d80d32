import { nameFromArn, parseArn, queueArn as localQueueArn } from '../aws-ids.js';
import type { DeadLetterMessage } from '../events/pipes/types.js';
import { pipeDeadLetterOf } from './pipe.js';

/** A message read from a DLQ, in the shape ReceiveMessage gives it. */
export interface DlqMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  /** System attributes (DeadLetterQueueSourceArn, ApproximateReceiveCount, …). */
  readonly attributes: Readonly<Record<string, string>>;
  readonly messageAttributes: Readonly<Record<string, { DataType: string; StringValue?: string }>>;
}

/** Where a message goes back to. */
export type ReplayTarget =
  | { readonly kind: 'lambda'; readonly functionArn: string; readonly payload: unknown }
  | {
      readonly kind: 'sqs';
      readonly queueArn: string;
      readonly body: string;
      readonly messageAttributes: DlqMessage['messageAttributes'];
    }
  | { readonly kind: 'events'; readonly busArn: string; readonly event: unknown }
  /** A pipe's dead letter: the stream records it points at go through the pipe again. */
  | { readonly kind: 'pipe'; readonly pipeArn: string; readonly message: DeadLetterMessage }
  | { readonly kind: 'unknown'; readonly reason: string };

/** One line of .orderloop/replay-audit.jsonl. */
export interface AuditLine {
  readonly time: string;
  readonly queue: string;
  readonly messageId: string;
  readonly target: string;
  readonly action: 'replayed' | 'skipped' | 'failed';
  readonly error?: string;
}

/** Everything the replay needs from the running stack and the file system. */
export interface ReplayPorts {
  /** Reads the DLQ's messages; with peek they stay visible (dry run), otherwise they are held in flight. */
  readMessages(queueArn: string, options: { peek: boolean }): Promise<DlqMessage[]>;
  deleteMessage(queueArn: string, receiptHandle: string): Promise<void>;
  invokeAsync(functionArn: string, payload: unknown): Promise<void>;
  sendToQueue(
    queueArn: string,
    body: string,
    messageAttributes: DlqMessage['messageAttributes'],
  ): Promise<void>;
  /** Puts an event on a bus (EventBridge target that is itself a bus). */
  putEvent?(busArn: string, event: unknown): Promise<void>;
  /** The queue whose RedrivePolicy points at this DLQ, when the message does not say. */
  findRedriveSource?(dlqArn: string): Promise<string | undefined>;
  /** Re-reads the stream records a pipe's dead letter points at and sends them through the pipe again. */
  redrivePipe?(message: DeadLetterMessage): Promise<void>;
  /** The function whose DeadLetterConfig points at this DLQ (a Lambda DLQ message does not name it). */
  lambdaDlqOwner?(dlqArn: string): Promise<string | undefined>;
  appendAudit(line: AuditLine): Promise<void>;
  now?(): Date;
}

/** What one replay did, message by message. */
export interface ReplayReport {
  readonly queueArn: string;
  readonly dryRun: boolean;
  readonly items: ReadonlyArray<{
    messageId: string;
    target: string;
    action: 'replayed' | 'would-replay' | 'skipped' | 'failed';
    detail?: string;
  }>;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const withoutQualifier = (arn: string) => arn.split(':').slice(0, 7).join(':');

/**
 * Works out where a dead-lettered message came from, by the marks each AWS service leaves:
 * EventBridge target DLQs carry RULE_ARN/TARGET_ARN attributes ("Using dead-letter queues to process
 * undelivered events"), Lambda on-failure destinations get an invocation record, Lambda DLQs carry
 * RequestID/ErrorCode/ErrorMessage, and SQS redrive keeps DeadLetterQueueSourceArn.
 */
export async function resolveTarget(
  message: DlqMessage,
  dlqArn: string,
  ports: ReplayPorts,
): Promise<ReplayTarget> {
  const attr = (name: string) => message.messageAttributes[name]?.StringValue;
  const targetArn = attr('TARGET_ARN');
  if (attr('RULE_ARN') && targetArn) {
    const event = parseJson(message.body);
    const service = parseArn(targetArn).service;
    if (service === 'lambda')
      return { kind: 'lambda', functionArn: withoutQualifier(targetArn), payload: event };
    if (service === 'sqs')
      return { kind: 'sqs', queueArn: targetArn, body: message.body, messageAttributes: {} };
    if (service === 'events') return { kind: 'events', busArn: targetArn, event };
    return { kind: 'unknown', reason: `EventBridge target ${targetArn} cannot be re-delivered locally` };
  }
  const body = parseJson(message.body);
  // "EventBridge Pipes error handling": a stream source's dead letter holds the batch's position.
  const pipeLetter = pipeDeadLetterOf(body);
  if (pipeLetter)
    return { kind: 'pipe', pipeArn: pipeLetter.context.partnerResourceArn, message: pipeLetter };
  const record = body as { requestContext?: { functionArn?: unknown }; requestPayload?: unknown } | undefined;
  if (record && typeof record.requestContext?.functionArn === 'string' && 'requestPayload' in record) {
    return {
      kind: 'lambda',
      functionArn: withoutQualifier(record.requestContext.functionArn),
      payload: record.requestPayload,
    };
  }
  if (attr('RequestID') && attr('ErrorCode') !== undefined) {
    const owner = await ports.lambdaDlqOwner?.(dlqArn);
    if (owner)
      return { kind: 'lambda', functionArn: owner, payload: parseJson(message.body) ?? message.body };
    return {
      kind: 'unknown',
      reason: 'Lambda DLQ message, but no function is known to use this queue as its DLQ',
    };
  }
  const source = message.attributes.DeadLetterQueueSourceArn ?? (await ports.findRedriveSource?.(dlqArn));
  if (source)
    return {
      kind: 'sqs',
      queueArn: source,
      body: message.body,
      messageAttributes: message.messageAttributes,
    };
  return { kind: 'unknown', reason: 'no source could be determined' };
}

function describe(target: ReplayTarget): string {
  switch (target.kind) {
    case 'lambda':
      return target.functionArn;
    case 'sqs':
      return target.queueArn;
    case 'events':
      return target.busArn;
    case 'pipe':
      return target.pipeArn;
    case 'unknown':
      return 'unknown';
  }
}

async function deliver(target: ReplayTarget, ports: ReplayPorts): Promise<void> {
  if (target.kind === 'lambda') return ports.invokeAsync(target.functionArn, target.payload);
  if (target.kind === 'sqs') return ports.sendToQueue(target.queueArn, target.body, target.messageAttributes);
  if (target.kind === 'events') {
    if (!ports.putEvent) throw new Error('no EventBridge endpoint to re-deliver to');
    return ports.putEvent(target.busArn, target.event);
  }
  if (target.kind === 'pipe') {
    if (!ports.redrivePipe) throw new Error('no DynamoDB stream endpoint to re-read the records from');
    return ports.redrivePipe(target.message);
  }
}

/**
 * Moves every message of a DLQ back to where it failed, deleting it from the DLQ only once it was
 * re-delivered. A dry run only lists; it moves nothing and writes no audit line.
 */
export async function replayDeadLetters(
  queue: string,
  ports: ReplayPorts,
  options: { dryRun?: boolean } = {},
): Promise<ReplayReport> {
  const dlqArn = queue.startsWith('arn:') ? queue : localQueueArn(queue);
  const dryRun = options.dryRun ?? false;
  const now = () => (ports.now?.() ?? new Date()).toISOString();
  const messages = await ports.readMessages(dlqArn, { peek: dryRun });
  const items: Array<ReplayReport['items'][number]> = [];
  for (const message of messages) {
    const target = await resolveTarget(message, dlqArn, ports);
    const targetName = describe(target);
    if (dryRun) {
      items.push({
        messageId: message.messageId,
        target: targetName,
        action: target.kind === 'unknown' ? 'skipped' : 'would-replay',
        ...(target.kind === 'unknown' ? { detail: target.reason } : {}),
      });
      continue;
    }
    const audit = (action: AuditLine['action'], error?: string) =>
      ports.appendAudit({
        time: now(),
        queue: nameFromArn(dlqArn),
        messageId: message.messageId,
        target: targetName,
        action,
        ...(error ? { error } : {}),
      });
    if (target.kind === 'unknown') {
      items.push({
        messageId: message.messageId,
        target: targetName,
        action: 'skipped',
        detail: target.reason,
      });
      await audit('skipped', target.reason);
      continue;
    }
    try {
      await deliver(target, ports);
      await ports.deleteMessage(dlqArn, message.receiptHandle);
      items.push({ messageId: message.messageId, target: targetName, action: 'replayed' });
      await audit('replayed');
    } catch (err) {
      items.push({
        messageId: message.messageId,
        target: targetName,
        action: 'failed',
        detail: (err as Error).message,
      });
      await audit('failed', (err as Error).message);
    }
  }
  return { queueArn: dlqArn, dryRun, items };
}
