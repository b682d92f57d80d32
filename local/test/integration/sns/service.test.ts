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

  const batch = (entries: { Id: string; Message: string }[]) =>
    client.send(new PublishBatchCommand({ TopicArn: alerts, PublishBatchRequestEntries: entries }));
  const entries = (n: number, bytes = 10) =>
    Array.from({ length: n }, (_, i) => ({ Id: `m${i}`, Message: 'x'.repeat(bytes) }));

  it('keeps the message attributes of each batch entry', async () => {
    // Prepare
    const before = service.listOutbox(alerts).length;
    // Act
    await client.send(
      new PublishBatchCommand({
        TopicArn: alerts,
        PublishBatchRequestEntries: [
          {
            Id: 'a',
            Message: 'paid',
            MessageAttributes: { kind: { DataType: 'String', StringValue: 'ORDER_PAID' } },
          },
        ],
      }),
    );
    // Assess
    expect(service.listOutbox(alerts).slice(before)[0]?.messageAttributes).toEqual({
      kind: { DataType: 'String', StringValue: 'ORDER_PAID' },
    });
  });

  it('publishes a batch at the limits: 10 entries, and 256 KiB of messages together', async () => {
    // Act
    const ten = await batch(entries(10));
    const full = await batch(entries(8, 32_768));
    // Assess
    expect(ten.Successful).toHaveLength(10);
    expect(full.Successful).toHaveLength(8);
  });

  it.each([
    ['more than 10 entries', () => entries(11), 'TooManyEntriesInBatchRequestException'],
    ['no entries', () => [], 'EmptyBatchRequestException'],
    ['two entries with one Id', () => [...entries(1), ...entries(1)], 'BatchEntryIdsNotDistinctException'],
    ['an Id with a dot', () => [{ Id: 'm.1', Message: 'x' }], 'InvalidBatchEntryIdException'],
    ['an Id of 81 characters', () => [{ Id: 'm'.repeat(81), Message: 'x' }], 'InvalidBatchEntryIdException'],
    ['more than 256 KiB together', () => entries(2, 131_073), 'BatchRequestTooLongException'],
  ])('rejects a batch with %s, publishing none of it', async (_case, build, name) => {
    // Prepare
    const before = service.listOutbox(alerts).length;
    // Act
    const publishing = batch(build());
    // Assess ("PublishBatch" errors, all 400)
    await expect(publishing).rejects.toMatchObject({ name, $metadata: { httpStatusCode: 400 } });
    expect(service.listOutbox(alerts)).toHaveLength(before);
  });

  it('counts the attributes toward the 256 KiB of a batch', async () => {
    // Prepare: bodies of exactly 256 KiB together, plus one attribute
    const bodies = entries(2, 131_072);
    // Act
    const publishing = client.send(
      new PublishBatchCommand({
        TopicArn: alerts,
        PublishBatchRequestEntries: [
          { ...bodies[0]!, MessageAttributes: { kind: { DataType: 'String', StringValue: 'K' } } },
          bodies[1]!,
        ],
      }),
    );
    // Assess
    await expect(publishing).rejects.toMatchObject({ name: 'BatchRequestTooLongException' });
  });

  it('lists an entry with an empty message as failed and publishes the others', async () => {
    // Prepare
    const before = service.listOutbox(alerts).length;
    // Act
    const out = await batch([
      { Id: 'ok', Message: 'one' },
      { Id: 'empty', Message: '' },
    ]);
    // Assess
    expect(out.Successful?.map((e) => e.Id)).toEqual(['ok']);
    expect(out.Failed).toEqual([
      {
        Id: 'empty',
        Code: 'InvalidParameter',
        Message: 'Invalid parameter: Empty message',
        SenderFault: true,
      },
    ]);
    expect(
      service
        .listOutbox(alerts)
        .slice(before)
        .map((m) => m.message),
    ).toEqual(['one']);
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
