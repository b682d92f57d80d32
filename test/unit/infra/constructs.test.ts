import { App, Duration, Stack } from 'aws-cdk-lib';
import { AttributeType, StreamViewType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Schedule } from 'aws-cdk-lib/aws-events';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { UserPool } from 'aws-cdk-lib/aws-cognito';
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { EventConsumer } from '../../../infra/constructs/event-consumer.js';
import { OrderEventsPipe } from '../../../infra/constructs/order-events-pipe.js';
import { OrderApi } from '../../../infra/constructs/order-api.js';
import { assertManifestMatchesSchema } from '../../../infra/manifest-check.js';
import { ROOT } from '../../../infra/bundling.js';
import type { ResolverEntry } from '../../../resolvers/manifest.js';

function stack() {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return new Stack(app, 'Test');
}

describe('EventConsumer validation', () => {
  const base = (s: Stack) => ({ functionDir: 'inventory', bus: new EventBus(s, 'Bus') });

  it('rejects a consumer with neither event types nor a schedule', () => {
    const s = stack();
    expect(() => new EventConsumer(s, 'C', base(s))).toThrow(
      'EventConsumer C needs a trigger: eventTypes, a schedule or both, received neither',
    );
  });

  it('creates one rule per trigger when given both event types and a schedule', () => {
    const s = stack();
    const consumer = new EventConsumer(s, 'C', {
      ...base(s),
      eventTypes: ['order.statusChanged'],
      schedule: Schedule.rate(Duration.minutes(1)),
    });
    expect(consumer.rules).toHaveLength(2);
  });

  it('rejects eventData without event types', () => {
    const s = stack();
    expect(
      () =>
        new EventConsumer(s, 'C', {
          ...base(s),
          schedule: Schedule.rate(Duration.minutes(1)),
          eventData: { status: ['X'] },
        }),
    ).toThrow('EventConsumer C: eventData narrows eventTypes, received eventData without eventTypes');
  });

  it('rejects eventDataByType naming a type the consumer does not listen to', () => {
    const s = stack();
    expect(
      () =>
        new EventConsumer(s, 'C', {
          ...base(s),
          eventTypes: ['order.statusChanged'],
          eventDataByType: { 'payment.requested': { status: ['X'] } },
        }),
    ).toThrow(
      'EventConsumer C: eventDataByType narrows the eventTypes it names and replaces eventData, received types not in eventTypes: payment.requested',
    );
  });

  it('rejects Lambda retry attempts above 2', () => {
    const s = stack();
    expect(() => new EventConsumer(s, 'C', { ...base(s), eventTypes: ['x'], retryAttempts: 3 })).toThrow(
      'retryAttempts must be an integer between 0 and 2, received 3',
    );
  });

  it('rejects EventBridge retry attempts above 185', () => {
    const s = stack();
    expect(
      () => new EventConsumer(s, 'C', { ...base(s), eventTypes: ['x'], targetRetryAttempts: 500 }),
    ).toThrow('targetRetryAttempts must be an integer between 0 and 185, received 500');
  });

  it('rejects an event age outside 60 s to 6 h', () => {
    const s = stack();
    expect(
      () => new EventConsumer(s, 'C', { ...base(s), eventTypes: ['x'], maxEventAge: Duration.seconds(10) }),
    ).toThrow('maxEventAge (seconds) must be an integer between 60 and 21600, received 10');
  });

  it('rejects a memory size outside 128 to 10240 MB', () => {
    const s = stack();
    expect(() => new EventConsumer(s, 'C', { ...base(s), eventTypes: ['x'], memorySize: 64 })).toThrow(
      'memorySize must be an integer between 128 and 10240, received 64',
    );
  });

  it('rejects a logLevel context value that is not a log level', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], logLevel: 'LOUD' } });
    const s = new Stack(app, 'Test');
    expect(() => new EventConsumer(s, 'C', { ...base(s), eventTypes: ['x'] })).toThrow(
      'logLevel must be one of DEBUG, INFO, WARN, ERROR, received LOUD',
    );
  });
});

describe('OrderEventsPipe validation', () => {
  const parts = (s: Stack, stream = true) => ({
    table: stream
      ? new TableV2(s, 'T', {
          partitionKey: { name: 'PK', type: AttributeType.STRING },
          dynamoStream: StreamViewType.NEW_AND_OLD_IMAGES,
        })
      : TableV2.fromTableArn(s, 'T', 'arn:aws:dynamodb:us-east-1:111111111111:table/no-stream'),
    bus: new EventBus(s, 'Bus'),
    enrichment: new LambdaFunction(s, 'Fn', {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler = async (r) => r;'),
    }),
  });

  it('rejects a batch size above 10000', () => {
    const s = stack();
    expect(() => new OrderEventsPipe(s, 'P', { ...parts(s), batchSize: 500_000 })).toThrow(
      'batchSize must be an integer between 1 and 10000, received 500000',
    );
  });

  it('rejects a batching window above 300 seconds', () => {
    const s = stack();
    expect(() => new OrderEventsPipe(s, 'P', { ...parts(s), batchingWindowSeconds: 301 })).toThrow(
      'batchingWindowSeconds must be an integer between 0 and 300, received 301',
    );
  });

  it('rejects infinite retries, so a poison record cannot block the shard forever', () => {
    const s = stack();
    expect(() => new OrderEventsPipe(s, 'P', { ...parts(s), maximumRetryAttempts: -1 })).toThrow(
      'maximumRetryAttempts must be an integer between 0 and 10000, received -1',
    );
  });

  it('rejects a record age below 60 seconds', () => {
    const s = stack();
    expect(() => new OrderEventsPipe(s, 'P', { ...parts(s), maximumRecordAgeSeconds: 5 })).toThrow(
      'maximumRecordAgeSeconds must be an integer between 60 and 604800, received 5',
    );
  });

  it('fails when the table has no stream', () => {
    const s = stack();
    expect(() => new OrderEventsPipe(s, 'P', parts(s, false))).toThrow(/needs a table with a stream/);
  });
});

describe('OrderApi validation', () => {
  const props = (s: Stack) => ({
    schemaFile: join(ROOT, 'schema.graphql'),
    table: new TableV2(s, 'T', { partitionKey: { name: 'PK', type: AttributeType.STRING } }),
    userPool: new UserPool(s, 'Pool'),
    resolvers: [] as ResolverEntry[],
    functions: {},
  });

  it('rejects a query depth limit above 75', () => {
    const s = stack();
    expect(() => new OrderApi(s, 'Api', { ...props(s), queryDepthLimit: 100 })).toThrow(
      'queryDepthLimit must be an integer between 1 and 75, received 100',
    );
  });

  it('rejects a resolver count limit of 0', () => {
    const s = stack();
    expect(() => new OrderApi(s, 'Api', { ...props(s), resolverCountLimit: 0 })).toThrow(
      'resolverCountLimit must be an integer between 1 and 10000, received 0',
    );
  });

  it('rejects an API key that lives longer than 365 days', () => {
    const s = stack();
    expect(() => new OrderApi(s, 'Api', { ...props(s), apiKeyDays: 400 })).toThrow(
      'apiKeyDays must be an integer between 1 and 365, received 400',
    );
  });

  it('fails when a unit resolver names a data source that is not configured', () => {
    const s = stack();
    const resolvers: ResolverEntry[] = [
      {
        typeName: 'Query',
        fieldName: 'askAboutOrders',
        kind: 'unit',
        code: 'Query.askAboutOrders.ts',
        dataSource: 'assistant',
      },
    ];
    expect(() => new OrderApi(s, 'Api', { ...props(s), resolvers })).toThrow(
      "data source 'assistant' is not configured on OrderApi Api",
    );
  });
});

describe('manifest check at synth', () => {
  const schema = 'type Query { a: Int } type Mutation { b: Int }';

  it('fails naming a type the schema does not have', () => {
    const entry = {
      typeName: 'Subscription',
      fieldName: 'onX',
      kind: 'unit',
      code: 'x.ts',
      dataSource: 'none',
    };
    expect(() => assertManifestMatchesSchema(schema, [entry as never], {})).toThrow(
      "resolver manifest: type 'Subscription' (for Subscription.onX) is not in schema.graphql",
    );
  });

  it('fails naming a field the schema does not have', () => {
    const entry = { typeName: 'Query', fieldName: 'nope', kind: 'unit', code: 'x.ts', dataSource: 'none' };
    expect(() => assertManifestMatchesSchema(schema, [entry as never], {})).toThrow(
      "resolver manifest: field 'Query.nope' is not in schema.graphql",
    );
  });

  it('fails when one field has two resolvers', () => {
    const entry = { typeName: 'Query', fieldName: 'a', kind: 'unit', code: 'x.ts', dataSource: 'none' };
    expect(() => assertManifestMatchesSchema(schema, [entry, entry] as never, {})).toThrow(
      'resolver manifest: Query.a has more than one resolver',
    );
  });

  it('fails naming a pipeline function that is not defined', () => {
    const entry = {
      typeName: 'Mutation',
      fieldName: 'b',
      kind: 'pipeline',
      code: 'x.ts',
      functions: ['ghost'],
    };
    expect(() => assertManifestMatchesSchema(schema, [entry as never], {})).toThrow(
      "resolver manifest: Mutation.b uses unknown function 'ghost'",
    );
  });

  it('accepts the real manifest', async () => {
    const { resolvers, functions } = await import('../../../resolvers/manifest.js');
    const { readFileSync } = await import('node:fs');
    expect(() =>
      assertManifestMatchesSchema(readFileSync(join(ROOT, 'schema.graphql'), 'utf8'), resolvers, functions),
    ).not.toThrow();
  });
});
