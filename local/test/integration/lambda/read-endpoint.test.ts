import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ListFunctionsCommand,
  paginateListFunctions,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionArn, LOCAL_CREDENTIALS } from '../../../aws-ids.js';
import { createLambdaInvokeHandler, LambdaHost } from '../../../lambda/index.js';
import type { FunctionConfig } from '../../../lambda/types.js';

const fn = (name: string, overrides: Partial<FunctionConfig> = {}): FunctionConfig => ({
  name,
  arn: functionArn(name),
  handler: 'index.handler',
  codeDir: '',
  environment: { TABLE_NAME: 'orders' },
  timeoutSeconds: 10,
  memoryMb: 256,
  ...overrides,
});

describe('Lambda ListFunctions and GetFunction through @aws-sdk/client-lambda', () => {
  let host: LambdaHost;
  let server: Server;
  let client: LambdaClient;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orderloop-read-'));
    writeFileSync(join(dir, 'index.mjs'), 'export const handler = async () => 1;');
    host = new LambdaHost({
      functions: [
        fn('payment', {
          codeDir: dir,
          runtime: 'nodejs22.x',
          architectures: ['arm64'],
          tracingMode: 'Active',
          reservedConcurrency: 5,
          asyncConfig: { deadLetterArn: 'arn:aws:sqs:us-east-1:000000000000:payment-dlq' },
        }),
        fn('inventory', { codeDir: dir }),
        fn('notification', { codeDir: dir }),
      ],
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

  it('lists every function with its configuration, in pages the paginator follows', async () => {
    // Act
    const names: string[] = [];
    for await (const page of paginateListFunctions({ client, pageSize: 2 }, {}))
      names.push(...(page.Functions ?? []).map((f) => f.FunctionName!));
    const { Functions } = await client.send(new ListFunctionsCommand({}));
    // Assess
    expect(names).toEqual(['inventory', 'notification', 'payment']);
    const payment = Functions!.find((f) => f.FunctionName === 'payment')!;
    expect(payment).toMatchObject({
      FunctionArn: functionArn('payment'),
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Timeout: 10,
      MemorySize: 256,
      Version: '$LATEST',
      Environment: { Variables: { TABLE_NAME: 'orders' } },
      TracingConfig: { Mode: 'Active' },
      DeadLetterConfig: { TargetArn: 'arn:aws:sqs:us-east-1:000000000000:payment-dlq' },
      State: 'Active',
      PackageType: 'Zip',
      Architectures: ['arm64'],
    });
    expect(payment.CodeSize).toBeGreaterThan(0);
  });

  it('gets one function by name or ARN, with its code location and reserved concurrency', async () => {
    // Act
    const byName = await client.send(new GetFunctionCommand({ FunctionName: 'payment' }));
    const byArn = await client.send(
      new GetFunctionConfigurationCommand({ FunctionName: functionArn('payment') }),
    );
    // Assess
    expect(byName.Configuration?.FunctionName).toBe('payment');
    expect(byName.Code?.Location).toMatch(/^file:\/\//);
    expect(byName.Concurrency?.ReservedConcurrentExecutions).toBe(5);
    expect(byArn.FunctionArn).toBe(functionArn('payment'));
    expect(byArn.CodeSha256).toBe(byName.Configuration?.CodeSha256);
  });

  it('fails with ResourceNotFoundException for an unknown function', async () => {
    // Act
    const failure = await client
      .send(new GetFunctionCommand({ FunctionName: 'nope' }))
      .catch((e: Error) => e);
    // Assess
    expect(failure).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
  });

  it('answers an operation it does not implement with NotImplemented, naming what it does implement', async () => {
    // Act
    const failure = await client.send(new ListEventSourceMappingsCommand({})).catch((e: Error) => e);
    // Assess
    expect(failure).toMatchObject({ name: 'NotImplemented', $metadata: { httpStatusCode: 501 } });
    expect((failure as Error).message).toContain('does not implement GET /2015-03-31/event-source-mappings');
    expect((failure as Error).message).toContain('ListFunctions, GetFunction');
  });
});
