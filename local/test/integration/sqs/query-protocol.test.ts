import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueArn } from '../../../aws-ids.js';
import { createAwsJsonRouter } from '../../../aws-json.js';
import { createSqsQueryHandler, SqsService } from '../../../sqs/index.js';
import { queryToJsonInput } from '../../../sqs/query.js';
import { aws, awsJson, CLI_TEST_TIMEOUT_MS } from '../../support/aws-cli.js';

// Debian's awscli 2.9.19 speaks SQS's query protocol (botocore sqs/2012-11-05 "protocol": "query"); the
// current @aws-sdk/client-sqs speaks JSON. Both reach one SqsService here, as on the gateway.
describe('local SQS over the query protocol, driven by the AWS CLI v2', () => {
  let server: Server;
  let service: SqsService;
  let endpoint: string;

  beforeAll(async () => {
    service = new SqsService({
      queues: [
        { name: 'orders', arn: queueArn('orders'), visibilityTimeoutSeconds: 30 },
        { name: 'orders-dlq', arn: queueArn('orders-dlq') },
      ],
      pollIntervalMs: 20,
    });
    const json = createAwsJsonRouter([service]);
    const query = createSqsQueryHandler(service);
    server = createServer((req, res) => {
      void (async () => {
        if ((await json(req, res)) || (await query(req, res))) return;
        res.writeHead(404).end();
      })();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await service.stop();
    await new Promise((done) => server.close(done));
  });

  it(
    'lists the queues',
    async () => {
      // Act
      const out = await awsJson<{ QueueUrls: string[] }>(endpoint, ['sqs', 'list-queues']);
      // Assess
      expect(out.QueueUrls.map((u) => u.split('/').pop())).toEqual(['orders', 'orders-dlq']);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'sends, receives with attributes and deletes a message',
    async () => {
      // Prepare
      const { QueueUrl } = await awsJson<{ QueueUrl: string }>(endpoint, [
        'sqs',
        'get-queue-url',
        '--queue-name',
        'orders',
      ]);
      // Act
      const sent = await awsJson<{
        MessageId: string;
        MD5OfMessageBody: string;
        MD5OfMessageAttributes: string;
      }>(endpoint, [
        'sqs',
        'send-message',
        '--queue-url',
        QueueUrl,
        '--message-body',
        '{"orderId":"o-1","note":"<fragile> & \'quoted\'"}',
        '--message-attributes',
        '{"tenant":{"DataType":"String","StringValue":"v-aurora"},"attempt":{"DataType":"Number","StringValue":"2"}}',
      ]);
      const received = await awsJson<{ Messages: Record<string, unknown>[] }>(endpoint, [
        'sqs',
        'receive-message',
        '--queue-url',
        QueueUrl,
        '--attribute-names',
        'All',
        '--message-attribute-names',
        'All',
        '--wait-time-seconds',
        '1',
      ]);
      const [message] = received.Messages;
      const deleted = await aws(endpoint, [
        'sqs',
        'delete-message',
        '--queue-url',
        QueueUrl,
        '--receipt-handle',
        String(message!.ReceiptHandle),
      ]);
      const attributes = await awsJson<{ Attributes: Record<string, string> }>(endpoint, [
        'sqs',
        'get-queue-attributes',
        '--queue-url',
        QueueUrl,
        '--attribute-names',
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
      ]);
      // Assess: the CLI checks the MD5 digests itself, so a wrong body or attribute encoding fails the send.
      expect(sent.MessageId).toBe(message!.MessageId);
      expect(message!.Body).toBe('{"orderId":"o-1","note":"<fragile> & \'quoted\'"}');
      expect(message!.MessageAttributes).toEqual({
        tenant: { DataType: 'String', StringValue: 'v-aurora' },
        attempt: { DataType: 'Number', StringValue: '2' },
      });
      expect(message!.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
      expect((message!.Attributes as Record<string, string>).ApproximateReceiveCount).toBe('1');
      expect(deleted.code).toBe(0);
      expect(attributes.Attributes).toEqual({
        ApproximateNumberOfMessages: '0',
        ApproximateNumberOfMessagesNotVisible: '0',
      });
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'sends a batch and reports each entry',
    async () => {
      // Act
      const out = await awsJson<{ Successful: { Id: string }[]; Failed?: unknown[] }>(endpoint, [
        'sqs',
        'send-message-batch',
        '--queue-url',
        `${endpoint}/000000000000/orders-dlq`,
        '--entries',
        '[{"Id":"a","MessageBody":"one"},{"Id":"b","MessageBody":"two","DelaySeconds":0}]',
      ]);
      // Assess
      expect(out.Successful.map((e) => e.Id).sort()).toEqual(['a', 'b']);
      expect(out.Failed ?? []).toEqual([]);
      expect(service.listMessages(queueArn('orders-dlq')).map((m) => m.body)).toEqual(['one', 'two']);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    "fails on a missing queue with SQS's query error code",
    async () => {
      // Act
      const out = await aws(endpoint, ['sqs', 'get-queue-url', '--queue-name', 'nope']);
      // Assess
      expect(out.code).not.toBe(0);
      expect(out.stderr).toContain('(AWS.SimpleQueueService.NonExistentQueue)');
      expect(out.stderr).toContain('The specified queue does not exist.');
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'rejects an SQS action the local SQS does not implement, saying so',
    async () => {
      // Act
      const out = await aws(endpoint, [
        'sqs',
        'list-queue-tags',
        '--queue-url',
        `${endpoint}/000000000000/orders`,
      ]);
      // Assess
      expect(out.code).not.toBe(0);
      expect(out.stderr).toContain('(AWS.SimpleQueueService.UnsupportedOperation)');
      expect(out.stderr).toContain('ListQueueTags is not implemented by the local SQS');
    },
    CLI_TEST_TIMEOUT_MS,
  );
});

describe('queryToJsonInput', () => {
  it("reads botocore's flattened lists, maps and batch entries into the JSON protocol's members", () => {
    // Prepare: the parameters as botocore's query serializer writes them
    const params = new URLSearchParams({
      Action: 'SendMessageBatch',
      Version: '2012-11-05',
      QueueUrl: 'http://localhost/000000000000/orders',
      'SendMessageBatchRequestEntry.1.Id': 'a',
      'SendMessageBatchRequestEntry.1.MessageBody': 'one',
      'SendMessageBatchRequestEntry.1.MessageAttribute.1.Name': 'tenant',
      'SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType': 'String',
      'SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue': 'v-aurora',
      'SendMessageBatchRequestEntry.2.Id': 'b',
      'SendMessageBatchRequestEntry.2.MessageBody': 'two',
    });
    // Act
    const { action, input } = queryToJsonInput(params);
    // Assess
    expect(action).toBe('SendMessageBatch');
    expect(input).toEqual({
      QueueUrl: 'http://localhost/000000000000/orders',
      Entries: [
        {
          Id: 'a',
          MessageBody: 'one',
          MessageAttributes: { tenant: { DataType: 'String', StringValue: 'v-aurora' } },
        },
        { Id: 'b', MessageBody: 'two' },
      ],
    });
  });

  it('reads queue attributes and attribute name lists', () => {
    // Act
    const { input } = queryToJsonInput(
      new URLSearchParams({
        Action: 'CreateQueue',
        QueueName: 'q',
        'Attribute.1.Name': 'VisibilityTimeout',
        'Attribute.1.Value': '45',
        'Attribute.2.Name': 'DelaySeconds',
        'Attribute.2.Value': '0',
        'AttributeName.1': 'All',
      }),
    );
    // Assess
    expect(input).toEqual({
      QueueName: 'q',
      Attributes: { VisibilityTimeout: '45', DelaySeconds: '0' },
      AttributeNames: ['All'],
    });
  });
});
