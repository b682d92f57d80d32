// The cost meter's view of a Lambda worker's DynamoDB calls, taken inside the worker: the function's
// AWS SDK goes straight to DynamoDB Local, and this hook on node:http does what the meter's proxy did on
// the host's main thread (local/meter/dynamodb-proxy.ts): it asks for `ReturnConsumedCapacity: INDEXES`
// when the caller did not, reports the units to the host, and hands the caller the answer it would
// have had, without the capacity block. Plain .mjs, like runtime-worker.mjs, so it needs no loader.
//
// The SDK's node:http handler (@smithy/node-http-handler) reads `request` from node:http when it first
// builds its agent, calls it with (options, callback), sends a JSON body with end(body) and reads the
// answer from the response stream; this hook replaces `request` for DynamoDB Local's host and port
// only, before the function's code loads. It sees each attempt, as the proxy did (the SDK retries
// above it).
//
// A TransactWriteItems is sized as AWS bills it from its items read just before and just after it:
// with `readImage`, the hook holds the request until the host has read the items (the host's reader,
// local/meter/dynamodb-images.ts, the same one the other paths use), and holds the answer until it has
// read them again, so no later write of the function can slip between the transaction and its image.
import { Buffer } from 'node:buffer';
import http from 'node:http';
import { Readable } from 'node:stream';
import { URL } from 'node:url';

// The operations that consume capacity, as local/meter/dynamodb-calls.ts lists them.
const METERED = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
  'GetItem',
  'BatchGetItem',
  'Query',
  'Scan',
  'TransactGetItems',
  'ExecuteStatement',
  'BatchExecuteStatement',
  'ExecuteTransaction',
]);

function headerOf(headers, name) {
  if (!headers) return undefined;
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name) return String(headers[key]);
  return undefined;
}

function parseObject(text) {
  try {
    const value = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What recordDynamoDbCall reads of a request: the table, the PartiQL statement, the transaction's
 * items. A transaction that is sized (`sized`) keeps its items whole, as transactionUnits reads each
 * one's kind, table and (for a Put) the new item; otherwise only their count and tables matter.
 */
function meteredInput(input, sized) {
  const first = (input.Statements ?? input.TransactStatements)?.[0]?.Statement;
  const items = Array.isArray(input.TransactItems) ? input.TransactItems : undefined;
  return {
    ...(input.TableName !== undefined ? { TableName: input.TableName } : {}),
    ...(input.Statement !== undefined ? { Statement: input.Statement } : {}),
    ...(first !== undefined ? { Statements: [{ Statement: first }] } : {}),
    ...(items ? { TransactItems: sized ? items : items.map(tableOnly) } : {}),
  };
}

/** A transaction item reduced to its kind and table (what the meter's 2-units-per-item floor reads). */
function tableOnly(action) {
  const [kind, part] = Object.entries(action ?? {})[0] ?? [];
  return kind && part && typeof part === 'object' ? { [kind]: { TableName: part.TableName } } : {};
}

/**
 * Meters the calls to `endpoint` (DynamoDB Local's URL): `report({ operation, input, status, output,
 * images? })` runs once per answered attempt, before the caller sees the answer. `readImage(input)`,
 * when given, reads a TransactWriteItems' items (a promise of one item or undefined per TransactItem,
 * or undefined when they cannot be read); the report then carries `images: { before, after }`.
 */
export function meterDynamoDbCalls(endpoint, report, readImage) {
  const target = new URL(endpoint);
  const port = Number(target.port || 80);
  const realRequest = http.request;
  http.request = function request(options, callback, ...rest) {
    const plain = options && typeof options === 'object' && !(options instanceof URL);
    const operation = plain ? meteredOperation(options) : undefined;
    if (!operation || typeof callback !== 'function' || rest.length > 0) {
      return realRequest.call(this, options, callback, ...rest);
    }
    let input;
    let strip = false;
    // The transaction's request (whole) and its items before it, when it is sized.
    let transaction;
    let before;
    const req = realRequest.call(this, options, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      // A response cut off mid-body fails the request, as the SDK sees a broken socket.
      res.on('error', (error) => req.destroy(error));
      res.on('end', async () => {
        let body = Buffer.concat(chunks);
        const headers = { ...res.headers };
        const output = parseObject(body.toString('utf8'));
        if (output && input) {
          const after =
            before && res.statusCode === 200
              ? await readImage(transaction).catch(() => undefined)
              : undefined;
          report({
            operation,
            input,
            status: res.statusCode ?? 0,
            output: {
              ...(output.__type !== undefined ? { __type: output.__type } : {}),
              ...(output.ConsumedCapacity !== undefined ? { ConsumedCapacity: output.ConsumedCapacity } : {}),
            },
            ...(before && after ? { images: { before, after } } : {}),
          });
          if (strip && 'ConsumedCapacity' in output) {
            delete output.ConsumedCapacity;
            body = Buffer.from(JSON.stringify(output));
            // The SDK may check x-amz-crc32 against the body; the body changed, so the checksum goes.
            delete headers['x-amz-crc32'];
            headers['content-length'] = String(body.length);
          }
        }
        const answer = Readable.from(body.length > 0 ? [body] : []);
        answer.statusCode = res.statusCode;
        answer.statusMessage = res.statusMessage;
        answer.headers = headers;
        callback(answer);
      });
    });
    const end = req.end;
    req.end = function (chunk, ...endRest) {
      const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '';
      const parsed = parseObject(text);
      const sized = Boolean(parsed && readImage && operation === 'TransactWriteItems');
      if (parsed) {
        input = meteredInput(parsed, sized);
        if (parsed.ReturnConsumedCapacity === undefined || parsed.ReturnConsumedCapacity === 'NONE') {
          strip = true;
          chunk = JSON.stringify({ ...parsed, ReturnConsumedCapacity: 'INDEXES' });
          if (!this.headersSent) this.setHeader('content-length', String(Buffer.byteLength(chunk)));
        }
      }
      if (!sized) return end.call(this, chunk, ...endRest);
      // The request leaves once its items are read; the SDK only waits for the response, so holding
      // end() back changes nothing it sees but the time.
      transaction = parsed;
      readImage(parsed)
        .catch(() => undefined)
        .then((image) => {
          before = image;
          end.call(this, chunk, ...endRest);
        });
      return this;
    };
    return req;
  };

  function meteredOperation(options) {
    const host = options.hostname ?? options.host;
    if (host !== target.hostname || Number(options.port ?? 80) !== port) return undefined;
    const [service, operation = ''] = (headerOf(options.headers, 'x-amz-target') ?? '').split('.');
    return service === 'DynamoDB_20120810' && METERED.has(operation) ? operation : undefined;
  }
}
