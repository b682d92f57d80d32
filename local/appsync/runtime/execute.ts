/**
 * The AppSync resolver evaluation engine: unit and pipeline resolvers over APPSYNC_JS code,
 * independent of GraphQL and of data sources (AppSync docs: "JavaScript resolvers overview",
 * "Runtime utilities", "Resolver context object reference").
 *
 * Error model, as AppSync reports it: a data-source error only sets ctx.error, and reaches the
 * caller only if the code raises it (util.error / util.appendError); util.error and
 * util.unauthorized stop the whole evaluation and the field resolves to null; a runtime error in
 * the code stops it too, with errorType "Code".
 */
import {
  appSyncError,
  handlerContext,
  hostFunctions,
  RequestScope,
  snapshot,
  type AppSyncError,
  type CollectedExtensions,
  type ContextSnapshot,
  type ResolveInput,
} from './context.js';
import { createSandbox, type HandlerOutcome, type Sandbox } from './sandbox.js';

/** A resolver as the stack defines it; `code` is the esbuild ESM bundle. */
export interface ResolverSpec {
  kind: 'UNIT' | 'PIPELINE';
  code: string;
  dataSource?: string;
  functions?: { name: string; code: string; dataSource: string }[];
  /** Lambda batching is the GraphQL layer's concern; carried here so the spec stays whole. */
  maxBatchSize?: number;
}

/** What a data source answered; `result` becomes ctx.result, `error` becomes ctx.error. */
export interface DataSourceReply {
  result?: unknown;
  error?: { message: string; type: string; data?: unknown; errorInfo?: unknown };
  extra?: Record<string, unknown>;
}

/**
 * Runs a data-source request. A NONE data source must answer `{ result: requestObject }`
 * (AppSync docs: "JavaScript resolver function reference for None data source").
 */
export type InvokeDataSource = (
  dataSourceName: string,
  requestObject: unknown,
  ctx: ContextSnapshot,
) => Promise<DataSourceReply>;

/** The outcome of one field's resolver. */
export interface ResolveResult {
  data: unknown;
  errors: AppSyncError[];
  extensions: CollectedExtensions;
  responseHeaders?: Record<string, string>;
  /** console.* output of the resolver code, which AppSync would send to CloudWatch Logs. */
  logs: string[];
}

/** Engine knobs: the per-handler time limit and a clock for util.time. */
export interface ExecuteOptions {
  timeoutMs?: number;
  now?: () => number;
  /** The monotonic clock (ms) the time limit of code proven to halt is checked with. @default performance.now */
  limitClock?: () => number;
}

/** Why the evaluation stopped before its last handler. */
class Stop {
  constructor(readonly error: AppSyncError) {}
}

interface State {
  stash: Record<string, unknown>;
  prev: { result: unknown };
}

type Step =
  { kind: 'value'; value: unknown } | { kind: 'early'; value: unknown; skipTo: 'END' | 'NEXT' | undefined };

function runHandler(
  sandbox: Sandbox,
  handler: 'request' | 'response',
  scope: RequestScope,
  state: State,
  extra: { result?: unknown; error?: unknown } = {},
): Step {
  scope.earlyReturn = undefined;
  const outcome: HandlerOutcome = sandbox.call(handler, handlerContext(scope.input, { ...state, ...extra }));
  switch (outcome.status) {
    case 'ok':
      state.stash = outcome.stash;
      return { kind: 'value', value: outcome.value };
    case 'halt': {
      state.stash = outcome.stash;
      if (scope.abort) throw new Stop(scope.abort);
      const early = scope.earlyReturn ?? { value: undefined, skipTo: undefined };
      scope.earlyReturn = undefined;
      return { kind: 'early', value: early.value, skipTo: early.skipTo };
    }
    case 'threw':
      throw new Stop(appSyncError(outcome.message, 'Code'));
    case 'timeout':
      throw new Stop(appSyncError(outcome.message, 'Code'));
    case 'missing':
      throw new Stop(appSyncError(`The code does not export a '${handler}' function`, 'Code'));
  }
}

async function callDataSource(
  invoke: InvokeDataSource,
  dataSource: string | undefined,
  payload: unknown,
  scope: RequestScope,
  state: State,
): Promise<{ result?: unknown; error?: unknown }> {
  if (dataSource === undefined) return { result: payload };
  let reply: DataSourceReply;
  try {
    reply = await invoke(
      dataSource,
      JSON.parse(JSON.stringify(payload ?? null)) as unknown,
      snapshot(scope.input, state.stash, state.prev),
    );
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    reply = { error: { message: e.message, type: e.name } };
  }
  if (reply.error) {
    const { message, type, data, errorInfo } = reply.error;
    return {
      result: reply.result ?? null,
      error: {
        message,
        type,
        ...(data !== undefined ? { data } : {}),
        ...(errorInfo !== undefined ? { errorInfo } : {}),
      },
    };
  }
  return { result: reply.result ?? null };
}

/** One request handler → data source → response handler round; undefined `result` means earlyReturn skipped it. */
async function runRound(
  sandbox: Sandbox,
  dataSource: string | undefined,
  invoke: InvokeDataSource,
  scope: RequestScope,
  state: State,
): Promise<Step> {
  const request = runHandler(sandbox, 'request', scope, state);
  if (request.kind === 'early') return request;
  const reply = await callDataSource(invoke, dataSource, request.value, scope, state);
  return runHandler(sandbox, 'response', scope, state, reply);
}

const sandboxOptions = (options: Pick<ExecuteOptions, 'timeoutMs' | 'limitClock'>) => ({
  ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  ...(options.limitClock ? { clock: options.limitClock } : {}),
});

async function runPipeline(
  spec: ResolverSpec,
  invoke: InvokeDataSource,
  scope: RequestScope,
  state: State,
  limits: Pick<ExecuteOptions, 'timeoutMs' | 'limitClock'>,
): Promise<unknown> {
  const resolver = createSandbox(spec.code, hostFunctions(scope), sandboxOptions(limits));
  try {
    const before = runHandler(resolver, 'request', scope, state);
    state.prev = { result: before.value };
    if (before.kind === 'value') {
      for (const fn of spec.functions ?? []) {
        const sandbox = createSandbox(fn.code, hostFunctions(scope), sandboxOptions(limits));
        try {
          const step = await runRound(sandbox, fn.dataSource, invoke, scope, state);
          state.prev = { result: step.value };
          if (step.kind === 'early' && step.skipTo === 'END') break;
        } finally {
          sandbox.release();
        }
      }
    }
    const after = runHandler(resolver, 'response', scope, state);
    return after.value;
  } finally {
    resolver.release();
  }
}

/** Evaluates one resolver for one field; never throws for resolver-caused failures. */
export async function executeResolver(
  spec: ResolverSpec,
  input: ResolveInput,
  invoke: InvokeDataSource,
  options: ExecuteOptions = {},
): Promise<ResolveResult> {
  const scope = new RequestScope(input, options.now);
  const state: State = { stash: {}, prev: { result: null } };
  let data: unknown;
  try {
    if (spec.kind === 'PIPELINE') {
      data = await runPipeline(spec, invoke, scope, state, options);
    } else {
      const sandbox = createSandbox(spec.code, hostFunctions(scope), sandboxOptions(options));
      try {
        data = (await runRound(sandbox, spec.dataSource, invoke, scope, state)).value;
      } finally {
        sandbox.release();
      }
    }
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    data = null;
    scope.errors.push(error.error);
  }
  const headers =
    Object.keys(scope.responseHeaders).length > 0 ? { responseHeaders: { ...scope.responseHeaders } } : {};
  return {
    data: data ?? null,
    errors: scope.errors,
    extensions: scope.extensions,
    logs: scope.logs,
    ...headers,
  };
}
