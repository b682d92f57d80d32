import { describe, expect, it } from 'vitest';
import { executeResolver, loadedRealmCount } from '../../../../appsync/runtime/index.js';
import { fieldInput, noneDataSource } from './helpers.js';

// AppSync keeps a resolver's code loaded, and documents ctx, ctx.stash and the util state as per request
// ("Resolver context object reference"); it documents no state that survives a request. The local runtime
// reuses one realm per resolver code, so these tests prove a request cannot leave anything for the next.

const IMPORTS = "import { util, runtime } from '@aws-appsync/utils';\n";

/** A unit resolver over NONE whose request handler runs `body` and returns what it builds. */
function unit(body: string) {
  return {
    kind: 'UNIT' as const,
    dataSource: 'NONE',
    code: `${IMPORTS}let calls = 0;\nexport function request(ctx) { ${body} }\nexport function response(ctx) { return ctx.result; }`,
  };
}

async function run(spec: ReturnType<typeof unit>, args: Record<string, unknown> = {}) {
  return executeResolver(spec, fieldInput({ args }), noneDataSource);
}

describe('resolver isolation across requests in a reused realm', () => {
  it('reuses the loaded code: a second request loads no new realm', async () => {
    // Prepare
    const spec = unit('return { ok: true };');
    await run(spec);
    const loaded = loadedRealmCount();
    // Act
    const second = await run(spec);
    // Assess
    expect(second.data).toEqual({ ok: true });
    expect(loadedRealmCount()).toBe(loaded);
  });

  it('starts every request with a fresh module scope', async () => {
    // Prepare
    const spec = unit('calls = calls + 1; return { calls };');
    // Act
    const first = await run(spec);
    const second = await run(spec);
    // Assess
    expect(first.data).toEqual({ calls: 1 });
    expect(second.data).toEqual({ calls: 1 });
  });

  it('does not show a global written by one request to the next', async () => {
    // Prepare
    const spec = unit(
      'const seen = globalThis.secret ?? null; if (ctx.args.write) { globalThis.secret = ctx.args.write; } return { seen };',
    );
    // Act
    const writer = await run(spec, { write: 'tenant-a' });
    const reader = await run(spec);
    // Assess
    expect(writer.data).toEqual({ seen: null });
    expect(reader.data).toEqual({ seen: null });
  });

  it('rejects a write to a built-in prototype instead of letting it reach the next request', async () => {
    // Prepare
    const spec = unit(
      "const before = ({}).leak ?? null; if (ctx.args.write) { Object.prototype.leak = 'x'; } return { before };",
    );
    // Act
    const writer = await run(spec, { write: true });
    const reader = await run(spec);
    // Assess
    expect(writer.data).toBeNull();
    expect(writer.errors[0]).toMatchObject({
      errorType: 'Code',
      message: expect.stringContaining('TypeError'),
    });
    expect(reader.data).toEqual({ before: null });
  });

  it('rejects replacing a built-in global or a util function, and the next request sees the originals', async () => {
    // Prepare
    const spec = unit(`
      const kind = typeof JSON.stringify;
      const id = typeof util.autoId;
      if (ctx.args.attack === 'json') { JSON.stringify = () => 'forged'; }
      if (ctx.args.attack === 'global') { globalThis.JSON = { stringify: () => 'forged' }; }
      if (ctx.args.attack === 'util') { util.autoId = () => 'forged'; }
      return { kind, id, sample: JSON.stringify({ a: 1 }), auto: util.autoId().length };`);
    // Act
    const attacks = await Promise.all(['json', 'global', 'util'].map((attack) => run(spec, { attack })));
    const after = await run(spec);
    // Assess
    for (const attack of attacks) expect(attack.errors[0]).toMatchObject({ errorType: 'Code' });
    expect(after.data).toEqual({ kind: 'function', id: 'function', sample: '{"a":1}', auto: 36 });
  });

  it('still lets code shadow inherited properties on its own objects', async () => {
    // Prepare
    const spec = unit(
      "const e = new Error('boom'); e.name = 'Custom'; const o = {}; o.toString = () => 'mine'; return { name: e.name, text: String(o), inherited: String({}) };",
    );
    // Act
    const result = await run(spec);
    // Assess
    expect(result.errors).toEqual([]);
    expect(result.data).toEqual({ name: 'Custom', text: 'mine', inherited: '[object Object]' });
  });

  it('keeps module state of concurrent evaluations apart while their data sources are in flight', async () => {
    // Prepare: the request handler stores the caller in module scope, the response handler reads it back
    const spec = {
      kind: 'UNIT' as const,
      dataSource: 'slow',
      code: `${IMPORTS}let caller;\nexport function request(ctx) { caller = ctx.args.who; return {}; }\nexport function response(ctx) { return { caller }; }`,
    };
    let release!: () => void;
    const gate = new Promise<void>((done) => (release = done));
    let waiting = 0;
    const slow = async () => {
      waiting += 1;
      if (waiting === 2) release();
      await gate;
      return { result: {} };
    };
    // Act: both request handlers run before either response handler
    const [a, b] = await Promise.all(
      ['a', 'b'].map((who) => executeResolver(spec, fieldInput({ args: { who } }), slow)),
    );
    // Assess
    expect(a?.data).toEqual({ caller: 'a' });
    expect(b?.data).toEqual({ caller: 'b' });
  });

  it('loads the code anew after a handler timed out', async () => {
    // Prepare
    const spec = unit(
      'if (ctx.args.spin) { globalThis.half = 1; for (;;) {} } return { half: globalThis.half ?? null };',
    );
    // Act
    const spun = await executeResolver(spec, fieldInput({ args: { spin: true } }), noneDataSource, {
      timeoutMs: 50,
    });
    const next = await run(spec);
    // Assess
    expect(spun.errors[0]).toMatchObject({ errorType: 'Code', message: 'Execution timed out after 50 ms' });
    expect(next.data).toEqual({ half: null });
  });
});
