import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthTemplates } from './synth.js';
import { matchesPattern, type EventPattern } from '@orderloop/local/events/pattern';
import { resolvers, functions } from '../../../resolvers/manifest.js';

let t: ReturnType<typeof synthTemplates>;
beforeAll(() => {
  t = synthTemplates();
}, 120_000);

describe('stateful stack', () => {
  it('keeps one single-table design table with a stream, PITR, deletion protection and the three GSIs', () => {
    t.data.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      GlobalSecondaryIndexes: [
        Match.objectLike({ IndexName: 'byCustomer' }),
        Match.objectLike({ IndexName: 'byVendor' }),
        Match.objectLike({ IndexName: 'byStatus' }),
      ],
      Replicas: [
        Match.objectLike({
          DeletionProtectionEnabled: true,
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        }),
      ],
    });
  });

  it('projects only keys into every GSI, so a status or stock change writes no index entry', () => {
    const keysOnly = { Projection: { ProjectionType: 'KEYS_ONLY' } };
    t.data.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      GlobalSecondaryIndexes: [
        Match.objectLike({ IndexName: 'byCustomer', ...keysOnly }),
        Match.objectLike({ IndexName: 'byVendor', ...keysOnly }),
        Match.objectLike({ IndexName: 'byStatus', ...keysOnly }),
      ],
    });
  });

  it('holds the single table only: the payment consumer keeps no idempotency table', () => {
    const tables = t.data.findResources('AWS::DynamoDB::GlobalTable');
    expect(Object.keys(tables)).toHaveLength(1);
    expect(Object.keys(t.data.toJSON().Outputs ?? {}).sort()).toEqual(['TableArn', 'TableStreamArn']);
  });

  it('retains the table when the stack is deleted', () => {
    const tables = t.data.findResources('AWS::DynamoDB::GlobalTable');
    expect(Object.values(tables).map((r) => r.DeletionPolicy)).toEqual(['Retain']);
  });
});

describe('API stack: AppSync', () => {
  it('uses Cognito user pools by default with IAM and an API key as additional modes', () => {
    t.api.hasResourceProperties('AWS::AppSync::GraphQLApi', {
      AuthenticationType: 'AMAZON_COGNITO_USER_POOLS',
      AdditionalAuthenticationProviders: [
        { AuthenticationType: 'AWS_IAM' },
        { AuthenticationType: 'API_KEY' },
      ],
      XrayEnabled: true,
      LogConfig: Match.objectLike({ FieldLogLevel: 'ERROR' }),
      QueryDepthLimit: 10,
      ResolverCountLimit: 200,
      IntrospectionConfig: 'ENABLED',
      EnvironmentVariables: { TABLE_NAME: Match.anyValue() },
    });
    t.api.resourceCountIs('AWS::AppSync::ApiKey', 1);
  });

  it("keeps the vendor identity out of users' hands and puts it into both tokens", () => {
    // An immutable attribute only admins set at creation; the web client writes `name` and nothing else;
    // a V2_0 pre token generation trigger (Essentials plan) copies it into the access token.
    t.api.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Schema: [{ Name: 'vendorId', AttributeDataType: 'String', Mutable: false }],
      UserPoolTier: 'ESSENTIALS',
      LambdaConfig: { PreTokenGenerationConfig: { LambdaArn: Match.anyValue(), LambdaVersion: 'V2_0' } },
    });
    t.api.hasResourceProperties('AWS::Cognito::UserPoolClient', { WriteAttributes: ['name'] });
  });

  it('creates the customer, vendor and admin groups', () => {
    const groups = Object.values(t.api.findResources('AWS::Cognito::UserPoolGroup')).map(
      (g) => g.Properties.GroupName,
    );
    expect(groups.sort()).toEqual(['admin', 'customer', 'vendor']);
  });

  it('creates one APPSYNC_JS resolver per manifest entry, each with its bundled code', () => {
    const created = Object.values(t.api.findResources('AWS::AppSync::Resolver'));
    expect(created.map((r) => `${r.Properties.TypeName}.${r.Properties.FieldName}`).sort()).toEqual(
      resolvers.map((r) => `${r.typeName}.${r.fieldName}`).sort(),
    );
    for (const r of created) {
      expect(r.Properties.Runtime).toEqual({ Name: 'APPSYNC_JS', RuntimeVersion: '1.0.0' });
      expect(r.Properties.Code).toMatch(/export\s*\{/);
    }
  });

  it('creates each pipeline function once, with its code', () => {
    const created = Object.values(t.api.findResources('AWS::AppSync::FunctionConfiguration'));
    expect(created.map((f) => f.Properties.Name).sort()).toEqual(Object.keys(functions).sort());
    for (const f of created) expect(f.Properties.Code).toMatch(/function request/);
  });
});

describe('API stack: events', () => {
  it('pipes the table stream to the bus through the enrichment, with a filter, bisect, finite retries and a DLQ', () => {
    t.api.hasResourceProperties('AWS::Pipes::Pipe', {
      Source: { 'Fn::ImportValue': 'OrderloopData-TableStreamArn' },
      Enrichment: Match.anyValue(),
      SourceParameters: {
        DynamoDBStreamParameters: Match.objectLike({
          StartingPosition: 'TRIM_HORIZON',
          BatchSize: 10,
          // A partial batch goes at once: a status must not wait a window per pipe crossing (README, "Pipe settings").
          MaximumBatchingWindowInSeconds: 0,
          MaximumRetryAttempts: 3,
          OnPartialBatchItemFailure: 'AUTOMATIC_BISECT',
          DeadLetterConfig: { Arn: Match.anyValue() },
        }),
        FilterCriteria: { Filters: Match.arrayWith([{ Pattern: Match.stringLikeRegexp('"entity"') }]) },
      },
      TargetParameters: {
        EventBridgeEventBusParameters: { Source: 'orderloop.orders', DetailType: 'orderloop.domain-event' },
      },
    });
  });

  it('passes only the stream records a consumer acts on through the pipe filter', () => {
    // Prepare: the pipe's filter patterns, matched as Pipes matches them (any one of them)
    const pipe = Object.values(t.api.findResources('AWS::Pipes::Pipe'))[0]!;
    const patterns = (pipe.Properties.SourceParameters.FilterCriteria.Filters as { Pattern: string }[]).map(
      (f) => JSON.parse(f.Pattern) as EventPattern,
    );
    const passes = (eventName: string, entity: string, status = 'PAID', parts: string[] = ['PENDING']) =>
      patterns.some((p) =>
        matchesPattern(p, {
          eventName,
          dynamodb: {
            NewImage: {
              entity: { S: entity },
              status: { S: status },
              // The order item's embedded parts, as a stream image holds them (a list of maps).
              vendorOrders: {
                L: parts.map((s, i) => ({ M: { vendorId: { S: `v${i}` }, status: { S: s } } })),
              },
            },
          },
        }),
      );
    // Act / Assess: payment requests (an order's move to PAYMENT_PENDING) and changes of orders and stock
    // pass, and so do vendor parts' moves, which are the order item's: with the status they move the order
    // to, or, when the order stays PAID, by the part they close
    expect(passes('MODIFY', 'ORDER', 'PAYMENT_PENDING')).toBe(true);
    expect(passes('MODIFY', 'ORDER', 'CANCELLED')).toBe(true);
    expect(passes('MODIFY', 'ORDER', 'SHIPPED')).toBe(true);
    expect(passes('MODIFY', 'ORDER', 'FULFILLING', ['ACCEPTED', 'PENDING'])).toBe(true);
    expect(passes('MODIFY', 'ORDER', 'PAID', ['PENDING', 'REJECTED'])).toBe(true);
    expect(passes('MODIFY', 'ORDER', 'PAID', ['CANCELLED', 'PENDING'])).toBe(true);
    expect(passes('MODIFY', 'PRODUCT')).toBe(true);
    // but a new order (PLACED: placeOrder's answer is its push, through onOrderPlaced), a vendor's list
    // entry (keys only, written once), the vendor-order items of the earlier design (no longer written),
    // payment items (there are none any more: the attempt lives on the order), idempotency records,
    // history, notifications and removals do not
    expect(passes('INSERT', 'ORDER', 'PLACED')).toBe(false);
    expect(passes('INSERT', 'VENDOR_ORDER_ENTRY')).toBe(false);
    expect(passes('MODIFY', 'VENDOR_ORDER')).toBe(false);
    expect(passes('INSERT', 'VENDOR_ORDER')).toBe(false);
    expect(passes('INSERT', 'PAYMENT')).toBe(false);
    expect(passes('MODIFY', 'PAYMENT')).toBe(false);
    // nor PAID / PAYMENT_FAILED: the payment consumer's own request pushed them and sent their notices,
    // and no rule acts on them (a paid order's parts are all PENDING)
    expect(passes('MODIFY', 'ORDER', 'PAID', ['PENDING', 'PENDING'])).toBe(false);
    expect(passes('MODIFY', 'ORDER', 'PAYMENT_FAILED')).toBe(false);
    expect(passes('INSERT', 'IDEMPOTENCY')).toBe(false);
    expect(passes('INSERT', 'NOTIFICATION')).toBe(false);
    expect(passes('REMOVE', 'ORDER')).toBe(false);
  });

  it('routes domain events by detail.type to the inventory, payment and notification consumers, with retries and a DLQ', () => {
    const rules = Object.values(t.api.findResources('AWS::Events::Rule'));
    const typesOf = (detail: { type?: string[]; $or?: { type: string[] }[] }) =>
      detail.type ?? (detail.$or ?? []).flatMap((alternative) => alternative.type);
    const byType = rules
      .filter((r) => r.Properties.EventPattern)
      .map((r) => typesOf(r.Properties.EventPattern.detail));
    expect(byType).toHaveLength(4);
    expect(byType.flat()).toEqual(expect.arrayContaining(['payment.requested', 'order.statusChanged']));
    for (const rule of rules) {
      expect(rule.Properties.Targets[0]).toMatchObject({
        RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: expect.anything() },
      });
    }
  });

  it('invokes the payment and inventory consumers only for the events they act on', () => {
    // Prepare: the synthesized patterns, run through the local runtime's EventBridge matcher.
    const rules = Object.entries(t.api.findResources('AWS::Events::Rule'));
    const patternOf = (consumer: string) => {
      const found = rules.find(([id, r]) => id.startsWith(consumer) && r.Properties.EventPattern);
      return found![1].Properties.EventPattern as EventPattern;
    };
    const event = (type: string, status?: string) => ({
      source: 'orderloop.orders',
      'detail-type': 'orderloop.domain-event',
      detail: { type, data: status ? { status } : {} },
    });
    const receives = (consumer: string, type: string, status?: string) =>
      matchesPattern(patternOf(consumer), event(type, status));
    // Assess: payment charges requests and refunds cancelled or rejected parts; inventory commits a part's
    // stock when it ships and returns it on cancellation or rejection, and a payment moves no stock
    // (functions/*/logic.ts); nothing else invokes them.
    expect(receives('PaymentConsumer', 'payment.requested')).toBe(true);
    expect(receives('PaymentConsumer', 'order.statusChanged', 'CANCELLED')).toBe(true);
    expect(receives('PaymentConsumer', 'vendorOrder.statusChanged', 'REJECTED')).toBe(true);
    expect(receives('PaymentConsumer', 'vendorOrder.statusChanged', 'CANCELLED')).toBe(true);
    expect(receives('PaymentConsumer', 'order.statusChanged', 'PLACED')).toBe(false);
    expect(receives('PaymentConsumer', 'order.statusChanged', 'PAID')).toBe(false);
    expect(receives('PaymentConsumer', 'vendorOrder.statusChanged', 'PENDING')).toBe(false);
    expect(receives('InventoryConsumer', 'order.statusChanged', 'PAID')).toBe(false);
    expect(receives('InventoryConsumer', 'vendorOrder.statusChanged', 'SHIPPED')).toBe(true);
    expect(receives('InventoryConsumer', 'order.statusChanged', 'CANCELLED')).toBe(true);
    expect(receives('InventoryConsumer', 'vendorOrder.statusChanged', 'REJECTED')).toBe(true);
    expect(receives('InventoryConsumer', 'vendorOrder.statusChanged', 'CANCELLED')).toBe(true);
    expect(receives('InventoryConsumer', 'order.statusChanged', 'PLACED')).toBe(false);
    expect(receives('InventoryConsumer', 'order.statusChanged', 'PAYMENT_PENDING')).toBe(false);
    expect(receives('InventoryConsumer', 'vendorOrder.statusChanged', 'ACCEPTED')).toBe(false);
    expect(receives('InventoryConsumer', 'vendorOrder.statusChanged', 'DELIVERED')).toBe(false);
    expect(receives('InventoryConsumer', 'payment.requested')).toBe(false);
  });

  it('runs the unpaid-order sweeper on a schedule, and completes orders as soon as they are delivered', () => {
    t.api.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    t.api.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { detail: { type: ['order.statusChanged'], data: { status: ['DELIVERED'] } } },
    });
  });

  it('runs every orderloop Lambda on Node 22 and arm64 with tracing and an explicit log group', () => {
    // CDK's own LogRetention provider (for the AppSync log group) is not ours to configure.
    const fns = Object.values(t.api.findResources('AWS::Lambda::Function')).filter(
      (fn) => fn.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME,
    );
    expect(fns.map((fn) => fn.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME).sort()).toEqual([
      'assistant',
      'inventory',
      'notification',
      'payment',
      'pre-token-generation',
      'stream-enricher',
      'sweeper',
    ]);
    for (const fn of fns) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: expect.anything() },
        // the sweeper's scheduled run pages a 5-minute window of orders (docs/capacity.md)
        Timeout: fn.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME === 'sweeper' ? 120 : 30,
      });
    }
  });

  it("logs at WARN by default, in Lambda's log-level filtering and in Powertools, system lines included", () => {
    const fns = Object.values(t.api.findResources('AWS::Lambda::Function')).filter(
      (fn) => fn.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME,
    );
    const levelOf: Record<string, string> = {};
    for (const fn of fns) {
      const service = fn.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME as string;
      // The assistant keeps INFO: its "assistant answered" line records the model's token usage.
      const level = service === 'assistant' ? 'INFO' : 'WARN';
      levelOf[service] = fn.Properties.LoggingConfig.ApplicationLogLevel as string;
      expect(fn.Properties.LoggingConfig).toMatchObject({
        LogFormat: 'JSON',
        ApplicationLogLevel: level,
        SystemLogLevel: 'WARN',
      });
      expect(fn.Properties.Environment.Variables.POWERTOOLS_LOG_LEVEL).toBe(level);
    }
    expect(levelOf).toMatchObject({ assistant: 'INFO', notification: 'WARN', payment: 'WARN' });
  });

  it('sizes the consumers at 256 MB and the enricher at 128 MB', () => {
    const memoryOf = Object.fromEntries(
      Object.values(t.api.findResources('AWS::Lambda::Function'))
        .filter((fn) => fn.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME)
        .map((fn) => [fn.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME, fn.Properties.MemorySize]),
    );
    expect(memoryOf).toMatchObject({
      inventory: 256,
      payment: 256,
      notification: 256,
      sweeper: 256,
      'stream-enricher': 128,
    });
  });

  it('sends exhausted async invocations to an on-failure destination after two retries', () => {
    t.api.resourcePropertiesCountIs(
      'AWS::Lambda::EventInvokeConfig',
      { MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: { Destination: Match.anyValue() } } },
      4,
    );
  });

  it('encrypts every queue and denies non-TLS access to it', () => {
    const queues = Object.values(t.api.findResources('AWS::SQS::Queue'));
    expect(queues.length).toBe(5);
    for (const q of queues) expect(q.Properties.SqsManagedSseEnabled).toBe(true);
    t.api.resourcePropertiesCountIs(
      'AWS::SQS::QueuePolicy',
      {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      },
      5,
    );
  });

  it('lets the assistant call Bedrock and nothing else in Bedrock', () => {
    // Bedrock API reference, Converse: "This operation requires permission for the bedrock:InvokeModel action".
    t.api.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'bedrock:InvokeModel',
            Effect: 'Allow',
            Resource: {
              'Fn::Join': [
                '',
                Match.arrayWith([':bedrock:', '::foundation-model/anthropic.claude-3-haiku-20240307-v1:0']),
              ],
            },
          }),
        ]),
      },
    });
  });

  it('resolves askAboutOrders with the assistant Lambda', () => {
    const sources = t.api.findResources('AWS::AppSync::DataSource', { Properties: { Type: 'AWS_LAMBDA' } });
    expect(Object.keys(sources)).toHaveLength(1);
    const [lambdaSource] = Object.values(sources);
    t.api.hasResourceProperties('AWS::AppSync::Resolver', {
      TypeName: 'Query',
      FieldName: 'askAboutOrders',
      DataSourceName: lambdaSource?.Properties.Name,
    });
  });

  it('grants consumers only the IAM-only mutations', () => {
    const policies = JSON.stringify(t.api.findResources('AWS::IAM::Policy'));
    expect(policies).toContain('types/Mutation/fields/publishOrderStatus');
    expect(policies).not.toContain('types/Mutation/*');
  });
});

describe('API stack: monitoring', () => {
  it('alarms on every DLQ, on consumer errors and on AppSync 5xx, and has a dashboard', () => {
    const alarms = Object.values(t.api.findResources('AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties.MetricName,
    );
    expect(alarms.filter((m) => m === 'ApproximateNumberOfMessagesVisible')).toHaveLength(5);
    expect(alarms.filter((m) => m === 'Errors')).toHaveLength(4);
    expect(alarms).toContain('5XXError');
    t.api.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});
