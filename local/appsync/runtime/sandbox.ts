/**
 * Runs bundled APPSYNC_JS resolver code in an isolated node:vm realm.
 *
 * The realm gets no Node globals (its global object has a null prototype, so `this.constructor`
 * cannot reach the host's Function), no string code generation, and only one host function, kept
 * in a closure of the runtime library: it takes and returns JSON strings and never throws, so no
 * host object ever enters the realm. `ctx` goes in as JSON and results come out as JSON, which also
 * normalises objects whose prototypes belong to the other realm.
 */
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { buildSync, transformSync } from 'esbuild';

/** Host functions the runtime library may call, by name, with JSON arguments. */
export type HostFunctions = Record<string, (...args: unknown[]) => unknown>;

/** What one handler call produced; `stash` is the handler's view of ctx.stash when it stopped. */
export type HandlerOutcome =
  | { status: 'ok'; value: unknown; stash: Record<string, unknown> }
  | { status: 'halt'; stash: Record<string, unknown> }
  | { status: 'threw'; message: string; stash: Record<string, unknown> | undefined }
  | { status: 'missing' }
  | { status: 'timeout'; message: string };

/** A resolver or function module loaded into its own realm for one request. */
export interface Sandbox {
  /** Calls the exported `request` or `response` handler with a JSON-cloned ctx. */
  call(handler: 'request' | 'response', ctx: unknown): HandlerOutcome;
}

/** AppSync gives resolver code a few seconds at most; keep the local default close to that. */
export const DEFAULT_TIMEOUT_MS = 5_000;

const runtimeDir = dirname(fileURLToPath(import.meta.url));

// The sandbox side of the boundary: bundled with util.ts and the dynamodb helpers into one script.
const LIBRARY_ENTRY = `
import { createAppSyncUtils, HALT } from './util.js';
import { createDynamoDbModule } from './dynamodb-module.js';

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
  let exported = {};
  let loadError;
  const location = (e) => {
    const m = /code\\.js:(\\d+):(\\d+)/.exec(String(e && e.stack));
    return m ? 'code.js:' + m[1] + ':' + m[2] + ': ' : '';
  };
  const describe = (e) => (e && typeof e === 'object' && 'message' in e)
    ? location(e) + (e.name || 'Error') + ': ' + e.message
    : 'Error: ' + String(e);
  const fixed = (name, value) => Object.defineProperty(globalThis, name, { value, writable: false, configurable: false, enumerable: false });
  delete globalThis.console;
  fixed('console', utils.console);
  fixed('__appsync_define', (factory) => {
    const module = { exports: {} };
    try { factory(module.exports, require, module); exported = module.exports; }
    catch (e) { loadError = describe(e); }
  });
  fixed('__appsync_run', (handler, ctxJson) => {
    if (loadError) return JSON.stringify({ status: 'threw', message: loadError });
    const fn = exported[handler];
    if (typeof fn !== 'function') return JSON.stringify({ status: 'missing' });
    const ctx = JSON.parse(ctxJson);
    ctx.args = ctx.arguments;
    try {
      const value = fn(ctx);
      return JSON.stringify({ status: 'ok', hasValue: value !== undefined, value, stash: ctx.stash });
    } catch (e) {
      if (e && typeof e === 'object' && e[HALT]) return JSON.stringify({ status: 'halt', stash: ctx.stash });
      let stash;
      try { stash = JSON.parse(JSON.stringify(ctx.stash)); } catch { stash = undefined; }
      return JSON.stringify({ status: 'threw', message: describe(e), stash });
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
const RUN = new vm.Script('__appsync_run(__appsync_handler, __appsync_ctx)', { filename: 'run.js' });
const codeCache = new Map<string, vm.Script>();

/** Transforms a bundled ESM resolver to CommonJS and compiles it once per distinct source. */
export function compileResolverCode(code: string): vm.Script {
  const key = createHash('sha256').update(code).digest('hex');
  let script = codeCache.get(key);
  if (!script) {
    const cjs = transformSync(code, {
      format: 'cjs',
      loader: 'js',
      target: 'es2022',
      logLevel: 'silent',
    }).code;
    // same first line as the transformed code, so code.js:line:column in errors stays meaningful
    script = new vm.Script(`__appsync_define(function (exports, require, module) {${cjs}\n});`, {
      filename: 'code.js',
    });
    codeCache.set(key, script);
  }
  return script;
}

function hostBridge(functions: HostFunctions): (name: string, argsJson: string) => string {
  return (name, argsJson) => {
    try {
      const fn = Object.prototype.hasOwnProperty.call(functions, name) ? functions[name] : undefined;
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

function isTimeout(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
}

/** Loads `code` into a fresh realm wired to `functions`; module top-level code runs under the time limit too. */
export function createSandbox(
  code: string,
  functions: HostFunctions,
  options: { timeoutMs?: number } = {},
): Sandbox {
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const script = compileResolverCode(code);
  const globals = Object.create(null) as Record<string, unknown>;
  const context = vm.createContext(globals, {
    name: 'appsync-resolver',
    codeGeneration: { strings: false, wasm: false },
    microtaskMode: 'afterEvaluate',
  });
  library().runInContext(context);
  globals['__appsync_host'] = hostBridge(functions);
  INSTALL.runInContext(context);
  let loadTimeout: string | undefined;
  try {
    script.runInContext(context, { timeout });
  } catch (error) {
    if (!isTimeout(error)) throw error;
    loadTimeout = `Execution timed out after ${timeout} ms`;
  }
  return {
    call(handler, ctx) {
      if (loadTimeout) return { status: 'timeout', message: loadTimeout };
      globals['__appsync_handler'] = handler;
      globals['__appsync_ctx'] = JSON.stringify(ctx);
      let reply: unknown;
      try {
        reply = RUN.runInContext(context, { timeout });
      } catch (error) {
        if (isTimeout(error))
          return { status: 'timeout', message: `Execution timed out after ${timeout} ms` };
        throw error;
      }
      const parsed = JSON.parse(String(reply)) as {
        status: HandlerOutcome['status'];
        hasValue?: boolean;
        value?: unknown;
        stash?: Record<string, unknown>;
        message?: string;
      };
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
  };
}
