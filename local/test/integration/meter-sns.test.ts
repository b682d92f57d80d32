/**
 * The cost meter on the local SNS service, seen through @aws-sdk/client-sns: a request is billed per
 * 64 KB chunk of its messages, and a PublishBatch of up to 10 messages is one request by their
 * aggregate size ("Each 64KB chunk of published data is billed as 1 request", Amazon SNS pricing;
 * batching cuts the publish cost "by a factor of up to 10", sns-batch-api-actions.html).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PublishBatchCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { LOCAL_CREDENTIALS, topicArn } from '../../aws-ids.js';
import { SnsService } from '../../sns/index.js';
import { attachSnsMeter, CostMeter } from '../../meter/index.js';

const KB = 1024;

describe('the SNS meter', () => {
  const alerts = topicArn('meter-alerts');
  let service: SnsService;
  let server: Server;
  let client: SNSClient;
  let meter: CostMeter;
  let detach: () => void;

  beforeAll(async () => {
    service = new SnsService([{ name: 'meter-alerts', arn: alerts }]);
    server = createServer((req, res) => void service.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new SNSClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    });
  });

  beforeEach(() => {
    meter = new CostMeter();
    detach = attachSnsMeter(meter, service);
  });

  afterEach(() => detach());

  afterAll(async () => {
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  const requests = () => meter.read().totals['sns.request'];
  const batchOf = (sizes: number[]) =>
    new PublishBatchCommand({
      TopicArn: alerts,
      PublishBatchRequestEntries: sizes.map((bytes, i) => ({ Id: `m${i}`, Message: 'x'.repeat(bytes) })),
    });

  it('bills a batch of ten small messages as one request', async () => {
    // Act
    const out = await client.send(batchOf(Array.from({ length: 10 }, () => 100)));
    // Assess
    expect(out.Successful).toHaveLength(10);
    expect(requests()).toBe(1);
  });

  it('bills a batch by its aggregate size in 64 KB chunks, not per entry', async () => {
    // Act: three 30 KB messages, 90 KB in all: two chunks (per entry it would be three requests).
    await client.send(batchOf([30 * KB, 30 * KB, 30 * KB]));
    // Assess
    expect(requests()).toBe(2);
  });

  it('bills a single publish per 64 KB chunk of its message', async () => {
    // Act
    await client.send(new PublishCommand({ TopicArn: alerts, Message: 'x'.repeat(100 * KB) }));
    await client.send(new PublishCommand({ TopicArn: alerts, Message: 'small' }));
    // Assess: 100 KB is two chunks, a small message one.
    expect(requests()).toBe(3);
  });
});
