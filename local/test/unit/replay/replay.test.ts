import { describe, expect, it } from 'vitest';
import { functionArn, localArn, queueArn } from '../../../aws-ids.js';
import {
  replayDeadLetters,
  type AuditLine,
  type DlqMessage,
  type ReplayPorts,
} from '../../../replay/index.js';

function message(overrides: Partial<DlqMessage> & Pick<DlqMessage, 'messageId'>): DlqMessage {
  return {
    receiptHandle: `rh-${overrides.messageId}`,
    body: '{}',
    attributes: {},
    messageAttributes: {},
    ...overrides,
  };
}

/** In-memory ports that record what the replay did. */
function fakePorts(messages: DlqMessage[], extra: Partial<ReplayPorts> = {}) {
  const calls = {
    invoked: [] as Array<[string, unknown]>,
    sent: [] as Array<[string, string]>,
    deleted: [] as string[],
    audit: [] as AuditLine[],
  };
  const ports: ReplayPorts = {
    readMessages: async () => messages,
    deleteMessage: async (_q, handle) => void calls.deleted.push(handle),
    invokeAsync: async (arn, payload) => void calls.invoked.push([arn, payload]),
    sendToQueue: async (arn, body) => void calls.sent.push([arn, body]),
    appendAudit: async (line) => void calls.audit.push(line),
    now: () => new Date('2025-01-01T00:00:00.000Z'),
    ...extra,
  };
  return { ports, calls };
}

const str = (v: string) => ({ DataType: 'String', StringValue: v });

describe('replayDeadLetters', () => {
  const dlq = queueArn('payments-dlq');

  it('re-invokes the function of a Lambda on-failure record with the original event and deletes it', async () => {
    // Prepare
    const record = {
      version: '1.0',
      requestContext: {
        requestId: 'r1',
        functionArn: `${functionArn('payment-processor')}:$LATEST`,
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
      },
      requestPayload: { orderId: 'o-1' },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorMessage: 'boom' },
    };
    const { ports, calls } = fakePorts([message({ messageId: 'm1', body: JSON.stringify(record) })]);
    // Act
    const report = await replayDeadLetters(dlq, ports);
    // Assess
    expect(calls.invoked).toEqual([[functionArn('payment-processor'), { orderId: 'o-1' }]]);
    expect(calls.deleted).toEqual(['rh-m1']);
    expect(report.items).toEqual([
      { messageId: 'm1', target: functionArn('payment-processor'), action: 'replayed' },
    ]);
    expect(calls.audit).toEqual([
      {
        time: '2025-01-01T00:00:00.000Z',
        queue: 'payments-dlq',
        messageId: 'm1',
        target: functionArn('payment-processor'),
        action: 'replayed',
      },
    ]);
  });

  it('re-delivers an EventBridge target DLQ message to the target named by TARGET_ARN', async () => {
    // Prepare ("Using dead-letter queues to process undelivered events": RULE_ARN and TARGET_ARN attributes)
    const event = { 'detail-type': 'OrderPlaced', detail: { orderId: 'o-2' } };
    const { ports, calls } = fakePorts([
      message({
        messageId: 'm2',
        body: JSON.stringify(event),
        messageAttributes: {
          RULE_ARN: str(localArn('events', 'rule/orders/notify')),
          TARGET_ARN: str(functionArn('notifier')),
          ERROR_CODE: str('SDK_CLIENT_ERROR'),
        },
      }),
    ]);
    // Act
    await replayDeadLetters('payments-dlq', ports);
    // Assess
    expect(calls.invoked).toEqual([[functionArn('notifier'), event]]);
  });

  it('sends an SQS redrive DLQ message back to its source queue', async () => {
    // Prepare ("DeadLetterQueueSourceArn" message system attribute)
    const { ports, calls } = fakePorts([
      message({ messageId: 'm3', body: 'raw', attributes: { DeadLetterQueueSourceArn: queueArn('orders') } }),
    ]);
    // Act
    await replayDeadLetters(dlq, ports);
    // Assess
    expect(calls.sent).toEqual([[queueArn('orders'), 'raw']]);
    expect(calls.deleted).toEqual(['rh-m3']);
  });

  it('re-invokes the owner of a Lambda DLQ with the message body as the event', async () => {
    // Prepare ("Dead-letter queues": RequestID, ErrorCode and ErrorMessage attributes, body is the event)
    const { ports, calls } = fakePorts(
      [
        message({
          messageId: 'm4',
          body: '{"orderId":"o-4"}',
          messageAttributes: {
            RequestID: str('r4'),
            ErrorCode: { DataType: 'Number', StringValue: '200' },
            ErrorMessage: str('x'),
          },
        }),
      ],
      { lambdaDlqOwner: async (arn) => (arn === dlq ? functionArn('payment-processor') : undefined) },
    );
    // Act
    await replayDeadLetters(dlq, ports);
    // Assess
    expect(calls.invoked).toEqual([[functionArn('payment-processor'), { orderId: 'o-4' }]]);
  });

  it('hands a pipe dead letter to the pipe redrive with the batch position it names', async () => {
    // Prepare: the DLQ body EventBridge Pipes writes for a DynamoDB stream source
    const pipeArn = localArn('pipes', 'pipe/orders-pipe');
    const letter = {
      context: { partnerResourceArn: pipeArn, condition: 'RetryAttemptsExhausted' },
      version: '1.0',
      timestamp: '2025-01-01T00:00:00.000Z',
      DDBStreamBatchInfo: {
        shardId: 'shardId-0001',
        startSequenceNumber: '100',
        endSequenceNumber: '100',
        approximateArrivalOfFirstRecord: '2025-01-01T00:00:00Z',
        approximateArrivalOfLastRecord: '2025-01-01T00:00:00Z',
        batchSize: 1,
        streamArn: localArn('dynamodb', 'table/orders/stream/2025-01-01T00:00:00.000'),
      },
    };
    const redriven: unknown[] = [];
    const { ports, calls } = fakePorts([message({ messageId: 'p1', body: JSON.stringify(letter) })], {
      redrivePipe: async (m) => void redriven.push(m),
    });
    // Act
    const dry = await replayDeadLetters('orders-pipe-dlq', ports, { dryRun: true });
    const report = await replayDeadLetters('orders-pipe-dlq', ports);
    // Assess
    expect(dry.items).toEqual([{ messageId: 'p1', target: pipeArn, action: 'would-replay' }]);
    expect(report.items).toEqual([{ messageId: 'p1', target: pipeArn, action: 'replayed' }]);
    expect(redriven).toEqual([letter]);
    expect(calls.deleted).toEqual(['rh-p1']);
    expect(calls.audit).toEqual([expect.objectContaining({ target: pipeArn, action: 'replayed' })]);
  });

  it('lists what it would replay in a dry run and moves nothing', async () => {
    // Prepare
    const { ports, calls } = fakePorts([
      message({ messageId: 'm5', attributes: { DeadLetterQueueSourceArn: queueArn('orders') } }),
    ]);
    let peeked: boolean | undefined;
    const readMessages: ReplayPorts['readMessages'] = async (_arn, options) => {
      peeked = options.peek;
      return ports.readMessages(_arn, options);
    };
    // Act
    const report = await replayDeadLetters(dlq, { ...ports, readMessages }, { dryRun: true });
    // Assess
    expect(report.items).toEqual([{ messageId: 'm5', target: queueArn('orders'), action: 'would-replay' }]);
    expect(peeked).toBe(true);
    expect([calls.sent, calls.invoked, calls.deleted, calls.audit]).toEqual([[], [], [], []]);
  });

  it('fails a message whose re-delivery throws and keeps it in the DLQ', async () => {
    // Prepare
    const { ports, calls } = fakePorts(
      [message({ messageId: 'm6', attributes: { DeadLetterQueueSourceArn: queueArn('orders') } })],
      {
        sendToQueue: async () => {
          throw new Error('connection refused');
        },
      },
    );
    // Act
    const report = await replayDeadLetters(dlq, ports);
    // Assess
    expect(report.items[0]).toMatchObject({ action: 'failed', detail: 'connection refused' });
    expect(calls.deleted).toEqual([]);
    expect(calls.audit[0]).toMatchObject({ action: 'failed', messageId: 'm6' });
  });

  it('skips a message whose source cannot be determined, and audits the skip', async () => {
    // Prepare
    const { ports, calls } = fakePorts([message({ messageId: 'm7', body: 'mystery' })]);
    // Act
    const report = await replayDeadLetters(queueArn('mystery-dlq'), ports);
    // Assess
    expect(report.items[0]).toMatchObject({ action: 'skipped', target: 'unknown' });
    expect(calls.deleted).toEqual([]);
    expect(calls.audit[0]).toMatchObject({ action: 'skipped' });
  });
});
