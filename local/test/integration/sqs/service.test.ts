import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { LOCAL_CREDENTIALS, queueArn } from '../../../aws-ids.js';
import { createAwsJsonRouter } from '../../../aws-json.js';
import { SqsService, type QueueConfig } from '../../../sqs/index.js';

describe('local SQS through @aws-sdk/client-sqs', () => {
  let server: Server | undefined;
  let service: SqsService | undefined;
  let client: SQSClient | undefined;

  async function start(queues: QueueConfig[], dataDir?: string, pollIntervalMs = 20) {
    service = new SqsService({ queues, dataDir, pollIntervalMs });
    const route = createAwsJsonRouter([service]);
    server = createServer((req, res) => void route(req, res));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    client = new SQSClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    });
    return { sqs: client, svc: service };
  }

  async function shutdown() {
    client?.destroy();
    await service?.stop();
    if (server) await new Promise((resolve) => server!.close(resolve));
    server = undefined;
    service = undefined;
    client = undefined;
  }

  afterEach(shutdown);

  const orders: QueueConfig = {
    name: 'orders',
    arn: queueArn('orders'),
    visibilityTimeoutSeconds: 1,
    messageRetentionSeconds: 3600,
  };

  it('sends and receives a message with its attributes and receive count', async () => {
    // Prepare
    const { sqs } = await start([orders]);
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'orders' }));
    // Act
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: '{"orderId":"o-1"}',
        MessageAttributes: { vendor: { DataType: 'String', StringValue: 'v1' } },
      }),
    );
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    // Assess ("ReceiveMessage": MD5OfBody, MessageAttributes and the ApproximateReceiveCount attribute)
    expect(QueueUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/000000000000\/orders$/);
    const message = received.Messages?.[0];
    expect(message?.MessageId).toBe(sent.MessageId);
    expect(message?.Body).toBe('{"orderId":"o-1"}');
    expect(message?.MessageAttributes).toEqual({ vendor: { DataType: 'String', StringValue: 'v1' } });
    expect(message?.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
    expect(message?.Attributes).toEqual({ ApproximateReceiveCount: '1' });
  });

  it('hides a received message for the visibility timeout, then delivers it again', async () => {
    // Prepare
    const { sqs } = await start([orders]);
    const QueueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: 'orders' }))).QueueUrl;
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'm' }));
    // Act
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    const whileHidden = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    // A long poll returns as soon as the message is visible again, here once its 1 s timeout ends.
    const again = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20, MessageSystemAttributeNames: ['All'] }),
    );
    // Assess ("Amazon SQS visibility timeout")
    expect(first.Messages).toHaveLength(1);
    expect(whileHidden.Messages).toBeUndefined();
    expect(attrs.Attributes).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '1',
      QueueArn: orders.arn,
    });
    expect(again.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
  });

  it('removes a deleted message and honours ChangeMessageVisibility', async () => {
    // Prepare
    const { sqs } = await start([orders]);
    const QueueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: 'orders' }))).QueueUrl;
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: 'a', MessageBody: 'a' },
          { Id: 'b', MessageBody: 'b' },
        ],
      }),
    );
    // Act
    const got = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 30 }),
    );
    const [a, b] = got.Messages ?? [];
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: a!.ReceiptHandle }));
    await sqs.send(
      new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: b!.ReceiptHandle, VisibilityTimeout: 0 }),
    );
    const after = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    // Assess
    expect(got.Messages).toHaveLength(2);
    expect(after.Messages?.map((m) => m.Body)).toEqual([b!.Body]);
  });

  it('answers a waiting long poll as soon as a message is sent, before any other receiver', async () => {
    // Prepare: the service's own re-check is far beyond the wait, so only the send can wake the poll
    const { sqs, svc } = await start([orders], undefined, 60_000);
    const QueueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: 'orders' }))).QueueUrl;
    const polling = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5 }));
    while (svc.waitingReceives === 0) await new Promise((r) => setImmediate(r));
    // Act: a rival short poll comes right after the send; a poll the send did not wake would lose to it
    await svc.sendByArn(orders.arn, 'late');
    await new Promise((r) => setImmediate(r));
    const rival = await svc.receiveByArn(orders.arn);
    const received = await polling;
    // Assess ("Amazon SQS short and long polling": a long poll returns as soon as a message is available)
    expect(received.Messages?.map((m) => m.Body)).toEqual(['late']);
    expect(rival).toEqual([]);
  });

  it('moves a message to the dead-letter queue once its receive count exceeds maxReceiveCount', async () => {
    // Prepare
    const dlq: QueueConfig = { name: 'orders-dlq', arn: queueArn('orders-dlq') };
    const source: QueueConfig = {
      ...orders,
      redrivePolicy: { deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 },
    };
    const { sqs, svc } = await start([source, dlq]);
    const QueueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: 'orders' }))).QueueUrl;
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'poison' }));
    // Act
    const receipts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 0 }));
      receipts.push(r.Messages?.length ?? 0);
    }
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['RedrivePolicy'] }),
    );
    // Assess ("Using dead-letter queues in Amazon SQS": moved after maxReceiveCount receives)
    expect(receipts).toEqual([1, 1, 0]);
    expect(svc.listMessages(dlq.arn)).toEqual([
      expect.objectContaining({
        messageId: sent.MessageId,
        body: 'poison',
        deadLetterQueueSourceArn: source.arn,
      }),
    ]);
    expect(JSON.parse(attrs.Attributes!.RedrivePolicy!)).toEqual({
      deadLetterTargetArn: dlq.arn,
      maxReceiveCount: 2,
    });
  });

  it('keeps queue contents across a restart with a data directory', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'orderloop-sqs-'));
    const first = await start([orders], dir);
    await first.svc.sendByArn(orders.arn, 'survives');
    await shutdown();
    // Act
    const { sqs } = await start([orders], dir);
    const QueueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: 'orders' }))).QueueUrl;
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    // Assess
    expect(received.Messages?.map((m) => m.Body)).toEqual(['survives']);
  });

  it('creates a queue idempotently, lists it and purges it', async () => {
    // Prepare
    const { sqs } = await start([]);
    // Act
    const a = await sqs.send(
      new CreateQueueCommand({ QueueName: 'made', Attributes: { VisibilityTimeout: '5' } }),
    );
    const b = await sqs.send(
      new CreateQueueCommand({ QueueName: 'made', Attributes: { VisibilityTimeout: '5' } }),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl: a.QueueUrl, MessageBody: 'x' }));
    await sqs.send(new PurgeQueueCommand({ QueueUrl: a.QueueUrl }));
    const list = await sqs.send(new ListQueuesCommand({}));
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: a.QueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    // Assess ("CreateQueue": same name and attributes returns the existing queue URL)
    expect(b.QueueUrl).toBe(a.QueueUrl);
    expect(list.QueueUrls).toEqual([a.QueueUrl]);
    expect(attrs.Attributes).toEqual({ ApproximateNumberOfMessages: '0' });
  });

  it('rejects a queue created again with different attributes with QueueNameExists', async () => {
    // Prepare
    const { sqs } = await start([]);
    await sqs.send(new CreateQueueCommand({ QueueName: 'made', Attributes: { VisibilityTimeout: '5' } }));
    // Act
    const creating = sqs.send(
      new CreateQueueCommand({ QueueName: 'made', Attributes: { VisibilityTimeout: '9' } }),
    );
    // Assess
    await expect(creating).rejects.toMatchObject({ name: 'QueueNameExists' });
  });

  it('rejects a call on a missing queue with QueueDoesNotExist', async () => {
    // Prepare
    const { sqs } = await start([]);
    // Act
    const getting = sqs.send(new GetQueueUrlCommand({ QueueName: 'missing' }));
    // Assess ("GetQueueUrl" errors: QueueDoesNotExist, query code AWS.SimpleQueueService.NonExistentQueue)
    await expect(getting).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
  });
});
