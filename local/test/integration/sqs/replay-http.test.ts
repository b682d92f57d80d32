import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { functionArn, queueArn } from '../../../aws-ids.js';
import { createAwsJsonRouter } from '../../../aws-json.js';
import { createLambdaInvokeHandler, LambdaHost, type FunctionLogEntry } from '../../../lambda/index.js';
import { httpReplayPorts, replayDeadLetters } from '../../../replay/index.js';
import { SqsService } from '../../../sqs/index.js';

describe('DLQ replay against the local stack over HTTP', () => {
  const dlq = queueArn('payments-dlq');
  const orders = queueArn('orders');
  const logs: FunctionLogEntry[] = [];
  let sqs: SqsService;
  let host: LambdaHost;
  let server: Server;
  let endpoint: string;
  let auditFile: string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orderloop-replay-'));
    auditFile = join(dir, 'replay-audit.jsonl');
    writeFileSync(
      join(dir, 'index.mjs'),
      `export const handler = async (e) => { console.log('processing', e.orderId); };`,
    );
    sqs = new SqsService({
      queues: [
        { name: 'orders', arn: orders, redrivePolicy: { deadLetterTargetArn: dlq, maxReceiveCount: 1 } },
        { name: 'payments-dlq', arn: dlq },
      ],
    });
    host = new LambdaHost({
      functions: [
        {
          name: 'payment-processor',
          arn: functionArn('payment-processor'),
          handler: 'index.handler',
          codeDir: dir,
          environment: {},
          timeoutSeconds: 3,
          memoryMb: 128,
        },
      ],
      sendToQueue: async (arn, body, attrs) => void (await sqs.sendByArn(arn, body, attrs)),
      onLog: (e) => logs.push(e),
      writeLine: () => undefined,
    });
    const json = createAwsJsonRouter([sqs]);
    const invoke = createLambdaInvokeHandler(host);
    server = createServer((req, res) => {
      void (async () => {
        if (!(await json(req, res)) && !(await invoke(req, res))) res.writeHead(404).end();
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await host.stop();
    await sqs.stop();
    await new Promise((resolve) => server.close(resolve));
  });

  it('re-invokes the failed function and returns redriven messages to their source queue, then empties the DLQ', async () => {
    // Prepare
    const record = {
      version: '1.0',
      requestContext: {
        requestId: 'r1',
        functionArn: `${functionArn('payment-processor')}:$LATEST`,
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
      },
      requestPayload: { orderId: 'o-42' },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'Error', errorMessage: 'gateway down' },
    };
    await sqs.sendByArn(dlq, JSON.stringify(record));
    await sqs.sendByArn(orders, 'poison');
    await sqs.receiveByArn(orders, { visibilityTimeoutSeconds: 0 });
    await sqs.receiveByArn(orders); // the second receive moves it to the DLQ (maxReceiveCount 1)
    const ports = httpReplayPorts({ sqs: endpoint, lambda: endpoint }, auditFile);
    // Act
    const dry = await replayDeadLetters('payments-dlq', ports, { dryRun: true });
    const real = await replayDeadLetters('payments-dlq', ports);
    await host.whenIdle();
    // Assess
    expect(dry.items.map((i) => i.action)).toEqual(['would-replay', 'would-replay']);
    expect(real.items.map((i) => [i.action, i.target]).sort()).toEqual(
      [
        ['replayed', functionArn('payment-processor')],
        ['replayed', orders],
      ].sort(),
    );
    expect(sqs.listMessages(dlq)).toEqual([]);
    expect(sqs.listMessages(orders).map((m) => m.body)).toEqual(['poison']);
    expect(logs.some((l) => l.line.endsWith('INFO\tprocessing o-42'))).toBe(true);
    const audit = readFileSync(auditFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({ queue: 'payments-dlq', action: 'replayed' });
  });
});
