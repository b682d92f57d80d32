import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PublishBatchCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { LOCAL_CREDENTIALS, topicArn } from '../../../aws-ids.js';
import { SnsService } from '../../../sns/index.js';

describe('local SNS outbox through @aws-sdk/client-sns', () => {
  const alerts = topicArn('vendor-alerts');
  let service: SnsService;
  let server: Server;
  let client: SNSClient;

  beforeAll(async () => {
    service = new SnsService([{ name: 'vendor-alerts', arn: alerts }]);
    server = createServer((req, res) => void service.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new SNSClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    });
  });

  afterAll(async () => {
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('publishes a message with attributes into the outbox and answers its MessageId', async () => {
    // Prepare
    const input = {
      TopicArn: alerts,
      Message: 'order o-1 failed',
      Subject: 'payment',
      MessageAttributes: { vendorId: { DataType: 'String', StringValue: 'v1' } },
    };
    // Act
    const out = await client.send(new PublishCommand(input));
    // Assess ("Publish" API reference: the response carries MessageId)
    expect(service.listOutbox(alerts)).toContainEqual(
      expect.objectContaining({
        messageId: out.MessageId,
        message: 'order o-1 failed',
        subject: 'payment',
        messageAttributes: { vendorId: { DataType: 'String', StringValue: 'v1' } },
      }),
    );
  });

  it('publishes a batch and reports every entry as successful', async () => {
    // Prepare
    const before = service.listOutbox(alerts).length;
    // Act
    const out = await client.send(
      new PublishBatchCommand({
        TopicArn: alerts,
        PublishBatchRequestEntries: [
          { Id: 'a', Message: 'one' },
          { Id: 'b', Message: 'two' },
        ],
      }),
    );
    // Assess
    expect(out.Successful?.map((s) => s.Id)).toEqual(['a', 'b']);
    expect(
      service
        .listOutbox(alerts)
        .slice(before)
        .map((m) => m.message),
    ).toEqual(['one', 'two']);
  });

  it('rejects a publish to an unknown topic with NotFound', async () => {
    // Prepare
    const input = { TopicArn: topicArn('missing'), Message: 'x' };
    // Act
    const publishing = client.send(new PublishCommand(input));
    // Assess ("Publish" errors: NotFound, 404)
    await expect(publishing).rejects.toMatchObject({ name: 'NotFoundException' });
  });
});
