import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { createServer } from 'node:http';
import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { DynamoDBClient, CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  assertJava,
  compiledLauncherDir,
  dynamoDbLocalArgs,
  startDynamoDbLocal,
} from '../../dynamodb/engine.js';
import { sharedDynamoDb, tableName } from '../support/dynamodb.js';
import { isRunning } from '../support/processes.js';

/** An IPv4 address of this machine that is not loopback, to knock on as another machine would. */
function externalAddress(): string {
  const address = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
  if (!address) throw new Error('this machine has no non-loopback IPv4 address to probe from');
  return address;
}

/** Resolves once the condition holds; fails after timeoutMs. */
async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('DynamoDB Local engine', () => {
  // The tier's one engine (local/test/support/dynamodb-setup.ts), started by startDynamoDbLocal with the
  // default host like every engine: the checks that need no engine of their own run on it, since each
  // JVM boot costs seconds of CPU.
  const engine = sharedDynamoDb();

  it('answers the AWS SDK on its endpoint and keeps tables it is asked to create', async () => {
    // Prepare
    const client = new DynamoDBClient({
      endpoint: engine.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const name = tableName('orders-test');
    // Act
    await client.send(
      new CreateTableCommand({
        TableName: name,
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const table = await client.send(new DescribeTableCommand({ TableName: name }));
    // Assess
    expect(table.Table?.TableName).toBe(name);
    expect(table.Table?.TableStatus).toBe('ACTIVE');
    client.destroy();
  });

  it('listens on loopback only, so other machines cannot reach its unauthenticated API', async () => {
    // Act
    const fromLoopback = await accepts('127.0.0.1', engine.port);
    const fromOutside = await accepts(externalAddress(), engine.port);
    // Assess
    expect(engine.endpoint).toBe(`http://127.0.0.1:${engine.port}`);
    expect(fromLoopback).toBe(true);
    expect(fromOutside).toBe(false);
  });

  it('listens on every interface only when asked to', async () => {
    // Prepare: the control for the test above, so a probe that can never connect cannot pass it
    const open = await startDynamoDbLocal({ host: '0.0.0.0', quickStart: true });
    try {
      // Act
      const fromOutside = await accepts(externalAddress(), open.port);
      // Assess
      expect(fromOutside).toBe(true);
    } finally {
      await open.stop();
    }
  });

  it('does not take another process answering on its port for its own engine', async () => {
    // Arrange: an HTTP server that answers like an engine, on the port the new engine is asked to use (as
    // when another engine took a port between the free-port probe and this JVM's bind)
    const imposter = createServer((_req, res) => res.writeHead(400).end('{}'));
    await new Promise<void>((resolve) => imposter.listen(0, '127.0.0.1', resolve));
    const port = (imposter.address() as { port: number }).port;
    try {
      // Act + Assess: the start fails on the taken port instead of returning the imposter's endpoint
      await expect(startDynamoDbLocal({ port, quickStart: true })).rejects.toThrow(/failed to bind/i);
    } finally {
      await new Promise((resolve) => imposter.close(resolve));
    }
  });

  it('leaves no java process behind once stopped', async () => {
    // Prepare
    const other = await startDynamoDbLocal({ quickStart: true });
    // Act
    await other.stop();
    // Assess
    expect(other.process.exitCode !== null || other.process.signalCode !== null).toBe(true);
  });

  it('stops by itself when the process that started it is killed outright (SIGKILL runs no exit hook)', async () => {
    // Prepare: a process that starts an engine, in its own process group like the engine, and is killed
    const engineModule = pathToFileURL(join(import.meta.dirname, '../../dynamodb/engine.ts')).href;
    const parent = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `const { startDynamoDbLocal } = await import(${JSON.stringify(engineModule)});\n` +
          `const engine = await startDynamoDbLocal({ quickStart: true });\n` +
          `process.stdout.write(String(engine.process.pid) + '\\n');\n` +
          `setInterval(() => undefined, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    parent.stdout.on('data', (d: Buffer) => (output += d.toString()));
    try {
      await waitUntil(() => /^\d+\n/.test(output) || parent.exitCode !== null, 60_000);
      const javaPid = Number(output.trim());
      expect(javaPid).toBeGreaterThan(0);
      expect(isRunning(javaPid)).toBe(true);
      // Act
      parent.kill('SIGKILL');
      // Assess
      await waitUntil(() => !isRunning(javaPid), 20_000);
      expect(isRunning(javaPid)).toBe(false);
    } finally {
      parent.kill('SIGKILL');
    }
  }, 90_000);

  it('starts its loopback launcher as a class compiled once into the cache, not from source each time', () => {
    // Prepare
    assertJava();
    const cache = mkdtempSync(join(tmpdir(), 'orderloop-launcher-'));
    try {
      // Act
      const first = compiledLauncherDir(cache);
      const compiledAt = first && statSync(join(first, 'LoopbackDynamoDbLocal.class')).mtimeMs;
      const second = compiledLauncherDir(cache);

      // Assert
      expect(first).toBeDefined();
      expect(first!.startsWith(join(cache, 'orderloop', 'dynamodb-launcher'))).toBe(true);
      expect(second).toBe(first);
      expect(statSync(join(second!, 'LoopbackDynamoDbLocal.class')).mtimeMs).toBe(compiledAt);
      const args = dynamoDbLocalArgs('/jar', {
        port: 1,
        host: '127.0.0.1',
        heap: '64m',
        launcherDir: first!,
      });
      expect(args).toContain('LoopbackDynamoDbLocal');
      expect(args.some((a) => a.endsWith('.java'))).toBe(false);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it('runs the JVM with the quick compiler only when asked to, and with every tier by default', () => {
    // Act
    const base = { port: 1, host: '127.0.0.1', heap: '64m' };
    const quick = dynamoDbLocalArgs('/jar', { ...base, quickStart: true });
    const full = dynamoDbLocalArgs('/jar', base);
    // Assess: a JVM option, so it must come before the main class
    expect(quick.indexOf('-XX:TieredStopAtLevel=1')).toBeGreaterThanOrEqual(0);
    expect(quick.indexOf('-XX:TieredStopAtLevel=1')).toBeLessThan(quick.indexOf('-cp'));
    expect(full.some((a) => a.startsWith('-XX:TieredStopAtLevel'))).toBe(false);
  });
});
