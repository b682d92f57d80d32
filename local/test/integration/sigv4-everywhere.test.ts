import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { PurgeQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventBusArn,
  functionArn,
  LOCAL_ACCOUNT,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  localArn,
  queueArn,
  topicArn,
} from '../../aws-ids.js';
import { EventBridgeService, type TargetPorts } from '../../events/eventbridge/index.js';
import { createGateway } from '../../gateway.js';
import { createLambdaInvokeHandler, LambdaHost } from '../../lambda/index.js';
import { SnsService } from '../../sns/index.js';
import { createSqsQueryHandler, SqsService } from '../../sqs/index.js';

interface Keys {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

// The stack's keys with another secret: the access key id is known, so only the signature is wrong.
const WRONG_SECRET: Keys = {
  accessKeyId: LOCAL_CREDENTIALS.accessKeyId,
  secretAccessKey: 'not-the-local-secret',
};
// A key the local IAM does not know.
const STRANGER: Keys = { accessKeyId: 'AKIASTRANGER0000000', secretAccessKey: 'stranger-secret' };

const QUEUE = 'sigv4-orders';
const TOPIC = topicArn('sigv4-alerts');
const BUS = 'sigv4-bus';
const FUNCTION = 'sigv4-fn';

let server: Server;
let endpoint: string;
let sqs: SqsService;
let sns: SnsService;
let bus: EventBridgeService;
let host: LambdaHost;
const delivered: string[] = [];
const logLines: string[] = [];
let queueUrl: string;

/** POSTs a query-protocol form, signed for `service` with `credentials` unless they are undefined. */
async function postForm(
  path: string,
  form: Record<string, string>,
  service: string,
  credentials?: { accessKeyId: string; secretAccessKey: string },
): Promise<{ status: number; body: string }> {
  const url = new URL(path, endpoint);
  const body = new URLSearchParams(form).toString();
  let headers: Record<string, string> = {
    host: url.host,
    'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
  };
  if (credentials) {
    const signer = new SignatureV4({ credentials, region: LOCAL_REGION, service, sha256: Sha256 });
    const signed = await signer.sign(
      new HttpRequest({
        method: 'POST',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        headers,
        body,
      }),
    );
    headers = signed.headers;
  }
  const answer = await fetch(url, { method: 'POST', headers, body });
  return { status: answer.status, body: await answer.text() };
}

/** POSTs an AWS JSON protocol call with no Authorization header, as a web page or curl would. */
async function postUnsignedJson(target: string, input: unknown): Promise<{ status: number; body: unknown }> {
  const answer = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
    body: JSON.stringify(input),
  });
  return { status: answer.status, body: await answer.json() };
}

const sqsClient = (credentials: Keys) =>
  new SQSClient({ endpoint, region: LOCAL_REGION, credentials, maxAttempts: 1 });
const busClient = (credentials: Keys) =>
  new EventBridgeClient({ endpoint, region: LOCAL_REGION, credentials, maxAttempts: 1 });
const snsClient = (credentials: Keys) =>
  new SNSClient({ endpoint, region: LOCAL_REGION, credentials, maxAttempts: 1 });
const lambdaClient = (credentials: Keys) =>
  new LambdaClient({ endpoint, region: LOCAL_REGION, credentials, maxAttempts: 1 });

/** The error an SDK call was refused with, by name, HTTP status and message. */
async function refusal(call: Promise<unknown>) {
  const err = (await call.then(
    () => {
      throw new Error('the call was accepted');
    },
    (e: unknown) => e,
  )) as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
  return { name: err.name, status: err.$metadata?.httpStatusCode };
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orderloop-sigv4-'));
  writeFileSync(
    join(dir, 'index.mjs'),
    `export const handler = async (e) => { console.log('ran for', e.orderId); return { ok: e.orderId }; };`,
  );
  sqs = new SqsService({ queues: [{ name: QUEUE, arn: queueArn(QUEUE) }], pollIntervalMs: 20 });
  sns = new SnsService([{ name: 'sigv4-alerts', arn: TOPIC }]);
  const ports: TargetPorts = {
    async invokeLambdaAsync() {},
    async sendToQueue(_arn, body) {
      delivered.push(body);
    },
  };
  bus = new EventBridgeService({
    buses: [{ name: BUS, arn: eventBusArn(BUS) }],
    rules: [
      {
        name: 'all',
        arn: localArn('events', `rule/${BUS}/all`),
        busName: BUS,
        state: 'ENABLED',
        eventPattern: { source: ['orderloop.orders'] },
        targets: [{ id: 'q', arn: queueArn('audit') }],
      },
    ],
    ports,
    timing: { backoff: () => 1 },
  });
  host = new LambdaHost({
    functions: [
      {
        name: FUNCTION,
        arn: functionArn(FUNCTION),
        handler: 'index.handler',
        codeDir: dir,
        environment: {},
        timeoutSeconds: 3,
        memoryMb: 128,
      },
    ],
    sendToQueue: async () => undefined,
    writeLine: (line) => logLines.push(line),
  });
  // The gateway as local/stack.ts wires it: the JSON router, then the query, SNS and Lambda handlers.
  const gateway = createGateway({
    services: [sqs, bus],
    handlers: [createSqsQueryHandler(sqs), sns.handle, createLambdaInvokeHandler(host)],
  });
  server = createServer((req, res) => {
    void gateway(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  queueUrl = `${endpoint}/${LOCAL_ACCOUNT}/${QUEUE}`;
});

afterAll(async () => {
  bus.stop();
  await host.stop();
  await sqs.stop();
  await new Promise((resolve) => server.close(resolve));
});

describe('SQS over the JSON protocol verifies SigV4 with the local IAM keys', () => {
  it('refuses an unsigned SendMessage with MissingAuthenticationToken and stores nothing', async () => {
    // Act
    const answer = await postUnsignedJson('AmazonSQS.SendMessage', { QueueUrl: queueUrl, MessageBody: 'x' });
    // Assess: SQS "Common Errors": MissingAuthenticationToken, HTTP 403
    expect(answer).toEqual({
      status: 403,
      body: {
        __type: 'com.amazon.coral.service#MissingAuthenticationToken',
        message: 'Request is missing Authentication Token',
      },
    });
    expect(sqs.listMessages(queueArn(QUEUE))).toHaveLength(0);
  });

  it('refuses a wrong signature and an unknown key, and a wrongly signed purge purges nothing', async () => {
    // Prepare
    await sqs.sendByArn(queueArn(QUEUE), 'kept');
    // Act
    const wrong = await refusal(sqsClient(WRONG_SECRET).send(new PurgeQueueCommand({ QueueUrl: queueUrl })));
    const stranger = await refusal(
      sqsClient(STRANGER).send(new ReceiveMessageCommand({ QueueUrl: queueUrl })),
    );
    // Assess
    expect(wrong).toEqual({ name: 'SignatureDoesNotMatch', status: 403 });
    expect(stranger).toEqual({ name: 'InvalidClientTokenId', status: 403 });
    expect(sqs.listMessages(queueArn(QUEUE)).map((m) => m.body)).toEqual(['kept']);
  });

  it('answers a call signed with the local keys', async () => {
    // Act
    const sent = await sqsClient(LOCAL_CREDENTIALS).send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'signed' }),
    );
    await sqsClient(LOCAL_CREDENTIALS).send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
    // Assess
    expect(sent.MessageId).toBeTruthy();
    expect(sqs.listMessages(queueArn(QUEUE))).toHaveLength(0);
  });
});

describe('SQS over the query protocol verifies SigV4 with the local IAM keys', () => {
  const send = { Action: 'SendMessage', Version: '2012-11-05', MessageBody: 'over query' };

  it('refuses an unsigned and a wrongly signed SendMessage in the query XML error, storing nothing', async () => {
    // Act
    const unsigned = await postForm(`/${LOCAL_ACCOUNT}/${QUEUE}`, send, 'sqs');
    const wrong = await postForm(`/${LOCAL_ACCOUNT}/${QUEUE}`, send, 'sqs', WRONG_SECRET);
    const stranger = await postForm(`/${LOCAL_ACCOUNT}/${QUEUE}`, send, 'sqs', STRANGER);
    // Assess: the query protocol's <ErrorResponse><Error><Type>Sender</Type><Code>…
    expect(unsigned.status).toBe(403);
    expect(unsigned.body).toContain('<Type>Sender</Type><Code>MissingAuthenticationToken</Code>');
    expect(wrong.status).toBe(403);
    expect(wrong.body).toContain('<Code>SignatureDoesNotMatch</Code>');
    expect(stranger.status).toBe(403);
    expect(stranger.body).toContain('<Code>InvalidClientTokenId</Code>');
    expect(sqs.listMessages(queueArn(QUEUE))).toHaveLength(0);
  });

  it('answers a SendMessage signed with the local keys', async () => {
    // Act
    const answer = await postForm(`/${LOCAL_ACCOUNT}/${QUEUE}`, send, 'sqs', LOCAL_CREDENTIALS);
    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('<SendMessageResponse');
    expect(sqs.listMessages(queueArn(QUEUE)).map((m) => m.body)).toEqual(['over query']);
    await sqsClient(LOCAL_CREDENTIALS).send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
  });
});

describe('EventBridge PutEvents verifies SigV4 with the local IAM keys', () => {
  const entry = { EventBusName: BUS, Source: 'orderloop.orders', DetailType: 'T', Detail: '{"n":1}' };

  it('refuses unsigned, wrongly signed and unknown-key PutEvents and routes nothing', async () => {
    // Act
    const unsigned = await postUnsignedJson('AWSEvents.PutEvents', { Entries: [entry] });
    const wrong = await refusal(busClient(WRONG_SECRET).send(new PutEventsCommand({ Entries: [entry] })));
    const stranger = await refusal(busClient(STRANGER).send(new PutEventsCommand({ Entries: [entry] })));
    await bus.idle();
    // Assess: the JSON protocol's codes, as the local Cognito and DynamoDB answer them
    expect(unsigned).toEqual({
      status: 403,
      body: {
        __type: 'MissingAuthenticationTokenException',
        message: 'Request is missing Authentication Token',
      },
    });
    expect(wrong).toEqual({ name: 'InvalidSignatureException', status: 403 });
    expect(stranger).toEqual({ name: 'UnrecognizedClientException', status: 403 });
    expect(delivered).toHaveLength(0);
  });

  it('routes an event signed with the local keys', async () => {
    // Act
    const out = await busClient(LOCAL_CREDENTIALS).send(new PutEventsCommand({ Entries: [entry] }));
    await bus.idle();
    // Assess
    expect(out.FailedEntryCount).toBe(0);
    expect(delivered).toHaveLength(1);
  });
});

describe('SNS Publish verifies SigV4 with the local IAM keys', () => {
  const publish = { Action: 'Publish', Version: '2010-03-31', TopicArn: TOPIC, Message: 'hello' };

  it('refuses unsigned, wrongly signed and unknown-key Publish and keeps nothing', async () => {
    // Act
    const unsigned = await postForm('/', publish, 'sns');
    const wrong = await refusal(
      snsClient(WRONG_SECRET).send(new PublishCommand({ TopicArn: TOPIC, Message: 'hello' })),
    );
    const stranger = await postForm('/', publish, 'sns', STRANGER);
    // Assess: SNS "Common Errors", in the query protocol's XML error
    expect(unsigned.status).toBe(403);
    expect(unsigned.body).toContain('<Code>MissingAuthenticationToken</Code>');
    expect(wrong).toEqual({ name: 'SignatureDoesNotMatch', status: 403 });
    expect(stranger.status).toBe(403);
    expect(stranger.body).toContain('<Code>InvalidClientTokenId</Code>');
    expect(sns.listOutbox(TOPIC)).toHaveLength(0);
  });

  it('publishes a message signed with the local keys', async () => {
    // Act
    const out = await snsClient(LOCAL_CREDENTIALS).send(
      new PublishCommand({ TopicArn: TOPIC, Message: 'hello' }),
    );
    // Assess
    expect(out.MessageId).toBeTruthy();
    expect(sns.listOutbox(TOPIC).map((m) => m.message)).toEqual(['hello']);
  });
});

describe('Lambda Invoke and the read operations verify SigV4 with the local IAM keys', () => {
  it('refuses unsigned, wrongly signed and unknown-key calls without running the function', async () => {
    // Prepare
    const invoke = new InvokeCommand({ FunctionName: FUNCTION, Payload: JSON.stringify({ orderId: 'o-x' }) });
    // Act
    const unsigned = await fetch(`${endpoint}/2015-03-31/functions/${FUNCTION}/invocations`, {
      method: 'POST',
      body: JSON.stringify({ orderId: 'o-x' }),
    });
    const unsignedList = await fetch(`${endpoint}/2015-03-31/functions/`);
    const wrong = await refusal(lambdaClient(WRONG_SECRET).send(invoke));
    const stranger = await refusal(lambdaClient(STRANGER).send(new ListFunctionsCommand({})));
    await host.whenIdle();
    // Assess: Lambda's REST errors carry the code in x-amzn-errortype
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(unsignedList.status).toBe(403);
    expect(await unsignedList.json()).toEqual({
      Type: 'User',
      message: 'Request is missing Authentication Token',
    });
    expect(wrong).toEqual({ name: 'InvalidSignatureException', status: 403 });
    expect(stranger).toEqual({ name: 'UnrecognizedClientException', status: 403 });
    expect(logLines.join('\n')).not.toContain('ran for');
  });

  it('invokes the function for a call signed with the local keys', async () => {
    // Act
    const out = await lambdaClient(LOCAL_CREDENTIALS).send(
      new InvokeCommand({ FunctionName: FUNCTION, Payload: JSON.stringify({ orderId: 'o-1' }) }),
    );
    // Assess
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toEqual({ ok: 'o-1' });
    expect(logLines.join('\n')).toContain('ran for o-1');
  });
});
