import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DescribeRuleCommand,
  EventBridgeClient,
  ListEventBusesCommand,
  ListRulesCommand,
  PutEventsCommand,
  ResourceNotFoundException,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import { afterEach, describe, expect, it } from 'vitest';
import {
  eventBusArn,
  functionArn,
  LOCAL_ACCOUNT,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  localArn,
  queueArn,
} from '../../../aws-ids.js';
import { createAwsJsonRouter } from '../../../aws-json.js';
import {
  EventBridgeService,
  type MessageAttribute,
  type RuleConfig,
  type TargetConfig,
  type TargetPorts,
} from '../../../events/eventbridge/index.js';

interface Sent {
  readonly arn: string;
  readonly body: string;
  readonly attributes?: Readonly<Record<string, MessageAttribute>>;
}

/** Ports that record every hand-off; `lambdaFailures` makes the next N Lambda hand-offs throw. */
function recordingPorts(lambdaFailures = 0) {
  const lambda: Sent[] = [];
  const sqs: Sent[] = [];
  let failuresLeft = lambdaFailures;
  const ports: TargetPorts = {
    async invokeLambdaAsync(arn, payload) {
      if (failuresLeft-- > 0) throw new Error('Lambda hand-off refused');
      lambda.push({ arn, body: payload });
    },
    async sendToQueue(arn, body, attributes) {
      sqs.push({ arn, body, attributes });
    },
  };
  return { ports, lambda, sqs };
}

const BUS = 'orders';
const ordersQueue = queueArn('orders-audit');
const dlq = queueArn('orders-dlq');
const notifier = functionArn('notifier');

const rule = (name: string, props: Partial<RuleConfig> & { targets: TargetConfig[] }): RuleConfig => ({
  name,
  arn: localArn('events', `rule/${props.busName ?? BUS}/${name}`),
  busName: BUS,
  state: 'ENABLED',
  ...props,
});

const entry = (overrides: Record<string, unknown> = {}) => ({
  EventBusName: BUS,
  Source: 'orderloop.orders',
  DetailType: 'OrderPlaced',
  Detail: JSON.stringify({ orderId: 'o-1', total: 42 }),
  ...overrides,
});

const servers: Server[] = [];
const services: EventBridgeService[] = [];
afterEach(async () => {
  services.splice(0).forEach((s) => s.stop());
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A real HTTP server on 127.0.0.1 with the service behind the AWS JSON router, and an SDK client for it. */
async function start(rules: RuleConfig[], ports: TargetPorts) {
  const service = new EventBridgeService({
    buses: [{ name: BUS, arn: eventBusArn(BUS) }],
    rules,
    ports,
    timing: { backoff: () => 1 },
  });
  const route = createAwsJsonRouter([service]);
  const server = createServer((req, res) => {
    void route(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  services.push(service);
  const { port } = server.address() as AddressInfo;
  const client = new EventBridgeClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  return { service, client };
}

describe('EventBridgeService over @aws-sdk/client-eventbridge', () => {
  it('delivers a matching event to an SQS target as the EventBridge envelope', async () => {
    // Prepare
    const { ports, sqs } = recordingPorts();
    const { service, client } = await start(
      [
        rule('audit', {
          eventPattern: { source: ['orderloop.orders'] },
          targets: [{ id: 'q', arn: ordersQueue }],
        }),
      ],
      ports,
    );
    // Act
    const out = await client.send(new PutEventsCommand({ Entries: [entry({ Resources: ['arn:x'] })] }));
    await service.idle();
    // Assess: "Amazon EventBridge events" — the envelope fields EventBridge adds.
    expect(out.FailedEntryCount).toBe(0);
    expect(sqs).toHaveLength(1);
    const delivered = JSON.parse(sqs[0]!.body) as Record<string, unknown>;
    expect(delivered).toMatchObject({
      version: '0',
      id: out.Entries![0]!.EventId,
      'detail-type': 'OrderPlaced',
      source: 'orderloop.orders',
      account: LOCAL_ACCOUNT,
      region: LOCAL_REGION,
      resources: ['arn:x'],
      detail: { orderId: 'o-1', total: 42 },
    });
    expect(delivered.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(sqs[0]!.arn).toBe(ordersQueue);
  });

  it('hands a Lambda target the transformed input and skips rules that do not match or are disabled', async () => {
    // Prepare
    const { ports, lambda, sqs } = recordingPorts();
    const { service, client } = await start(
      [
        rule('notify', {
          eventPattern: { 'detail-type': ['OrderPlaced'], detail: { total: [{ numeric: ['>', 10] }] } },
          targets: [
            {
              id: 'fn',
              arn: notifier,
              inputTransformer: {
                inputPathsMap: { id: '$.detail.orderId' },
                inputTemplate: '{"order": <id>, "rule": <aws.events.rule-name>}',
              },
            },
          ],
        }),
        rule('refunds', {
          eventPattern: { 'detail-type': ['OrderRefunded'] },
          targets: [{ id: 'q', arn: ordersQueue }],
        }),
        rule('off', {
          state: 'DISABLED',
          eventPattern: { source: ['orderloop.orders'] },
          targets: [{ id: 'q', arn: ordersQueue }],
        }),
      ],
      ports,
    );
    // Act
    await client.send(new PutEventsCommand({ Entries: [entry()] }));
    await service.idle();
    // Assess
    expect(lambda).toEqual([{ arn: notifier, body: '{"order":"o-1","rule":"notify"}' }]);
    expect(sqs).toEqual([]);
  });

  it('reports each failed entry with its error code while accepting the others', async () => {
    // Prepare
    const { ports } = recordingPorts();
    const { client } = await start([], ports);
    // Act
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          entry(),
          entry({ Source: undefined }),
          entry({ DetailType: undefined }),
          entry({ Detail: undefined }),
          entry({ Detail: '[1, 2]' }),
          entry({ Detail: '{not json' }),
          entry({ EventBusName: 'missing-bus' }),
        ],
      }),
    );
    // Assess: PutEvents API reference — FailedEntryCount and per-entry ErrorCode/ErrorMessage, in order.
    expect(out.FailedEntryCount).toBe(6);
    expect(out.Entries![0]!.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.Entries!.slice(1).map((e) => e.ErrorCode)).toEqual([
      'InvalidArgument',
      'InvalidArgument',
      'InvalidArgument',
      'MalformedDetail',
      'MalformedDetail',
      'ResourceNotFoundException',
    ]);
    expect(out.Entries![1]!.ErrorMessage).toBe(
      'Parameter Source is not valid. Reason: Source is a required argument.',
    );
    expect(out.Entries![3]!.ErrorMessage).toBe(
      'Parameter Detail is not valid. Reason: Detail is a required argument.',
    );
  });

  it('rejects more than 10 entries with a ValidationException', async () => {
    // Prepare
    const { ports } = recordingPorts();
    const { client } = await start([], ports);
    // Act
    const act = client.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry()) }));
    // Assess: PutEvents API reference — Entries holds 1 to 10 items.
    await expect(act).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('retries a failing target and then writes the event to its DLQ with the documented attributes', async () => {
    // Prepare
    const { ports, lambda, sqs } = recordingPorts(Infinity);
    const notifyRule = rule('notify', {
      eventPattern: { source: ['orderloop.orders'] },
      targets: [{ id: 'fn', arn: notifier, retryPolicy: { maximumRetryAttempts: 2 }, deadLetterArn: dlq }],
    });
    const { service, client } = await start([notifyRule], ports);
    const failures: number[] = [];
    service.onEvent((a) => a.type === 'attempt-failed' && failures.push(a.attempt));
    // Act
    const out = await client.send(new PutEventsCommand({ Entries: [entry()] }));
    await service.idle();
    // Assess: "Event retry policy and using dead-letter queues" — one try plus MaximumRetryAttempts retries.
    expect(failures).toEqual([1, 2, 3]);
    expect(lambda).toEqual([]);
    expect(sqs).toHaveLength(1);
    expect(sqs[0]!.arn).toBe(dlq);
    expect(JSON.parse(sqs[0]!.body)).toMatchObject({
      id: out.Entries![0]!.EventId,
      source: 'orderloop.orders',
    });
    const attr = (name: string) => sqs[0]!.attributes?.[name]?.StringValue;
    expect(attr('RULE_ARN')).toBe(notifyRule.arn);
    expect(attr('TARGET_ARN')).toBe(notifier);
    expect(attr('ERROR_CODE')).toBe('SDK_CLIENT_ERROR');
    expect(attr('ERROR_MESSAGE')).toBe('Lambda hand-off refused');
    expect(attr('EXHAUSTED_RETRY_CONDITION')).toBe('MaximumRetryAttemptsExhausted');
    expect(attr('RETRY_ATTEMPTS')).toBe('2');
  });

  it('delivers after transient failures without touching the DLQ', async () => {
    // Prepare
    const { ports, lambda, sqs } = recordingPorts(2);
    const { service, client } = await start(
      [
        rule('notify', {
          eventPattern: { source: ['orderloop.orders'] },
          targets: [{ id: 'fn', arn: notifier, deadLetterArn: dlq }],
        }),
      ],
      ports,
    );
    const outcomes: unknown[] = [];
    service.onEvent((a) => a.type === 'outcome' && outcomes.push(a.outcome));
    // Act
    await client.send(new PutEventsCommand({ Entries: [entry()] }));
    await service.idle();
    // Assess
    expect(lambda).toHaveLength(1);
    expect(sqs).toEqual([]);
    expect(outcomes).toEqual([{ type: 'delivered', attempts: 3 }]);
  });

  it('sends a scheduled rule target the Scheduled Event shape when the rule is triggered', async () => {
    // Prepare
    const { ports, sqs } = recordingPorts();
    const tick = rule('tick', {
      busName: 'default',
      scheduleExpression: 'cron(0/5 * * * ? *)',
      targets: [{ id: 'q', arn: ordersQueue }],
    });
    const { service } = await start([tick], ports);
    // Act
    const fired = service.triggerRule('tick');
    await service.idle();
    // Assess: "Creating a rule that runs on a schedule" — the scheduled event envelope.
    expect(JSON.parse(sqs[0]!.body)).toEqual({
      version: '0',
      id: fired.id,
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: LOCAL_ACCOUNT,
      time: fired.time,
      region: LOCAL_REGION,
      resources: [tick.arn],
      detail: {},
    });
  });

  it('describes and lists rules and buses', async () => {
    // Prepare
    const { ports } = recordingPorts();
    const audit = rule('audit', { eventPattern: { source: ['orderloop.orders'] }, targets: [] });
    const { client } = await start([audit], ports);
    // Act
    const described = await client.send(new DescribeRuleCommand({ Name: 'audit', EventBusName: BUS }));
    const listed = await client.send(new ListRulesCommand({ EventBusName: eventBusArn(BUS) }));
    const buses = await client.send(new ListEventBusesCommand({}));
    // Assess
    expect(described).toMatchObject({ Name: 'audit', Arn: audit.arn, State: 'ENABLED', EventBusName: BUS });
    expect(JSON.parse(described.EventPattern!)).toEqual({ source: ['orderloop.orders'] });
    expect(listed.Rules!.map((r) => r.Name)).toEqual(['audit']);
    expect(buses.EventBuses!.map((b) => b.Name).sort()).toEqual(['default', BUS]);
  });

  it('fails when describing a rule that does not exist', async () => {
    // Prepare
    const { ports } = recordingPorts();
    const { client } = await start([], ports);
    // Act
    const act = client.send(new DescribeRuleCommand({ Name: 'nope' }));
    // Assess
    await expect(act).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(act).rejects.toThrow('Rule nope does not exist on EventBus default.');
  });

  it('answers TestEventPattern with the shared matcher', async () => {
    // Prepare
    const { ports } = recordingPorts();
    const { client } = await start([], ports);
    const event = {
      id: '1',
      account: LOCAL_ACCOUNT,
      source: 'a',
      time: '2024-01-01T00:00:00Z',
      region: LOCAL_REGION,
      resources: [],
      'detail-type': 'x',
      detail: { n: 3 },
    };
    // Act
    const hit = await client.send(
      new TestEventPatternCommand({
        EventPattern: '{"detail":{"n":[{"numeric":[">",2]}]}}',
        Event: JSON.stringify(event),
      }),
    );
    const miss = await client.send(
      new TestEventPatternCommand({
        EventPattern: '{"detail":{"n":[{"numeric":[">",5]}]}}',
        Event: JSON.stringify(event),
      }),
    );
    const bad = client.send(
      new TestEventPatternCommand({ EventPattern: '{"detail":"x"}', Event: JSON.stringify(event) }),
    );
    // Assess
    expect(hit.Result).toBe(true);
    expect(miss.Result).toBe(false);
    await expect(bad).rejects.toMatchObject({ name: 'InvalidEventPatternException' });
  });
});
