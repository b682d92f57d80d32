import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '@orderloop/local/stack';
import { aws, awsJson, CLI_TEST_TIMEOUT_MS } from '@orderloop/local/testing/aws-cli';
import { graphql } from './support/clients.js';
import { sharedDynamoDbOption } from './support/shared-dynamodb.js';

// The AWS CLI v2 as a user runs it against `npm start`: only --endpoint-url and the printed keys
// (support/aws-cli.ts clears every other AWS setting). Debian's awscli 2.9.19 speaks SQS's query protocol.
describe('the local stack through the AWS CLI v2', () => {
  let stack: LocalStack;
  let endpoint: string;

  beforeAll(async () => {
    stack = await startLocalStack({ port: 0, seed: true, quiet: true, dynamodb: sharedDynamoDbOption() });
    endpoint = stack.endpoints.cognito.endpoint;
  });

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it(
    'signs in with cognito-idp initiate-auth and the ID token calls the API',
    async () => {
      // Prepare
      const customer = stack.endpoints.users.find((u) => u.groups.includes('customer'))!;
      // Act
      const out = await awsJson<{ AuthenticationResult: { IdToken: string } }>(endpoint, [
        'cognito-idp',
        'initiate-auth',
        '--client-id',
        stack.endpoints.cognito.clientId,
        '--auth-flow',
        'USER_PASSWORD_AUTH',
        '--auth-parameters',
        `USERNAME=${customer.username},PASSWORD=${customer.password}`,
      ]);
      const answer = await graphql(
        stack.endpoints,
        '{ myOrders { items { id } } }',
        {},
        {
          authorization: out.AuthenticationResult.IdToken,
        },
      );
      // Assess
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data).toEqual({ myOrders: { items: [] } });
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    "lists the template's queues over SQS's query protocol",
    async () => {
      // Act
      const out = await awsJson<{ QueueUrls: string[] }>(endpoint, ['sqs', 'list-queues']);
      // Assess
      expect(out.QueueUrls.map((u) => u.split('/').pop()).sort()).toEqual(
        stack.events.config.queues.map((q) => q.name).sort(),
      );
      expect(out.QueueUrls.every((u) => u.startsWith(`${endpoint}/`))).toBe(true);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'puts an event on the bus',
    async () => {
      // Prepare
      const bus = stack.events.config.buses.find((b) => b.name !== 'default')!;
      const before = stack.counters.events.eventBridgeEvents;
      // Act
      const out = await awsJson<{ FailedEntryCount: number; Entries: { EventId?: string }[] }>(endpoint, [
        'events',
        'put-events',
        '--entries',
        JSON.stringify([
          {
            Source: 'orderloop.cli',
            DetailType: 'cli.ping',
            Detail: '{"from":"aws-cli"}',
            EventBusName: bus.name,
          },
        ]),
      ]);
      // Assess
      expect(out.FailedEntryCount).toBe(0);
      expect(out.Entries[0]?.EventId).toMatch(/\S/);
      expect(stack.counters.events.eventBridgeEvents).toBe(before + 1);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    "lists the template's functions and gets one",
    async () => {
      // Prepare
      const names = stack.events.config.functions.map((f) => f.name).sort();
      // Act
      const listed = await awsJson<{ Functions: { FunctionName: string; Runtime: string }[] }>(endpoint, [
        'lambda',
        'list-functions',
      ]);
      const one = await awsJson<{ Configuration: { FunctionName: string; Handler: string } }>(endpoint, [
        'lambda',
        'get-function',
        '--function-name',
        names[0]!,
      ]);
      // Assess
      expect(listed.Functions.map((f) => f.FunctionName).sort()).toEqual(names);
      expect(listed.Functions.every((f) => f.Runtime.startsWith('nodejs'))).toBe(true);
      expect(one.Configuration.FunctionName).toBe(names[0]);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'lists the tables and reads the seeded catalog through the gateway port',
    async () => {
      // Act
      const tables = await awsJson<{ TableNames: string[] }>(endpoint, ['dynamodb', 'list-tables']);
      const table = tables.TableNames[0]!;
      const scan = await awsJson<{ Count: number }>(endpoint, [
        'dynamodb',
        'scan',
        '--table-name',
        table,
        '--select',
        'COUNT',
      ]);
      // Assess: the template's one table, and no other stack's on the tier's shared DynamoDB Local
      const own = ['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable']
        .flatMap((type) => stack.assembly.resources(type))
        .map((t) => t.physicalName);
      expect(tables.TableNames).toEqual(own.sort());
      expect(tables.TableNames).toHaveLength(1);
      expect(scan.Count).toBeGreaterThan(0);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'is refused by DynamoDB with keys the local stack does not know',
    async () => {
      // Act: the same CLI with a stranger's keys
      const out = await aws(endpoint, ['dynamodb', 'list-tables'], {
        AWS_ACCESS_KEY_ID: 'AKIASTRANGER0000000',
        AWS_SECRET_ACCESS_KEY: 'not-the-local-secret',
      });
      // Assess
      expect(out.code).not.toBe(0);
      expect(out.stderr).toContain('UnrecognizedClientException');
    },
    CLI_TEST_TIMEOUT_MS,
  );
});
