import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { functionArn, LOCAL_CREDENTIALS } from '../../../aws-ids.js';
import { createLambdaInvokeHandler, LambdaHost } from '../../../lambda/index.js';

describe('Lambda Invoke endpoint', () => {
  let host: LambdaHost;
  let server: Server;
  let client: LambdaClient;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orderloop-invoke-'));
    writeFileSync(
      join(dir, 'index.mjs'),
      `export const handler = async (e) => { console.log('got', e.orderId); if (e.fail) throw new Error('declined'); return { ok: e.orderId }; };`,
    );
    const config = {
      name: 'invokable',
      arn: functionArn('invokable'),
      handler: 'index.handler',
      codeDir: dir,
      environment: {},
      timeoutSeconds: 3,
      memoryMb: 128,
    };
    host = new LambdaHost({
      functions: [config],
      sendToQueue: async () => undefined,
      writeLine: () => undefined,
    });
    const handle = createLambdaInvokeHandler(host);
    server = createServer((req, res) => {
      void handle(req, res).then((handled) => {
        if (!handled) res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new LambdaClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    });
  });

  afterAll(async () => {
    client.destroy();
    await host.stop();
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers a RequestResponse invoke from @aws-sdk/client-lambda with the payload and the log tail', async () => {
    // Prepare
    const input = {
      FunctionName: 'invokable',
      Payload: JSON.stringify({ orderId: 'o-9' }),
      LogType: 'Tail' as const,
    };
    // Act
    const out = await client.send(new InvokeCommand(input));
    // Assess ("Invoke" API reference: StatusCode 200, LogResult is the base64 last 4 KB of the log)
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toEqual({ ok: 'o-9' });
    expect(Buffer.from(out.LogResult!, 'base64').toString()).toContain('INFO\tgot o-9');
  });

  it('marks a handler error with the X-Amz-Function-Error header', async () => {
    // Prepare
    const input = { FunctionName: functionArn('invokable'), Payload: JSON.stringify({ fail: true }) };
    // Act
    const out = await client.send(new InvokeCommand(input));
    // Assess ("Invoke" API reference: FunctionError carries Unhandled, the payload the error object)
    expect(out.FunctionError).toBe('Unhandled');
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toMatchObject({
      errorType: 'Error',
      errorMessage: 'declined',
    });
  });

  it('accepts an Event invoke with 202 and runs it in the background', async () => {
    // Prepare
    const input = {
      FunctionName: 'invokable',
      InvocationType: 'Event' as const,
      Payload: JSON.stringify({ orderId: 'bg' }),
    };
    // Act
    const out = await client.send(new InvokeCommand(input));
    await host.whenIdle();
    // Assess
    expect(out.StatusCode).toBe(202);
  });

  it('rejects an unknown function with ResourceNotFoundException', async () => {
    // Prepare
    const input = { FunctionName: 'missing', Payload: '{}' };
    // Act
    const sending = client.send(new InvokeCommand(input));
    // Assess
    await expect(sending).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
