/**
 * Runs bundled APPSYNC_JS resolver code in isolated node:vm realms, one realm per distinct resolver
 * code, kept loaded and reused by every request (AppSync keeps a resolver's code loaded too).
 *
 * The realm gets no Node globals (its global object has a null prototype, so `this.constructor`
 * cannot reach the host's Function), no string code generation, and only one host function, kept
 * in a closure of the runtime library: it takes and returns JSON strings and never throws, so no
 * host object ever enters the realm. `ctx` goes in as JSON and results come out as JSON, which also
 * normalises objects whose prototypes belong to the other realm.
 *
 * Nothing of one request reaches the next one through the shared realm:
 * - each evaluation instantiates the module anew (fresh module scope, fresh exports);
 * - the realm's intrinsics (Object, Array.prototype, JSON, ...) and the @aws-appsync/utils modules are
 *   frozen once loaded, and the code runs in strict mode (AppSync: "functions run in strict mode by
 *   default"), so a write to them throws instead of sticking;
 * - every global property a handler adds is deleted when the handler returns;
 * - a realm whose handler timed out is thrown away, since the code stopped at an arbitrary point.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { buildSync, transformSync } from 'esbuild';
import { provenBounded } from './bounded.js';

/** Host functions the runtime library may call, by name, with JSON arguments. */
export type HostFunctions = Record<string, (...args: unknown[]) => unknown>;

/** What one handler call produced; `stash` is the handler's view of ctx.stash when it stopped. */
export type HandlerOutcome =
  | { status: 'ok'; value: unknown; stash: Record<string, unknown> }
  | { status: 'halt'; stash: Record<string, unknown> }
  | { status: 'threw'; message: string; stash: Record<string, unknown> | undefined }
  | { status: 'missing' }
  | { status: 'timeout'; message: string };

/** One evaluation's instance of a resolver or function module, in the realm that keeps its code loaded. */
export interface Sandbox {
  /** Calls the exported `request` or `response` handler with a JSON-cloned ctx. */
  call(handler: 'request' | 'response', ctx: unknown): HandlerOutcome;
  /** Drops the module instance; the realm stays loaded for the next request. */
  release(): void;
}

/** AppSync gives resolver code a few seconds at most; keep the local default close to that. */
export const DEFAULT_TIMEOUT_MS = 5_000;

const runtimeDir = dirname(fileURLToPath(import.meta.url));

/**
 * Objects in the realm that stay mutable; everything else reachable from its globals is frozen.
 * Data properties on prototypes that code commonly shadows by assignment (`err.name = ...`) become
 * accessors whose setter defines the property on the instance, so freezing the prototype does not turn
 * an ordinary assignment into a TypeError (the "override mistake"; SES tames the same names).
 */
const LIBRARY_ENTRY = `
import { createAppSyncUtils, HALT } from './util.js';
import { createDynamoDbModule } from './dynamodb-module.js';

const SHADOWED = ['constructor', 'name', 'message', 'toString', 'toLocaleString', 'valueOf', 'toJSON'];

function tame(proto) {
  for (const key of SHADOWED) {
    const desc = Object.getOwnPropertyDescriptor(proto, key);
    if (!desc || !('value' in desc) || !desc.configurable) continue;
    const value = desc.value;
    Object.defineProperty(proto, key, {
      get() { return value; },
      set(next) {
        if (this === proto) throw new TypeError('Cannot assign to read only property ' + key + ' of a frozen built-in');
        Object.defineProperty(this, key, { value: next, writable: true, enumerable: true, configurable: true });
      },
      enumerable: desc.enumerable,
      configurable: false,
    });
  }
}

function deepFreeze(root, seen) {
  const stack = [root];
  while (stack.length > 0) {
    const obj = stack.pop();
    if ((typeof obj !== 'object' && typeof obj !== 'function') || obj === null || seen.has(obj)) continue;
    seen.add(obj);
    if (typeof obj === 'function' && obj.prototype && typeof obj.prototype === 'object') tame(obj.prototype);
    if (obj === Object.prototype) tame(obj);
    for (const key of Reflect.ownKeys(obj)) {
      const desc = Object.getOwnPropertyDescriptor(obj, key);
      if (!desc) continue;
      if ('value' in desc) stack.push(desc.value);
      else { stack.push(desc.get); stack.push(desc.set); }
    }
    stack.push(Object.getPrototypeOf(obj));
    Object.freeze(obj);
  }
}

let installed = false;
export function install(rawHost) {
  if (installed) throw new Error('already installed');
  installed = true;
  const host = (name, args) => {
    const reply = JSON.parse(rawHost(String(name), JSON.stringify(args)));
    if (!reply.ok) { const e = new Error(reply.message); e.name = reply.name || 'Error'; throw e; }
    return reply.value;
  };
  const utils = createAppSyncUtils(host);
  const modules = {
    '@aws-appsync/utils': { util: utils.util, runtime: utils.runtime, extensions: utils.extensions },
    '@aws-appsync/utils/dynamodb': createDynamoDbModule(),
  };
  const require = (name) => {
    const found = modules[name];
    if (!found) throw new Error('Cannot find module ' + JSON.stringify(name) + ': only @aws-appsync/utils and @aws-appsync/utils/dynamodb are available');
    return found;
  };
  let factory;
  let nextId = 1;
  const instances = new Map();
  let baseline;
  const location = (e) => {
    const m = /code\\.js:(\\d+):(\\d+)/.exec(String(e && e.stack));
    return m ? 'code.js:' + m[1] + ':' + m[2] + ': ' : '';
  };
  const describe = (e) => (e && typeof e === 'object' && 'message' in e)
    ? location(e) + (e.name || 'Error') + ': ' + e.message
    : 'Error: ' + String(e);
  // Deletes every global a handler or the module's top level added, so the next request starts clean.
  const sweep = () => {
    for (const key of Reflect.ownKeys(globalThis)) if (!baseline.has(key)) delete globalThis[key];
  };
  const fixed = (name, value) => Object.defineProperty(globalThis, name, { value, writable: false, configurable: false, enumerable: false });
  delete globalThis.console;
  fixed('console', utils.console);
  fixed('__appsync_define', (f) => { factory ??= f; });
  fixed('__appsync_lockdown', () => {
    const seen = new Set([globalThis]); // the global object stays extensible; sweep() keeps it clean
    for (const key of Reflect.ownKeys(globalThis)) {
      const desc = Object.getOwnPropertyDescriptor(globalThis, key);
      if (!desc) continue;
      if (desc.configurable) Object.defineProperty(globalThis, key, { ...desc, ...('value' in desc ? { writable: false } : {}), configurable: false });
      deepFreeze('value' in desc ? desc.value : desc.get, seen);
    }
    deepFreeze(modules, seen);
    baseline = new Set(Reflect.ownKeys(globalThis));
  });
  fixed('__appsync_sweep', () => sweep());
  const instantiate = () => {
    const id = nextId++;
    const module = { exports: {} };
    let loadError;
    try { factory(module.exports, require, module); }
    catch (e) { loadError = describe(e); }
    instances.set(id, { exports: module.exports, loadError });
    return id;
  };
  fixed('__appsync_release', (id) => { instances.delete(id); });
  // id 0 instantiates the module first (its top level under the same time limit as the handler).
  fixed('__appsync_run', (given, handler, ctxJson) => {
    try {
      const id = given === 0 ? instantiate() : given;
      const instance = instances.get(id);
      if (!instance) return JSON.stringify({ status: 'threw', message: 'Error: the module instance was released' });
      if (instance.loadError) return JSON.stringify({ id, status: 'threw', message: instance.loadError });
      const fn = instance.exports[handler];
      if (typeof fn !== 'function') return JSON.stringify({ id, status: 'missing' });
      const ctx = JSON.parse(ctxJson);
      ctx.args = ctx.arguments;
      try {
        const value = fn(ctx);
        return JSON.stringify({ id, status: 'ok', hasValue: value !== undefined, value, stash: ctx.stash });
      } catch (e) {
        if (e && typeof e === 'object' && e[HALT]) return JSON.stringify({ id, status: 'halt', stash: ctx.stash });
        let stash;
        try { stash = JSON.parse(JSON.stringify(ctx.stash)); } catch { stash = undefined; }
        return JSON.stringify({ id, status: 'threw', message: describe(e), stash });
      }
    } finally {
      sweep();
    }
  });
}
`;

let libraryScript: vm.Script | undefined;

function library(): vm.Script {
  if (!libraryScript) {
    const built = buildSync({
      stdin: {
        contents: LIBRARY_ENTRY,
        resolveDir: runtimeDir,
        loader: 'ts',
        sourcefile: 'appsync-runtime.ts',
      },
      bundle: true,
      format: 'iife',
      globalName: '__appsync_lib',
      platform: 'neutral',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    });
    const text = built.outputFiles[0]?.text;
    if (!text) throw new Error('esbuild produced no APPSYNC_JS runtime library');
    libraryScript = new vm.Script(text, { filename: 'appsync-runtime.js' });
  }
  return libraryScript;
}

const INSTALL = new vm.Script('__appsync_lib.install(__appsync_host); delete globalThis.__appsync_host;', {
  filename: 'install.js',
});
const LOCKDOWN = new vm.Script('delete globalThis.__appsync_lib; __appsync_lockdown()', {
  filename: 'lockdown.js',
});
const RUN = new vm.Script('__appsync_run(__appsync_id, __appsync_handler, __appsync_ctx)', {
  filename: 'run.js',
});
const RELEASE = new vm.Script('__appsync_release(__appsync_id)', { filename: 'release.js' });
const SWEEP = new vm.Script('__appsync_sweep()', { filename: 'sweep.js' });
/**
 * One distinct resolver code, compiled. `bounded` says how its time limit is kept: by node:vm's watchdog
 * (false), or, for code proven to halt (./bounded.ts), by checking the time once the handler returned;
 * code that was found over its limit that way keeps the watchdog from then on.
 */
interface CompiledCode {
  readonly key: string;
  readonly script: vm.Script;
  bounded: boolean;
}

// Keyed by the code text itself: V8 caches a string's hash, so a lookup costs no rehash of the bundle.
const codeCache = new Map<string, CompiledCode>();

/** Transforms a bundled ESM resolver to CommonJS and compiles it once per distinct source. */
export function compileResolverCode(code: string): vm.Script {
  return compiled(code).script;
}

function compiled(code: string): CompiledCode {
  const key = code;
  let entry = codeCache.get(key);
  if (!entry) {
    const cjs = transformSync(code, {
      format: 'cjs',
      loader: 'js',
      target: 'es2022',
      logLevel: 'silent',
    }).code;
    // Same first line as the transformed code, so code.js:line:column in errors stays meaningful.
    // 'use strict': AppSync runs resolver code in strict mode ("Supported runtime features").
    const script = new vm.Script(
      `__appsync_define(function (exports, require, module) {'use strict';${cjs}\n});`,
      { filename: 'code.js' },
    );
    entry = { key, script, bounded: provenBounded(code).bounded };
    codeCache.set(key, entry);
  }
  return entry;
}

/** One loaded resolver code: its realm, and the host functions of the call running in it right now. */
interface Realm {
  readonly context: vm.Context;
  readonly globals: Record<string, unknown>;
  current: HostFunctions | undefined;
}

/** Realms by code hash, least recently used first; an assembly has tens of codes, tests a few hundred. */
const realms = new Map<string, Realm>();
const MAX_REALMS = 256;

function hostBridge(realm: Realm): (name: string, argsJson: string) => string {
  return (name, argsJson) => {
    try {
      const functions = realm.current;
      const fn =
        functions && Object.prototype.hasOwnProperty.call(functions, name) ? functions[name] : undefined;
      if (!fn)
        return JSON.stringify({ ok: false, name: 'Error', message: `Unknown runtime function ${name}` });
      const args = JSON.parse(argsJson) as unknown[];
      return JSON.stringify({ ok: true, value: fn(...args) ?? null });
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      return JSON.stringify({ ok: false, name: e.name, message: e.message });
    }
  };
}

function loadRealm(key: string, script: vm.Script): Realm {
  const globals = Object.create(null) as Record<string, unknown>;
  const context = vm.createContext(globals, {
    name: 'appsync-resolver',
    codeGeneration: { strings: false, wasm: false },
    microtaskMode: 'afterEvaluate',
  });
  const realm: Realm = { context, globals, current: undefined };
  library().runInContext(context);
  globals['__appsync_host'] = hostBridge(realm);
  INSTALL.runInContext(context);
  script.runInContext(context); // defines the module factory; its top level runs per instantiation
  LOCKDOWN.runInContext(context);
  realms.set(key, realm);
  if (realms.size > MAX_REALMS) realms.delete(realms.keys().next().value!);
  return realm;
}

function realmFor(code: string): Realm {
  const { key, script } = compiled(code);
  const found = realms.get(key);
  if (!found) return loadRealm(key, script);
  realms.delete(key); // re-inserted last: most recently used
  realms.set(key, found);
  return found;
}

/**
 * How the time limit of `code` is kept: `watchdog` (node:vm stops the handler at the limit) or
 * `after-return` (the code is proven to halt; a handler found over the limit once it returned fails as
 * a timeout, and the code goes back to the watchdog). For tests and the benchmark.
 */
export function timeLimitOf(code: string): 'watchdog' | 'after-return' {
  return compiled(code).bounded ? 'after-return' : 'watchdog';
}

/** How many resolver codes are loaded right now (for tests and the benchmark). */
export function loadedRealmCount(): number {
  return realms.size;
}

function isTimeout(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
}

/**
 * Runs one step in the realm with `functions` as its host; after a timeout the realm's globals are
 * swept and the realm is dropped from the pool, so the next request loads the code anew.
 */
function enter(
  realm: Realm,
  code: string,
  functions: HostFunctions,
  script: vm.Script,
  timeout: number | undefined,
): unknown {
  realm.current = functions;
  try {
    return script.runInContext(realm.context, timeout === undefined ? {} : { timeout });
  } catch (error) {
    if (isTimeout(error)) {
      SWEEP.runInContext(realm.context);
      const key = compiled(code).key;
      if (realms.get(key) === realm) realms.delete(key);
    }
    throw error;
  } finally {
    realm.current = undefined;
  }
}

/**
 * Instantiates `code` for one evaluation in the realm that keeps it loaded, wired to `functions`; the
 * module's top-level code runs under the time limit too. Call `release` when the evaluation is over.
 */
export function createSandbox(
  code: string,
  functions: HostFunctions,
  options: { timeoutMs?: number; clock?: () => number } = {},
): Sandbox {
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const clock = options.clock ?? (() => performance.now());
  const entry = compiled(code);
  const realm = realmFor(code);
  const timedOut = (): HandlerOutcome => ({
    status: 'timeout',
    message: `Execution timed out after ${timeout} ms`,
  });
  let id = 0; // instantiated by the first call
  let released = false;
  return {
    call(handler, ctx) {
      if (released) throw new Error('the sandbox was released');
      realm.globals['__appsync_id'] = id;
      realm.globals['__appsync_handler'] = handler;
      realm.globals['__appsync_ctx'] = JSON.stringify(ctx);
      let reply: unknown;
      const bounded = entry.bounded;
      const started = bounded ? clock() : 0;
      try {
        reply = enter(realm, code, functions, RUN, bounded ? undefined : timeout);
      } catch (error) {
        if (isTimeout(error)) return timedOut();
        throw error;
      }
      const overTime = bounded && clock() - started > timeout;
      const parsed = JSON.parse(String(reply)) as {
        id?: number;
        status: HandlerOutcome['status'];
        hasValue?: boolean;
        value?: unknown;
        stash?: Record<string, unknown>;
        message?: string;
      };
      if (parsed.id !== undefined) id = parsed.id;
      if (overTime) {
        // It halted, as proven, but later than the limit allows: the same failure, and the watchdog from now on.
        entry.bounded = false;
        return timedOut();
      }
      switch (parsed.status) {
        case 'ok':
          return {
            status: 'ok',
            value: parsed.hasValue ? parsed.value : undefined,
            stash: parsed.stash ?? {},
          };
        case 'halt':
          return { status: 'halt', stash: parsed.stash ?? {} };
        case 'threw':
          return { status: 'threw', message: parsed.message ?? 'Error', stash: parsed.stash };
        default:
          return { status: 'missing' };
      }
    },
    release() {
      if (released) return;
      released = true;
      if (id === 0) return;
      realm.globals['__appsync_id'] = id;
      enter(realm, code, functions, RELEASE, undefined);
    },
  };
}
