import { describe, expect, it, vi } from 'vitest';
import {
  executeResolver,
  type InvokeDataSource,
  type ResolverSpec,
} from '../../../../appsync/runtime/index.js';
import { fieldInput, noneDataSource } from './helpers.js';

const IMPORTS = "import { util, runtime } from '@aws-appsync/utils';\n";
const passThroughResolver = `${IMPORTS}export function request(ctx) { return {}; }\nexport function response(ctx) { return ctx.prev.result; }`;

function fn(name: string, request: string, response: string, dataSource = 'NONE') {
  return {
    name,
    dataSource,
    code: `${IMPORTS}export function request(ctx) { ${request} }\nexport function response(ctx) { ${response} }`,
  };
}

describe('unit resolvers', () => {
  it('runs request, the data source and response, exposing args, identity, source, info and headers', async () => {
    // AppSync "Resolver context object reference": ctx.args/arguments, identity, source, info, request.headers
    // Prepare
    const code = `${IMPORTS}export function request(ctx) {
      return { id: ctx.args.id, same: ctx.args === ctx.arguments, sub: ctx.identity.sub, parent: ctx.source.orderId,
        field: ctx.info.fieldName, parentType: ctx.info.parentTypeName, selection: ctx.info.selectionSetList, tenant: ctx.request.headers['x-tenant'] };
    }
    export function response(ctx) { return { ...ctx.result, seen: true }; }`;
    const invoke = vi.fn<InvokeDataSource>(async (_ds, request) => ({ result: request }));
    const input = fieldInput({ identity: { sub: 'u-1' }, source: { orderId: 'o-9' } });
    // Act
    const result = await executeResolver({ kind: 'UNIT', code, dataSource: 'OrdersTable' }, input, invoke);
    // Assess
    expect(invoke).toHaveBeenCalledWith(
      'OrdersTable',
      expect.objectContaining({ id: 'o-1' }),
      expect.objectContaining({ fieldName: 'getOrder' }),
    );
    expect(result).toMatchObject({
      data: {
        id: 'o-1',
        same: true,
        sub: 'u-1',
        parent: 'o-9',
        field: 'getOrder',
        parentType: 'Query',
        selection: ['id', 'total'],
        tenant: 't-1',
        seen: true,
      },
      errors: [],
    });
  });

  it('sets ctx.error from a data-source error and reports nothing unless the code raises it', async () => {
    // AppSync "JavaScript resolvers overview": the response handler decides what to do with ctx.error
    // Prepare
    const invoke: InvokeDataSource = async () => ({
      error: { message: 'Throttled', type: 'DynamoDB:ProvisionedThroughputExceededException' },
    });
    const silent = `${IMPORTS}export function request() { return {}; }\nexport function response(ctx) { return { saw: ctx.error.type }; }`;
    const raising = `${IMPORTS}export function request() { return {}; }\nexport function response(ctx) { util.error(ctx.error.message, ctx.error.type); }`;
    // Act
    const quiet = await executeResolver(
      { kind: 'UNIT', code: silent, dataSource: 'T' },
      fieldInput(),
      invoke,
    );
    const loud = await executeResolver(
      { kind: 'UNIT', code: raising, dataSource: 'T' },
      fieldInput(),
      invoke,
    );
    // Assess
    expect(quiet).toMatchObject({
      data: { saw: 'DynamoDB:ProvisionedThroughputExceededException' },
      errors: [],
    });
    expect(loud.data).toBeNull();
    expect(loud.errors).toEqual([
      {
        message: 'Throttled',
        errorType: 'DynamoDB:ProvisionedThroughputExceededException',
        data: null,
        errorInfo: null,
      },
    ]);
  });

  it('skips the data source and the response handler on runtime.earlyReturn in the request handler', async () => {
    // AppSync "Runtime utilities": earlyReturn in a request handler returns the object as the result
    // Prepare
    const code = `${IMPORTS}export function request() { runtime.earlyReturn({ hello: 'world' }); return {}; }\nexport function response() { return 'never'; }`;
    const invoke = vi.fn<InvokeDataSource>(noneDataSource);
    // Act
    const result = await executeResolver({ kind: 'UNIT', code, dataSource: 'T' }, fieldInput(), invoke);
    // Assess
    expect(result.data).toEqual({ hello: 'world' });
    expect(invoke).not.toHaveBeenCalled();
  });

  it('keeps errors appended before util.error aborts the resolver', async () => {
    // AppSync "Built-in utilities": appendError accumulates; error stops evaluation
    // Prepare
    const code = `${IMPORTS}export function request() { util.appendError('first'); util.error('second', 'Stop'); }\nexport function response() { return 1; }`;
    // Act
    const result = await executeResolver(
      { kind: 'UNIT', code, dataSource: 'NONE' },
      fieldInput(),
      noneDataSource,
    );
    // Assess
    expect(result.data).toBeNull();
    expect(result.errors.map((e) => e.message)).toEqual(['first', 'second']);
  });

  it('fails with errorType Code and the location when the resolver code throws', async () => {
    // aws/aws-appsync-community#328: a JS runtime error is reported with errorType "Code" and a "code.js:line:col: ..." message
    // Prepare
    const code = `${IMPORTS}export function request(ctx) { return ctx.args.missing.deeper; }\nexport function response(ctx) { return ctx.result; }`;
    // Act
    const result = await executeResolver(
      { kind: 'UNIT', code, dataSource: 'NONE' },
      fieldInput(),
      noneDataSource,
    );
    // Assess
    expect(result.data).toBeNull();
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({
      errorType: 'Code',
      message: expect.stringMatching(/^code\.js:\d+:\d+: TypeError: /),
    });
  });
});

describe('pipeline resolvers', () => {
  it('threads ctx.stash and ctx.prev.result through before, every function and after', async () => {
    // AppSync "JavaScript resolvers overview", pipeline resolvers: ctx.prev.result is the output of the previous step; the stash lives through the pipeline
    // Prepare
    const spec: ResolverSpec = {
      kind: 'PIPELINE',
      code: `${IMPORTS}export function request(ctx) { ctx.stash.trail = ['before']; return { step: 0 }; }
      export function response(ctx) { return { last: ctx.prev.result, trail: [...ctx.stash.trail, 'after'] }; }`,
      functions: [
        fn(
          'one',
          "ctx.stash.trail.push('one'); return { step: ctx.prev.result.step + 1 };",
          'return ctx.result;',
        ),
        fn(
          'two',
          "ctx.stash.trail.push('two'); return { step: ctx.prev.result.step + 1 };",
          'return { ...ctx.result, by: "two" };',
        ),
      ],
    };
    // Act
    const result = await executeResolver(spec, fieldInput(), noneDataSource);
    // Assess
    expect(result.data).toEqual({ last: { step: 2, by: 'two' }, trail: ['before', 'one', 'two', 'after'] });
  });

  it("skips one function's data source and response on earlyReturn, and every remaining function on skipTo END", async () => {
    // AppSync "Runtime utilities": in a function request handler earlyReturn goes to the next function; skipTo "END" goes to the resolver response handler
    // Prepare
    const invoke = vi.fn<InvokeDataSource>(noneDataSource);
    const spec: ResolverSpec = {
      kind: 'PIPELINE',
      code: passThroughResolver,
      functions: [
        fn('skipped', "runtime.earlyReturn({ from: 'skipped' });", "return 'never';", 'A'),
        fn('reads', 'return { saw: ctx.prev.result.from };', 'return ctx.result;', 'B'),
        fn(
          'ends',
          "runtime.earlyReturn({ done: ctx.prev.result.saw }, { skipTo: 'END' });",
          "return 'never';",
          'C',
        ),
        fn('never', 'return { never: true };', 'return ctx.result;', 'D'),
      ],
    };
    // Act
    const result = await executeResolver(spec, fieldInput(), invoke);
    // Assess
    expect(result.data).toEqual({ done: 'skipped' });
    expect(invoke.mock.calls.map(([name]) => name)).toEqual(['B']);
  });

  it('goes straight to the resolver response handler on earlyReturn in the resolver request handler', async () => {
    // AppSync "Runtime utilities": earlyReturn in a pipeline resolver request handler skips the pipeline execution
    // Prepare
    const invoke = vi.fn<InvokeDataSource>(noneDataSource);
    const spec: ResolverSpec = {
      kind: 'PIPELINE',
      code: `${IMPORTS}export function request() { runtime.earlyReturn({ cached: true }); }\nexport function response(ctx) { return ctx.prev.result; }`,
      functions: [fn('never', 'return {};', 'return ctx.result;', 'A')],
    };
    // Act
    const result = await executeResolver(spec, fieldInput(), invoke);
    // Assess
    expect(result.data).toEqual({ cached: true });
    expect(invoke).not.toHaveBeenCalled();
  });

  it('stops the pipeline with a null field on util.error in a function, keeping appended errors', async () => {
    // AppSync "Built-in utilities": util.error throws; appendError keeps going
    // Prepare
    const invoke = vi.fn<InvokeDataSource>(noneDataSource);
    const spec: ResolverSpec = {
      kind: 'PIPELINE',
      code: passThroughResolver,
      functions: [
        fn('warns', "util.appendError('low stock', 'Warning'); return {};", 'return ctx.result;', 'A'),
        fn(
          'fails',
          "util.error('declined', 'PaymentDeclined', { orderId: ctx.args.id });",
          'return ctx.result;',
          'B',
        ),
        fn('never', 'return {};', 'return ctx.result;', 'C'),
      ],
    };
    // Act
    const result = await executeResolver(spec, fieldInput(), invoke);
    // Assess
    expect(result.data).toBeNull();
    expect(result.errors).toEqual([
      { message: 'low stock', errorType: 'Warning', data: null, errorInfo: null },
      { message: 'declined', errorType: 'PaymentDeclined', data: { orderId: 'o-1' }, errorInfo: null },
    ]);
    expect(invoke.mock.calls.map(([name]) => name)).toEqual(['A']);
  });

  it('hands the data source a JSON snapshot of the stash and prev.result', async () => {
    // AppSync "Resolver context object reference": the stash is shared by every function of the pipeline
    // Prepare
    const invoke = vi.fn<InvokeDataSource>(noneDataSource);
    const spec: ResolverSpec = {
      kind: 'PIPELINE',
      code: `${IMPORTS}export function request(ctx) { ctx.stash.vendor = 'v-1'; return { n: 1 }; }\nexport function response(ctx) { return ctx.prev.result; }`,
      functions: [fn('reads', 'return { op: "get" };', 'return ctx.result;', 'A')],
    };
    // Act
    await executeResolver(spec, fieldInput(), invoke);
    // Assess
    expect(invoke).toHaveBeenCalledWith(
      'A',
      { op: 'get' },
      expect.objectContaining({ stash: { vendor: 'v-1' }, prev: { result: { n: 1 } } }),
    );
  });

  it('hands each data source the stash of the moment of its call, which the data source cannot change', async () => {
    // Prepare: the port keeps the snapshots and reads them only later; it writes to the one it reads now
    const seen: { stash: unknown }[] = [];
    const invoke = vi.fn<InvokeDataSource>(async (name, request, ctx) => {
      seen.push(ctx as { stash: unknown });
      if (name === 'B') (ctx.stash as Record<string, unknown>).step = 'changed by the data source';
      return { result: request };
    });
    const spec: ResolverSpec = {
      kind: 'PIPELINE',
      code: `${IMPORTS}export function request(ctx) { return {}; }\nexport function response(ctx) { return ctx.stash; }`,
      functions: [
        fn('one', "ctx.stash.step = 'one'; return {};", 'return ctx.result;', 'A'),
        fn('two', "ctx.stash.step = 'two'; return {};", 'return ctx.result;', 'B'),
      ],
    };
    // Act
    const { data } = await executeResolver(spec, fieldInput(), invoke);
    // Assess
    expect(seen.map((ctx) => ctx.stash)).toEqual([{ step: 'one' }, { step: 'changed by the data source' }]);
    expect(data).toEqual({ step: 'two' }); // the invariant: the engine's stash is its own
  });
});

describe('sandbox', () => {
  it('gives resolver code no Node globals and no way back to the host realm', async () => {
    // AppSync "Supported runtime features": APPSYNC_JS has no Node.js APIs (process, require, Buffer, timers, network)
    // Prepare
    const code = `${IMPORTS}export function request() {
      let escaped;
      try { escaped = typeof globalThis.constructor.constructor('return process')(); } catch (e) { escaped = 'blocked'; }
      let viaUtil;
      try { viaUtil = typeof util.autoId.constructor('return process')(); } catch (e) { viaUtil = 'blocked'; }
      return { process: typeof process, require: typeof require, buffer: typeof Buffer, timer: typeof setTimeout, fetch: typeof fetch, global: typeof global, escaped, viaUtil };
    }
    export function response(ctx) { return ctx.result; }`;
    // Act
    const result = await executeResolver(
      { kind: 'UNIT', code, dataSource: 'NONE' },
      fieldInput(),
      noneDataSource,
    );
    // Assess
    expect(result.data).toEqual({
      process: 'undefined',
      require: 'function', // the CommonJS shim, which only knows the two AppSync modules
      buffer: 'undefined',
      timer: 'undefined',
      fetch: 'undefined',
      global: 'undefined',
      escaped: 'blocked',
      viaUtil: 'blocked',
    });
  });

  it('rejects importing any module other than the AppSync ones', async () => {
    // AppSync "Built-in modules": only @aws-appsync/utils and its submodules are available
    // Prepare
    const code =
      "import fs from 'node:fs';\nexport function request() { return fs; }\nexport function response(ctx) { return ctx.result; }";
    // Act
    const result = await executeResolver(
      { kind: 'UNIT', code, dataSource: 'NONE' },
      fieldInput(),
      noneDataSource,
    );
    // Assess
    expect(result.data).toBeNull();
    expect(result.errors[0]).toMatchObject({
      errorType: 'Code',
      message: expect.stringContaining('Cannot find module "node:fs"'),
    });
  });

  it('fails cleanly when a handler runs past the time limit', async () => {
    // AppSync "Resolver code limits": evaluation of resolver code is time-bounded
    // Prepare
    const code = `${IMPORTS}export function request() { for (;;) {} }\nexport function response(ctx) { return ctx.result; }`;
    // Act
    const result = await executeResolver(
      { kind: 'UNIT', code, dataSource: 'NONE' },
      fieldInput(),
      noneDataSource,
      { timeoutMs: 50 },
    );
    // Assess
    expect(result.data).toBeNull();
    expect(result.errors).toEqual([
      { message: 'Execution timed out after 50 ms', errorType: 'Code', data: null, errorInfo: null },
    ]);
  });

  it('clones values by JSON at the boundary, so handlers cannot hold host references', async () => {
    // Local contract: ctx goes in and results come out as JSON, as they do over AppSync's service boundary
    // Prepare
    const args = { id: 'o-1', when: new Date(0), skip: undefined as unknown };
    const code = `${IMPORTS}export function request(ctx) { ctx.args.id = 'changed'; return { when: ctx.args.when, hasSkip: 'skip' in ctx.args, fn: () => 1 }; }
    export function response(ctx) { return ctx.result; }`;
    // Act
    const result = await executeResolver(
      { kind: 'UNIT', code, dataSource: 'NONE' },
      fieldInput({ args }),
      noneDataSource,
    );
    // Assess
    expect(result.data).toEqual({ when: '1970-01-01T00:00:00.000Z', hasSkip: false });
    expect(Object.getPrototypeOf(result.data)).toBe(Object.prototype);
    expect(args.id).toBe('o-1');
  });
});
