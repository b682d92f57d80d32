/* global console */
// The in-worker half of the local Lambda runtime: loads the bundled asset the way the Node.js runtime
// does, and answers 'invoke' messages one at a time. Plain .mjs so the host can start it from any
// loader (vitest, tsx, plain node) without a TypeScript transform inside the worker.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { parentPort, workerData } from 'node:worker_threads';
import { Module } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import { meterDynamoDbCalls } from './dynamodb-meter.mjs';

const {
  codeDir,
  handler,
  functionName,
  functionArn,
  memoryMb,
  logGroupName,
  logStreamName,
  meterDynamoDb,
  sizeTransactions,
} = workerData;
let currentRequestId;
const initStarted = performance.now();

// What the Lambda runtime itself sets for every function ("Defined runtime environment variables"):
// Powertools reads AWS_LAMBDA_INITIALIZATION_TYPE to know it runs in Lambda, and the X-Ray SDK under
// Powertools Tracer reads AWS_XRAY_CONTEXT_MISSING. _X_AMZN_TRACE_ID is set per invocation below.
process.env.AWS_LAMBDA_INITIALIZATION_TYPE ??= 'on-demand';
process.env.AWS_XRAY_CONTEXT_MISSING ??= 'LOG_ERROR';

/**
 * A trace header as Lambda gives each invocation (X-Ray "Tracing header": Root=1-<epoch hex>-<96 bits>).
 * Sampled=0: nothing here receives segments (there is no X-Ray daemon locally), so, as for any request
 * X-Ray does not sample, the SDK records nothing and sends nothing, and Tracer finds the trace data it
 * expects instead of logging "Missing AWS Lambda trace data for X-Ray".
 */
function traceHeader() {
  const epoch = Math.floor(Date.now() / 1000).toString(16);
  return `Root=1-${epoch}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0`;
}

const runtimeLine = (requestId, text) => parentPort.postMessage({ type: 'log', requestId, text });

// Lambda replaces console so each line carries time, request id and level; we do the same and post the
// line to the host instead of writing it, so the host can attribute it to the request.
const levels = { log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG', trace: 'TRACE' };
for (const [method, level] of Object.entries(levels)) {
  console[method] = (...args) => {
    const text = `${new Date().toISOString()}\t${currentRequestId ?? 'undefined'}\t${level}\t${format(...args)}`;
    parentPort.postMessage({ type: 'log', requestId: currentRequestId, text });
  };
}

function formatError(err) {
  if (err instanceof Error) {
    return {
      errorType: err.name ?? 'Error',
      errorMessage: err.message,
      trace: String(err.stack ?? '').split('\n'),
    };
  }
  return { errorType: typeof err, errorMessage: String(err), trace: [] };
}

class RuntimeError extends Error {
  constructor(name, message) {
    super(message);
    this.name = name;
  }
}

function hasModuleType(dir) {
  const pkg = join(dir, 'package.json');
  if (!existsSync(pkg)) return false;
  try {
    return JSON.parse(readFileSync(pkg, 'utf8')).type === 'module';
  } catch {
    return false;
  }
}

// A .js asset without its own package.json is CommonJS in Lambda, even when cdk.out sits inside a
// repository whose package.json says "type": "module"; so compile it as CJS ourselves instead of
// letting Node pick the repository's module type. ESM syntax falls back to import(), like Node 22's
// module detection.
function loadCommonJs(file) {
  const mod = new Module(file, null);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(dirname(file));
  mod._compile(readFileSync(file, 'utf8'), file);
  return mod.exports;
}

const esmSyntax = /Cannot use import statement|Unexpected token 'export'|import\.meta|await is only valid/;

async function loadModule(base) {
  if (existsSync(`${base}.js`)) {
    const file = `${base}.js`;
    if (hasModuleType(dirname(file))) return import(pathToFileURL(file).href);
    try {
      return loadCommonJs(file);
    } catch (err) {
      if (err instanceof SyntaxError && esmSyntax.test(err.message)) return import(pathToFileURL(file).href);
      throw err;
    }
  }
  if (existsSync(`${base}.mjs`)) return import(pathToFileURL(`${base}.mjs`).href);
  if (existsSync(`${base}.cjs`)) return loadCommonJs(`${base}.cjs`);
  throw new RuntimeError(
    'Runtime.ImportModuleError',
    `Error: Cannot find module '${base.slice(codeDir.length + 1)}'`,
  );
}

async function loadHandler() {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0) throw new RuntimeError('Runtime.MalformedHandlerName', `Bad handler ${handler}`);
  const mod = await loadModule(join(codeDir, handler.slice(0, dot)));
  const name = handler.slice(dot + 1);
  const fn = mod?.[name] ?? mod?.default?.[name];
  if (typeof fn !== 'function') {
    throw new RuntimeError('Runtime.HandlerNotFound', `${handler} is undefined or not exported`);
  }
  return fn;
}

// The cost meter's units of the function's DynamoDB calls travel with its other messages, so the host
// has them before the invocation's result (./dynamodb-meter.mjs); installed before the code loads.
// With sizeTransactions the host reads a transaction's items before and after it (its own reader on
// DynamoDB Local): each read is a 'dynamodb-image' request the host answers with the same id.
if (meterDynamoDb) {
  const pending = new Map();
  let nextImage = 0;
  const readImage = (input) =>
    new Promise((resolve) => {
      const id = nextImage++;
      pending.set(id, resolve);
      parentPort.postMessage({ type: 'dynamodb-image', id, input });
    });
  if (sizeTransactions) {
    parentPort.on('message', (msg) => {
      if (msg.type !== 'dynamodb-image') return;
      pending.get(msg.id)?.(msg.image);
      pending.delete(msg.id);
    });
  }
  meterDynamoDbCalls(
    meterDynamoDb,
    (call) => parentPort.postMessage({ type: 'dynamodb', requestId: currentRequestId, call }),
    sizeTransactions ? readImage : undefined,
  );
}

// Init runs once per worker, like a Lambda cold start; a failed init fails every invoke of this worker.
const handlerPromise = loadHandler();
handlerPromise.catch(() => undefined);

let initEnded;
handlerPromise.then(
  () => (initEnded = performance.now()),
  () => (initEnded = performance.now()),
);
let coldStart = true;

parentPort.on('message', async (msg) => {
  if (msg.type !== 'invoke') return;
  // The Invoke phase, and its timeout, begin once Init is over ("Understanding the Lambda execution
  // environment lifecycle"): a cold start is reported as Init Duration, not counted in Duration.
  await handlerPromise.catch(() => undefined);
  currentRequestId = msg.requestId;
  process.env._X_AMZN_TRACE_ID = msg.traceId ?? traceHeader();
  const started = performance.now();
  const deadline = Date.now() + msg.timeoutMs;
  const initDuration = coldStart ? (initEnded ?? started) - initStarted : undefined;
  coldStart = false;
  // initMs tells the host what a cold start of this function costs, for its choice of environment.
  parentPort.postMessage({ type: 'started', requestId: msg.requestId, initMs: initDuration });
  // The runtime's own lines around each invocation, as Lambda writes them to the log stream.
  runtimeLine(msg.requestId, `START RequestId: ${msg.requestId} Version: $LATEST`);
  // END and REPORT travel with the result in one message (fewer messages per invocation); the host
  // writes them before it settles the invocation, so the log keeps Lambda's order.
  const closingLines = () => {
    const ms = performance.now() - started;
    // heapUsed without process.memoryUsage(), which also reads the RSS from /proc on every call.
    const usedMb = Math.ceil(getHeapStatistics().used_heap_size / 1024 / 1024);
    return [
      `END RequestId: ${msg.requestId}`,
      `REPORT RequestId: ${msg.requestId}\tDuration: ${ms.toFixed(2)} ms\tBilled Duration: ${Math.ceil(ms)} ms\t` +
        `Memory Size: ${memoryMb} MB\tMax Memory Used: ${usedMb} MB` +
        (initDuration !== undefined ? `\tInit Duration: ${initDuration.toFixed(2)} ms` : ''),
    ];
  };
  let settled = false;
  const finish = (err, result) => {
    if (settled) return;
    settled = true;
    if (err !== null && err !== undefined) {
      const error = formatError(err);
      // The Node.js runtime logs a failed invocation as one ERROR line with the error as JSON.
      runtimeLine(
        msg.requestId,
        `${new Date().toISOString()}\t${msg.requestId}\tERROR\tInvoke Error \t${JSON.stringify({
          errorType: error.errorType,
          errorMessage: error.errorMessage,
          stack: error.trace,
        })}`,
      );
      parentPort.postMessage({ type: 'error', requestId: msg.requestId, error, lines: closingLines() });
      return;
    }
    let json;
    try {
      json = JSON.stringify(result === undefined ? null : result);
    } catch {
      const marshal = new RuntimeError('Runtime.JSONStringifyError', 'Unable to stringify response body');
      parentPort.postMessage({
        type: 'error',
        requestId: msg.requestId,
        error: formatError(marshal),
        lines: closingLines(),
      });
      return;
    }
    parentPort.postMessage({
      type: 'result',
      requestId: msg.requestId,
      json: json ?? 'null',
      lines: closingLines(),
    });
  };
  const context = {
    awsRequestId: msg.requestId,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn,
    memoryLimitInMB: String(memoryMb),
    logGroupName,
    logStreamName,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: (err, result) => finish(err, result),
    succeed: (result) => finish(null, result),
    fail: (err) => finish(err ?? new Error('handled')),
  };
  try {
    const fn = await handlerPromise;
    const returned = fn(msg.event, context, (err, result) => finish(err, result));
    if (returned && typeof returned.then === 'function') {
      returned.then(
        (result) => finish(null, result),
        (err) => finish(err ?? new Error('rejected')),
      );
    }
  } catch (err) {
    finish(err);
  }
});
