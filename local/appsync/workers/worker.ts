/**
 * One worker thread of the local AppSync API (./pool.ts): it answers HTTP GraphQL requests the main
 * thread read off the socket (authorize, parse, validate, execute) on an engine of its own, whose
 * APPSYNC_JS realms live in this thread, and a DynamoDB client of its own. What only the main thread
 * has goes back to it: Lambda invocations, PutEvents, injected faults, the cost meter's records, and
 * (in the answer) the billing, publish and invalidation the main thread does after sending it.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { createAuthorizer } from '../../auth/index.js';
import { createTransactionImageReader } from '../../meter/dynamodb-images.js';
import { recordDataSourceCalls } from '../../meter/dynamodb-middleware.js';
import {
  createDataSourceDynamoDbClient,
  createDataSourceInvoker,
  PageTokenCodec,
  type PutEventsEntry,
} from '../datasources/index.js';
import type { InvokeDataSource } from '../runtime/index.js';
import { answerGraphqlWith } from '../server/http.js';
import { GraphQLEngine } from '../server/engine.js';
import type { FaultRule } from '../server/hooks.js';
import type {
  ApiWorkerCall,
  ApiWorkerData,
  ApiWorkerDynamoDbCall,
  FromApiWorker,
  ToApiWorker,
} from './protocol.js';

const port = parentPort;
if (!port) throw new Error('the API worker runs in a worker thread (see appsync/workers/pool.ts)');
const data = workerData as ApiWorkerData;
const post = (message: FromApiWorker) => port.postMessage(message);

let nextCall = 1;
const calls = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
function call<T>(request: ApiWorkerCall): Promise<T> {
  const id = nextCall++;
  return new Promise<T>((resolve, reject) => {
    calls.set(id, { resolve: resolve as (value: unknown) => void, reject });
    post({ type: 'call', id, ...request });
  });
}

// Each message wakes the main thread: the meter's records wait for the next answer, or the turn's end.
let records: ApiWorkerDynamoDbCall[] = [];
let flushing = false;
const takeRecords = (): { dynamodb?: ApiWorkerDynamoDbCall[] } => {
  if (records.length === 0) return {};
  const dynamodb = records;
  records = [];
  return { dynamodb };
};
const flush = () => {
  flushing = false;
  const { dynamodb } = takeRecords();
  if (dynamodb) post({ type: 'dynamodb', dynamodb });
};

const client = createDataSourceDynamoDbClient(data.dynamodb);
if (data.meterDynamoDb) {
  const images = data.transactionImages ? createTransactionImageReader(data.transactionImages) : undefined;
  recordDataSourceCalls(
    client,
    (operation, input, status, output, images) => {
      records.push({
        operation,
        input,
        status,
        output: {
          ...(output.__type !== undefined ? { __type: output.__type } : {}),
          ...(output.ConsumedCapacity !== undefined ? { ConsumedCapacity: output.ConsumedCapacity } : {}),
        },
        ...(images ? { images } : {}),
      });
      if (!flushing) {
        flushing = true;
        setImmediate(flush);
      }
    },
    images,
  );
}
const base = createDataSourceInvoker(data.config.dataSources, {
  dynamodb: client,
  invokeLambda: (functionArn, payload) => call({ method: 'invokeLambda', args: [functionArn, payload] }),
  putEvents: (busArn, entries: PutEventsEntry[]) => call({ method: 'putEvents', args: [busArn, entries] }),
  pageTokens: new PageTokenCodec(data.pageTokenKey),
});

// Faults live in the main thread (tests inject them there); only a field that has one costs a round trip.
let armed = new Set(data.armedFaults);
const invoke: InvokeDataSource = async (name, request, ctx) => {
  if (armed.has(`${ctx.typeName}.${ctx.fieldName}`)) {
    const fault = await call<FaultRule | null>({ method: 'takeFault', args: [ctx.typeName, ctx.fieldName] });
    if (fault?.latencyMs) await delay(fault.latencyMs);
    if (fault?.error) return { error: { ...fault.error } };
  }
  return base(name, request, ctx);
};

const engine = new GraphQLEngine(data.config, { invoke });
const pools = data.userPools;
const pool = (id: string) => {
  const found = pools[id];
  if (!found) throw new Error(`no user pool ${id} was handed to the API worker`);
  return found;
};
const authorize = createAuthorizer(data.config.auth, {
  userPools: { issuer: (id) => pool(id).issuer, jwks: (id) => pool(id).jwks },
  ...(data.sigv4 ? { sigv4: data.sigv4 } : {}),
});
const answer = answerGraphqlWith(engine, authorize);

port.on('message', (message: ToApiWorker) => {
  switch (message.type) {
    case 'request':
      answer(message.request).then(
        (result) => post({ type: 'answer', id: message.id, answer: result, ...takeRecords() }),
        (error: unknown) =>
          post({
            type: 'failed',
            id: message.id,
            message: (error as Error)?.message ?? String(error),
            ...takeRecords(),
          }),
      );
      break;
    case 'reply': {
      const pending = calls.get(message.id);
      calls.delete(message.id);
      if (!pending) break;
      if (message.ok) pending.resolve(message.value);
      else {
        const error = new Error(message.error?.message ?? 'the main thread failed the call');
        error.name = message.error?.name ?? 'Error';
        pending.reject(error);
      }
      break;
    }
    case 'faults':
      armed = new Set(message.armed);
      break;
  }
});
post({ type: 'ready' });
