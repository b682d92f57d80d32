import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';
import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../aws-ids.js';
import { sharedDynamoDb, tableName, type SharedDynamoDb } from '../support/dynamodb.js';
import { createDynamoDbProxy } from '../../dynamodb/proxy.js';

const PROXIED = tableName('proxied');
const INTRUDER = tableName('intruder');

describe('DynamoDB on the gateway port', () => {
  let engine: SharedDynamoDb;
  let server: Server;
  let endpoint: string;
  const clients: { destroy(): void }[] = [];
  const dynamodb = (credentials: { accessKeyId: string; secretAccessKey: string } = LOCAL_CREDENTIALS) => {
    const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
    clients.push(client);
    return client;
  };

  /** A DynamoDB Streams call signed as the SDK signs it (service name `dynamodb`). */
  async function signedCall(target: string, input: unknown): Promise<unknown> {
    const url = new URL(endpoint);
    const body = JSON.stringify(input);
    const signer = new SignatureV4({
      credentials: LOCAL_CREDENTIALS,
      region: 'us-east-1',
      service: 'dynamodb',
      sha256: Sha256,
    });
    const signed = await signer.sign(
      new HttpRequest({
        method: 'POST',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: '/',
        headers: { host: url.host, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target },
        body,
      }),
    );
    const res = await fetch(endpoint, { method: 'POST', headers: signed.headers, body });
    return res.json();
  }

  beforeAll(async () => {
    engine = sharedDynamoDb();
    const proxy = createDynamoDbProxy({ endpoint: engine.endpoint });
    server = createServer((req, res) => {
      void proxy(req, res).then((handled) => {
        if (!handled) res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const client of clients) client.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('passes signed DynamoDB and DynamoDB Streams calls to DynamoDB Local', async () => {
    // Prepare
    const client = dynamodb();
    // Act
    await client.send(
      new CreateTableCommand({
        TableName: PROXIED,
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
      }),
    );
    await client.send(
      new PutItemCommand({ TableName: PROXIED, Item: { pk: { S: 'o-1' }, note: { S: 'é ✓' } } }),
    );
    const item = await client.send(new GetItemCommand({ TableName: PROXIED, Key: { pk: { S: 'o-1' } } }));
    const listed = (await signedCall('DynamoDBStreams_20120810.ListStreams', { TableName: PROXIED })) as {
      Streams?: { TableName: string }[];
    };
    // Assess
    expect(item.Item).toEqual({ pk: { S: 'o-1' }, note: { S: 'é ✓' } });
    expect(listed.Streams?.map((s) => s.TableName)).toEqual([PROXIED]);
  });

  it('rejects a request signed with a key the local stack does not know, before DynamoDB Local sees it', async () => {
    // Prepare
    const stranger = dynamodb({ accessKeyId: 'AKIASTRANGER', secretAccessKey: 'whatever' });
    // Act
    const failure = await stranger
      .send(
        new CreateTableCommand({
          TableName: INTRUDER,
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      )
      .catch((e: Error) => e);
    const tables = await dynamodb().send(new ListTablesCommand({}));
    // Assess
    expect(failure).toMatchObject({
      name: 'UnrecognizedClientException',
      $metadata: { httpStatusCode: 400 },
    });
    expect(tables.TableNames).not.toContain(INTRUDER);
  });

  it('rejects a request signed with the right key id but the wrong secret', async () => {
    // Act
    const failure = await dynamodb({ accessKeyId: LOCAL_CREDENTIALS.accessKeyId, secretAccessKey: 'guessed' })
      .send(new ListTablesCommand({}))
      .catch((e: Error) => e);
    // Assess
    expect(failure).toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 400 } });
  });

  it('rejects an unsigned request with MissingAuthenticationTokenException', async () => {
    // Act
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.ListTables',
      },
      body: '{}',
    });
    // Assess
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      __type: 'com.amazon.coral.service#MissingAuthenticationTokenException',
      message: 'Request is missing Authentication Token',
    });
  });
});

describe('DynamoDB on the gateway port of a stack that shares its DynamoDB Local', () => {
  const prefix = `own${randomBytes(4).toString('hex')}-`;
  const OWN = `${prefix}orders`;
  const OTHER = tableName('someone-else');
  let server: Server;
  let endpoint: string;
  let client: DynamoDBClient;

  beforeAll(async () => {
    const engine = sharedDynamoDb();
    const proxy = createDynamoDbProxy({ endpoint: engine.endpoint, tableNamePrefix: prefix });
    server = createServer((req, res) => {
      void proxy(req, res).then((handled) => {
        if (!handled) res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    client = new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 1,
    });
    for (const TableName of [OWN, OTHER])
      await client.send(
        new CreateTableCommand({
          TableName,
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
  });

  afterAll(async () => {
    client?.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('lists only the tables named with its prefix, with a body checksum (x-amz-crc32) that matches', async () => {
    // Act
    const listed = await client.send(new ListTablesCommand({}));
    const url = new URL(endpoint);
    const signed = await new SignatureV4({
      credentials: LOCAL_CREDENTIALS,
      region: 'us-east-1',
      service: 'dynamodb',
      sha256: Sha256,
    }).sign(
      new HttpRequest({
        method: 'POST',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: '/',
        headers: {
          host: url.host,
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'DynamoDB_20120810.ListTables',
        },
        body: '{}',
      }),
    );
    const raw = await fetch(endpoint, { method: 'POST', headers: signed.headers, body: '{}' });
    const body = Buffer.from(await raw.arrayBuffer());
    // Assess: the other table exists on the engine, and only the stack's own is listed
    expect(listed.TableNames).toEqual([OWN]);
    expect(JSON.parse(body.toString('utf8'))).toEqual({ TableNames: [OWN] });
    expect(raw.headers.get('x-amz-crc32')).toBe(String(crc32(body)));
    await expect(
      client.send(new GetItemCommand({ TableName: OTHER, Key: { pk: { S: 'x' } } })),
    ).resolves.toBeDefined();
  });
});
