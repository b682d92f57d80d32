import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamsClient } from '../../../events/pipes/streams-client.js';

/** A DynamoDB Streams stand-in whose first `drops` connections are cut before any answer. */
async function flakyStreams(
  drops: number,
): Promise<{ server: Server; endpoint: string; calls: () => number }> {
  let calls = 0;
  const server = createServer((req, res) => {
    calls += 1;
    req.resume();
    if (calls <= drops) {
      req.socket.destroy();
      return;
    }
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ Records: [], NextShardIterator: 'next' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, endpoint: `http://127.0.0.1:${port}`, calls: () => calls };
}

describe('the pipes’ DynamoDB Streams client', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  it('tries a read again when the connection is cut before an answer, as the AWS SDKs do', async () => {
    // Prepare
    const flaky = await flakyStreams(2);
    server = flaky.server;
    const client = new StreamsClient({ endpoint: flaky.endpoint });

    // Act
    const out = await client.getRecords('iterator', 10);

    // Assert
    expect(out).toEqual({ records: [], nextShardIterator: 'next' });
    expect(flaky.calls()).toBe(3);
  });

  it('gives up after three tries and says why the connection failed', async () => {
    // Prepare
    const flaky = await flakyStreams(10);
    server = flaky.server;
    const client = new StreamsClient({ endpoint: flaky.endpoint });

    // Act
    const failed = client.getRecords('iterator', 10);

    // Assert
    await expect(failed).rejects.toThrow(/fetch failed \(.*(socket|closed|reset)/i);
    expect(flaky.calls()).toBe(3);
  });
});
