import { describe, expect, it } from 'vitest';
import { executeResolver, provenBounded, timeLimitOf } from '../../../../appsync/runtime/index.js';
import { fieldInput, noneDataSource } from './helpers.js';

// The sandbox skips node:vm's per-call watchdog thread only for code proven to halt, and checks the time
// limit after such a handler returned. These tests hold the proof to the APPSYNC_JS rules ("Supported
// runtime features"; @aws-appsync/eslint-plugin: no-recursion, no-function-passing, no-regex) and show that
// every way around it still meets the time limit.

const IMPORTS = "import { util } from '@aws-appsync/utils';\n";

/** A resolver module whose request handler has `body`, and whatever `before` declares at the top level. */
const moduleWith = (body: string, before = '') =>
  `${IMPORTS}${before}\nexport function request(ctx) { ${body} }\nexport function response(ctx) { return ctx.result; }`;

/** A unit resolver over NONE with that code. */
const unit = (code: string) => ({ kind: 'UNIT' as const, dataSource: 'NONE', code });

describe('provenBounded', () => {
  it('accepts straight code, for-of over input, callbacks of array methods and calls between top-level functions', () => {
    // Prepare: the shapes of the project's getOrder resolver (domain/views.ts, domain/limits.ts)
    const code = moduleWith(
      `for (const key in ctx.args) { if (key === 'stop') break; }
       const total = (ctx.args.lines ?? []).filter((l) => l.vendorId === 'v').reduce((t, l) => t + l.subtotal, 0);
       if (total > 10) util.error('too much', 'Validation');
       return { seen: history(ctx.args.history ?? []), total, bad: badField(ctx.args), id: ctx.args.claims ? ctx.args.claims["custom:vendorId"] : null };`,
      `const MAX = 2147483647;
       function history(list) {
         const seen = [];
         for (const entry of list) { if (entry.vendorId === 'v') seen.push(entry); else seen.push({ ...entry, actorId: null }); }
         return seen;
       }
       function fits(value) { return typeof value === "number" && Number.isInteger(value) && value <= MAX; }
       function badField(order) { for (const line of order.lines ?? []) { if (!fits(line.total)) return "total"; } return Array.isArray(order.parts) ? null : "parts"; }`,
    );
    // Act
    const verdict = provenBounded(code);
    // Assess
    expect(verdict).toEqual({ bounded: true });
  });

  it.each([
    ['a while loop', moduleWith('while (ctx.args.go) {} return {};')],
    ['a for(;;) loop', moduleWith('for (;;) {} return {};')],
    ['a do-while loop', moduleWith('do {} while (ctx.args.go); return {};')],
    ['a labelled statement', moduleWith('outer: for (const x of ctx.args.list) { break outer; } return {};')],
    ['direct recursion', moduleWith('return { n: f(3) };', 'function f(n) { return n ? f(n - 1) : 0; }')],
    [
      'mutual recursion',
      moduleWith('return { n: f(3) };', 'function f(n) { return g(n); }\nfunction g(n) { return f(n); }'),
    ],
    [
      'a function passed as a value',
      moduleWith('return ctx.args.list.map(f);', 'function f(x) { return x; }'),
    ],
    ['a regex literal', moduleWith('return { ok: /(a+)+$/.test(ctx.args.s) };')],
    ['a pattern from the input', moduleWith('return { ok: ctx.args.s.match(ctx.args.pattern) };')],
    ['util.matches', moduleWith('return { ok: util.matches(ctx.args.pattern, ctx.args.s) };')],
    ['a size from the input', moduleWith("return { s: 'x'.repeat(ctx.args.n) };")],
    ['a length write', moduleWith('const a = ctx.args.list; a.length = ctx.args.n; return { s: a.join() };')],
    ['a computed write', moduleWith('const a = ctx.args.list; a[ctx.args.n] = 1; return { s: a.join() };')],
    ['a computed read', moduleWith('return { f: ctx.args[ctx.args.key] };')],
    [
      'growing the array it walks',
      moduleWith('const a = ctx.args.list; for (const x of a) a.push(x); return {};'),
    ],
    ['growing a local array it walks', moduleWith('const a = [1]; for (const x of a) a.push(x); return {};')],
    [
      'walking an alias of a grown array',
      moduleWith('const a = [1]; const b = a; for (const x of b) a.push(x); return {};'),
    ],
    [
      'a live view of a grown array',
      moduleWith('const a = [1]; for (const x of a.values()) a.push(x); return {};'),
    ],
    [
      'a shadowed grown array',
      moduleWith('const a = []; a.push(1); ctx.args.lists.forEach((a) => a.push(1)); return {};'),
    ],
    [
      'a held array method',
      moduleWith('const o = ctx.args.list; o.f = [].push; for (const x of o) o.f(x); return {};'),
    ],
    [
      'a thisArg',
      moduleWith('const o = ctx.args.list; for (const x of o) o.forEach(util.isNull, o); return {};'),
    ],
    [
      'Object.assign into the walked array',
      moduleWith('const a = ctx.args.list; for (const x of a) Object.assign(a, { 9: 1 }); return {};'),
    ],
    ['an unknown global', moduleWith('return { v: globalThis.x };')],
    ['new', moduleWith('return { a: new Array(ctx.args.n) };')],
    ['a getter', moduleWith('return { get x() { return 1; } };')],
    ['a JSON hook', moduleWith('return { toJSON: 1 };')],
    ['Function via constructor', moduleWith('return { f: util.constructor };')],
  ])('rejects %s', (_what, code) => {
    // Act
    const verdict = provenBounded(code);
    // Assess
    expect(verdict.bounded).toBe(false);
  });
});

describe('the time limit of resolver code', () => {
  it('runs code proven to halt without the watchdog, with the same results', async () => {
    // Prepare
    const code = moduleWith('return { doubled: ctx.args.list.map((x) => x * 2) };');
    // Act
    const result = await executeResolver(unit(code), fieldInput({ args: { list: [1, 2] } }), noneDataSource);
    // Assess
    expect(timeLimitOf(code)).toBe('after-return');
    expect(result).toMatchObject({ data: { doubled: [2, 4] }, errors: [] });
  });

  it('starts every request with a fresh module scope without the watchdog too', async () => {
    // Prepare: AppSync documents no state that outlives a request ("Resolver context object reference")
    const code = moduleWith('calls = calls + 1; return { calls };', 'let calls = 0;');
    // Act
    const first = await executeResolver(unit(code), fieldInput(), noneDataSource);
    const second = await executeResolver(unit(code), fieldInput(), noneDataSource);
    // Assess
    expect(timeLimitOf(code)).toBe('after-return');
    expect([first.data, second.data]).toEqual([{ calls: 1 }, { calls: 1 }]);
  });

  it('fails a handler of code proven to halt that returned past the limit, and keeps the watchdog from then on', async () => {
    // Prepare: a clock on which every handler takes a minute
    const code = moduleWith('return { id: ctx.args.id, n: 1 };');
    let t = 0;
    const slowClock = () => (t += 60_000);
    // Act
    const late = await executeResolver(unit(code), fieldInput(), noneDataSource, {
      timeoutMs: 50,
      limitClock: slowClock,
    });
    const next = await executeResolver(unit(code), fieldInput(), noneDataSource);
    // Assess
    expect(late.data).toBeNull();
    expect(late.errors).toEqual([
      { message: 'Execution timed out after 50 ms', errorType: 'Code', data: null, errorInfo: null },
    ]);
    expect(timeLimitOf(code)).toBe('watchdog');
    expect(next).toMatchObject({ data: { id: 'o-1', n: 1 }, errors: [] });
  });

  it.each([
    ['growing the array it walks', 'const a = ctx.args.list; for (const x of a) a.push(x); return {};'],
    ['a held array method', 'const o = ctx.args.list; o.f = [].push; for (const x of o) o.f(x); return {};'],
    [
      'growing through a thisArg',
      'const o = ctx.args.list; for (const x of o) [x].forEach([].push, o); return {};',
    ],
    ['a catastrophic regex', "return { ok: /^(a+)+$/.test('a'.repeat(40) + '!') };"],
  ])('stops code that never halts through %s at the limit', async (_what, body) => {
    // Prepare
    const code = moduleWith(body);
    // Act
    const result = await executeResolver(unit(code), fieldInput({ args: { list: [1] } }), noneDataSource, {
      timeoutMs: 50,
    });
    // Assess
    expect(timeLimitOf(code)).toBe('watchdog');
    expect(result.data).toBeNull();
    expect(result.errors[0]).toMatchObject({ errorType: 'Code', message: 'Execution timed out after 50 ms' });
  });
});
