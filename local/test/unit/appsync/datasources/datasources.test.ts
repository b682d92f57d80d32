import { describe, expect, it, vi } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  createDataSourceInvoker,
  INVALID_PAGE_TOKEN,
  PageTokenCodec,
  type ContextSnapshot,
  type DataSourceDeps,
  type PutEventsEntry,
} from '../../../../appsync/datasources/index.js';

const ctx: ContextSnapshot = {
  arguments: {},
  identity: null,
  source: null,
  stash: {},
  prev: null,
  info: {},
  request: {},
};
const FN = 'arn:aws:lambda:us-east-1:000000000000:function:payments';
const BUS = 'arn:aws:events:us-east-1:000000000000:event-bus/orders';

/** Fakes for every dependency; a test overrides the one it exercises. */
function fakeDeps(overrides: Partial<DataSourceDeps> = {}): DataSourceDeps {
  return {
    // Never called in these tests: no DynamoDB data source is invoked here.
    dynamodb: new DynamoDBClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' }),
    invokeLambda: vi.fn(async () => ({ payload: null })),
    putEvents: vi.fn(async () => ({ FailedEntryCount: 0, Entries: [] })),
    ...overrides,
  };
}

function invokerWith(deps: DataSourceDeps) {
  return createDataSourceInvoker(
    [
      { name: 'local', type: 'NONE' },
      { name: 'payments', type: 'AWS_LAMBDA', functionArn: FN },
      { name: 'bus', type: 'AMAZON_EVENTBRIDGE', eventBusArn: BUS },
      { name: 'vendorApi', type: 'HTTP', endpoint: 'https://vendor.example/' },
    ],
    deps,
  );
}

describe('NONE data source', () => {
  it('returns the request payload as the result', async () => {
    // Prepare
    const invoke = invokerWith(fakeDeps());
    // Act
    const outcome = await invoke('local', { payload: { id: 'o-1', total: 3 } }, ctx);
    // Assess: "JavaScript resolver function reference for None data source" — payload becomes ctx.result
    expect(outcome).toEqual({ result: { id: 'o-1', total: 3 } });
  });

  it('returns null when the request carries no payload', async () => {
    // Act
    const outcome = await invokerWith(fakeDeps())('local', {}, ctx);
    // Assess: "None data source" — the payload field is optional
    expect(outcome).toEqual({ result: null });
  });
});

describe('AWS_LAMBDA data source', () => {
  it('sends the payload as the event and returns the function answer', async () => {
    // Prepare
    const invokeLambda = vi.fn(async () => ({ payload: { charged: true } }));
    const invoke = invokerWith(fakeDeps({ invokeLambda }));
    // Act
    const outcome = await invoke('payments', { operation: 'Invoke', payload: { orderId: 'o-1' } }, ctx);
    // Assess: "JavaScript resolver function reference for Lambda" — Invoke sends payload, result is the answer
    expect(invokeLambda).toHaveBeenCalledWith(FN, { orderId: 'o-1' });
    expect(outcome).toEqual({ result: { charged: true } });
  });

  it('fails with Lambda:Unhandled and the thrown message when the function throws', async () => {
    // Prepare
    const invokeLambda = vi.fn(async () => ({
      payload: { errorType: 'CardDeclined', errorMessage: 'card declined', trace: [] },
      functionError: 'Unhandled',
    }));
    // Act
    const outcome = await invokerWith(fakeDeps({ invokeLambda }))(
      'payments',
      { operation: 'Invoke', payload: {} },
      ctx,
    );
    // Assess: a Lambda error reaches ctx.error with type Lambda:Unhandled
    expect(outcome).toEqual({ error: { type: 'Lambda:Unhandled', message: 'card declined' } });
  });

  it('sends a BatchInvoke as a list of payloads and returns the matching element', async () => {
    // Prepare
    const invokeLambda = vi.fn(async (_arn: string, event: unknown) => ({
      payload: (event as { id: string }[]).map((e) => ({ name: `vendor ${e.id}` })),
    }));
    // Act
    const outcome = await invokerWith(fakeDeps({ invokeLambda }))(
      'payments',
      { operation: 'BatchInvoke', payload: { id: 'v1' } },
      ctx,
    );
    // Assess: "Lambda" — BatchInvoke hands the function a list of payloads and maps the answers back in order
    expect(invokeLambda).toHaveBeenCalledWith(FN, [{ id: 'v1' }]);
    expect(outcome).toEqual({ result: { name: 'vendor v1' } });
  });

  it('does not wait for an Event invocation and returns null', async () => {
    // Prepare
    let finish: (v: { payload: unknown }) => void = () => undefined;
    const invokeLambda = vi.fn(() => new Promise<{ payload: unknown }>((resolve) => (finish = resolve)));
    // Act
    const outcome = await invokerWith(fakeDeps({ invokeLambda }))(
      'payments',
      { operation: 'Invoke', invocationType: 'Event', payload: { a: 1 } },
      ctx,
    );
    finish({ payload: 'late' });
    // Assess: "Lambda" invocation type Event — asynchronous, the resolver does not get the answer
    expect(invokeLambda).toHaveBeenCalledOnce();
    expect(outcome).toEqual({ result: null });
  });

  it('fails when the function cannot be invoked, with a Lambda: error type', async () => {
    // Prepare
    const missing = Object.assign(new Error('Function not found: payments'), {
      name: 'ResourceNotFoundException',
    });
    const invokeLambda = vi.fn(async () => {
      throw missing;
    });
    // Act
    const outcome = await invokerWith(fakeDeps({ invokeLambda }))(
      'payments',
      { operation: 'Invoke', payload: {} },
      ctx,
    );
    // Assess: the invocation failure becomes ctx.error instead of crashing the resolver
    expect(outcome).toEqual({
      error: { type: 'Lambda:ResourceNotFoundException', message: 'Function not found: payments' },
    });
  });

  it('rejects an unknown operation', async () => {
    // Act
    const outcome = await invokerWith(fakeDeps())('payments', { operation: 'Call', payload: {} }, ctx);
    // Assess: "Lambda" — operation must be Invoke or BatchInvoke
    expect(outcome.error?.type).toBe('MappingTemplate');
  });
});

describe('AMAZON_EVENTBRIDGE data source', () => {
  it('puts every event on the bus and returns Entries and FailedEntryCount', async () => {
    // Prepare
    const putEvents = vi.fn(async (_bus: string, entries: PutEventsEntry[]) => ({
      FailedEntryCount: 0,
      Entries: entries.map((_, i) => ({ EventId: `e-${i}` })),
    }));
    // Act
    const outcome = await invokerWith(fakeDeps({ putEvents }))(
      'bus',
      {
        operation: 'PutEvents',
        events: [
          {
            source: 'orderloop.orders',
            detailType: 'OrderPlaced',
            detail: { id: 'o-1' },
            resources: ['r'],
            time: '2024-05-01T10:00:00Z',
          },
          { source: 'orderloop.orders', detailType: 'OrderPaid', detail: { id: 'o-1' } },
        ],
      },
      ctx,
    );
    // Assess: "JavaScript resolver function reference for EventBridge data source" — PutEvents result shape
    expect(putEvents).toHaveBeenCalledWith(BUS, [
      {
        Source: 'orderloop.orders',
        DetailType: 'OrderPlaced',
        Detail: '{"id":"o-1"}',
        EventBusName: BUS,
        Resources: ['r'],
        Time: new Date('2024-05-01T10:00:00Z'),
      },
      { Source: 'orderloop.orders', DetailType: 'OrderPaid', Detail: '{"id":"o-1"}', EventBusName: BUS },
    ]);
    expect(outcome).toEqual({
      result: { Entries: [{ EventId: 'e-0' }, { EventId: 'e-1' }], FailedEntryCount: 0 },
    });
  });

  it('keeps failed entries as data rather than an error', async () => {
    // Prepare
    const putEvents = vi.fn(async () => ({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'boom' }],
    }));
    // Act
    const outcome = await invokerWith(fakeDeps({ putEvents }))(
      'bus',
      { operation: 'PutEvents', events: [{ source: 's', detailType: 'd', detail: {} }] },
      ctx,
    );
    // Assess: "EventBridge data source" — per-entry ErrorCode/ErrorMessage in Entries
    expect(outcome.error).toBeUndefined();
    expect(outcome.result).toEqual({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'boom' }],
    });
  });

  it('fails when PutEvents itself fails, with an EventBridge: error type', async () => {
    // Prepare
    const putEvents = vi.fn(async () => {
      throw Object.assign(new Error('Event bus orders does not exist.'), {
        name: 'ResourceNotFoundException',
      });
    });
    // Act
    const outcome = await invokerWith(fakeDeps({ putEvents }))(
      'bus',
      { operation: 'PutEvents', events: [{ source: 's', detailType: 'd', detail: {} }] },
      ctx,
    );
    // Assess: the call failure becomes ctx.error for the response handler
    expect(outcome).toEqual({
      error: { type: 'EventBridge:ResourceNotFoundException', message: 'Event bus orders does not exist.' },
    });
  });

  it('rejects an event without a detailType', async () => {
    // Prepare
    const putEvents = vi.fn();
    // Act
    const outcome = await invokerWith(fakeDeps({ putEvents }))(
      'bus',
      { operation: 'PutEvents', events: [{ source: 's', detail: {} }] },
      ctx,
    );
    // Assess: "EventBridge data source" — source, detailType and detail are required per event
    expect(outcome.error).toEqual({
      type: 'MappingTemplate',
      message: 'events[0].detailType must be a string',
    });
    expect(putEvents).not.toHaveBeenCalled();
  });
});

describe('HTTP data source', () => {
  it('calls the endpoint with path, query, headers and body and returns status, headers and body', async () => {
    // Prepare
    const fetch = vi.fn(
      async () =>
        new Response('{"ok":true}', { status: 201, headers: { 'content-type': 'application/json' } }),
    );
    // Act
    const outcome = await invokerWith(fakeDeps({ fetch }))(
      'vendorApi',
      {
        method: 'POST',
        resourcePath: '/orders',
        params: { query: { dryRun: true }, headers: { 'x-api-key': 'k' }, body: { id: 'o-1' } },
      },
      ctx,
    );
    // Assess: "JavaScript resolver function reference for HTTP" — result is { statusCode, headers, body }
    expect(fetch).toHaveBeenCalledWith(new URL('https://vendor.example/orders?dryRun=true'), {
      method: 'POST',
      headers: { 'x-api-key': 'k' },
      body: '{"id":"o-1"}',
    });
    expect(outcome).toEqual({
      result: { statusCode: 201, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' },
    });
  });
});

describe('createDataSourceInvoker', () => {
  it('fails when asked for a data source that does not exist', async () => {
    // Act
    const attempt = invokerWith(fakeDeps())('missing', {}, ctx);
    // Assess
    await expect(attempt).rejects.toThrow(/no data source named missing/);
  });

  it('rejects two data sources with the same name at start-up', () => {
    // Act
    const build = () =>
      createDataSourceInvoker(
        [
          { name: 'x', type: 'NONE' },
          { name: 'x', type: 'NONE' },
        ],
        fakeDeps(),
      );
    // Assess
    expect(build).toThrow(/used twice/);
  });
});

describe('nextToken', () => {
  const scope = { tableName: 'orders', index: 'byCustomer' };
  const lastKey = {
    pk: { S: 'CUSTOMER#c-123' },
    sk: { S: 'ORDER#2026-12-01' },
    bin: { B: new Uint8Array([0, 255]) },
    n: { N: '42' },
  };
  /** Every layer of base64 the token has, peeled, so a key in clear would show. */
  const peeled = (token: string) => {
    const outer = Buffer.from(token, 'base64').toString('utf8');
    const inner = (JSON.parse(outer) as { token: string }).token;
    return `${outer}\n${Buffer.from(inner, 'base64').toString('latin1')}`;
  };

  it('round-trips a LastEvaluatedKey with string, binary and numeric parts', () => {
    // Prepare
    const codec = new PageTokenCodec();
    // Act
    const token = codec.encode(lastKey, scope);
    // Assess: "Query" — nextToken is an opaque string that can be passed back unchanged
    expect(typeof token).toBe('string');
    expect(codec.decode(token, scope)).toEqual(lastKey);
  });

  it('does not carry the key in clear', () => {
    // Act
    const token = new PageTokenCodec().encode(lastKey, scope) ?? '';
    // Assess: neither the customer partition nor the sort key can be read out of the token
    expect(peeled(token)).not.toMatch(/CUSTOMER|c-123|ORDER#|2026-12-01/);
  });

  it('rejects a token with one flipped byte', () => {
    // Prepare
    const codec = new PageTokenCodec();
    const token = codec.encode(lastKey, scope) ?? '';
    const outer = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as {
      version: number;
      token: string;
    };
    const sealed = Buffer.from(outer.token, 'base64');
    sealed[20] = (sealed[20] ?? 0) ^ 0x01;
    const changed = Buffer.from(JSON.stringify({ ...outer, token: sealed.toString('base64') })).toString(
      'base64',
    );
    // Act
    const decode = () => codec.decode(changed, scope);
    // Assess
    expect(decode).toThrow(INVALID_PAGE_TOKEN.message);
  });

  it('rejects a token with characters added that base64 decoding would skip', () => {
    // Prepare
    const codec = new PageTokenCodec();
    const token = codec.encode(lastKey, scope) ?? '';
    // Act and assess: the same bytes decode from each, but none is the token as issued
    for (const changed of [`${token}x`, `${token}=`, ` ${token}`, token.replace(/=+$/, '')])
      if (changed !== token) expect(() => codec.decode(changed, scope)).toThrow(INVALID_PAGE_TOKEN.message);
    expect(codec.decode(token, scope)).toEqual(lastKey);
  });

  it('rejects a token of another table or index, and one sealed with another key', () => {
    // Prepare
    const codec = new PageTokenCodec();
    const token = codec.encode(lastKey, scope);
    // Act and assess
    expect(() => codec.decode(token, { tableName: 'orders' })).toThrow(INVALID_PAGE_TOKEN.message);
    expect(() => codec.decode(token, { tableName: 'other', index: 'byCustomer' })).toThrow(
      INVALID_PAGE_TOKEN.message,
    );
    expect(() => new PageTokenCodec().decode(token, scope)).toThrow(INVALID_PAGE_TOKEN.message);
  });

  it('rejects a token that is plain base64 JSON of a key, as the old format was', () => {
    // Prepare
    const forged = Buffer.from(JSON.stringify({ pk: { S: 'CUSTOMER#someone-else' } })).toString('base64');
    // Act
    const decode = () => new PageTokenCodec().decode(forged, scope);
    // Assess
    expect(decode).toThrow(INVALID_PAGE_TOKEN.message);
  });
});
