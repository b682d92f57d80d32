/**
 * A metering proxy in front of DynamoDB Local, for the DynamoDB and DynamoDB Streams calls of the
 * gateway's DynamoDB route (clients outside the stack); the main process's own clients meter themselves
 * (./dynamodb-middleware.ts, streamsAnswerMeter), and so do the Lambda workers, inside each worker
 * (../lambda/dynamodb-meter.mjs, recorded here through LambdaHostOptions.onDynamoDbCall). It
 * asks DynamoDB Local for `ReturnConsumedCapacity: INDEXES` when the caller did not, records the units
 * (table and each GSI, ./dynamodb-calls.ts), and hands the caller the answer it would have had: the
 * capacity block is removed again.
 * DynamoDB Local's units follow AWS's documented rules (local/test/integration/meter-dynamodb.test.ts).
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CostMeter } from './meter.js';
import { createTransactionImageReader, type TransactionImage } from './dynamodb-images.js';
import {
  isMeteredOperation,
  recordDynamoDbCall,
  recordStreamRead,
  wantsNoCapacity,
  withTables,
} from './dynamodb-calls.js';

/** A running proxy. */
export interface MeteringProxy {
  /** http://127.0.0.1:<port>, to use wherever DynamoDB Local's endpoint was used. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts the proxy on a free loopback port in front of `target` (DynamoDB Local's endpoint). It reads
 * the items of each TransactWriteItems before and after it straight from `target` (unmetered), to size
 * them as AWS does.
 */
export async function startMeteringProxy(target: string, meter: CostMeter): Promise<MeteringProxy> {
  const upstream = new URL(target);
  const images = createTransactionImageReader(target);
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const targetHeader = String(req.headers['x-amz-target'] ?? '');
      const [service, operation = ''] = targetHeader.split('.');
      let input: Record<string, unknown> | undefined;
      let stripCapacity = false;
      let sent = body;
      if (service === 'DynamoDB_20120810' && isMeteredOperation(operation)) {
        input = parseObject(body);
        if (input && wantsNoCapacity(input)) {
          stripCapacity = true;
          sent = Buffer.from(JSON.stringify({ ...input, ReturnConsumedCapacity: 'INDEXES' }));
        }
      }
      const transaction = input && operation === 'TransactWriteItems' ? input : undefined;
      const before: TransactionImage | undefined = transaction ? await images.read(transaction) : undefined;
      const headers = { ...req.headers, host: upstream.host, 'content-length': String(sent.length) };
      const answer = request(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers },
        (up) => {
          void (async () => {
            const raw = await readAll(up);
            let out = raw;
            const outHeaders = { ...up.headers };
            if (service === 'DynamoDB_20120810' && input) {
              const parsed = parseObject(raw);
              const after =
                transaction && before && up.statusCode === 200 ? await images.read(transaction) : undefined;
              if (parsed)
                recordDynamoDbCall(
                  meter,
                  operation,
                  input,
                  up.statusCode ?? 0,
                  parsed,
                  before && after ? withTables({ before, after }, images.tablesOf(transaction!)) : undefined,
                );
              if (parsed && stripCapacity && 'ConsumedCapacity' in parsed) {
                delete parsed.ConsumedCapacity;
                out = Buffer.from(JSON.stringify(parsed));
                // The SDK checks x-amz-crc32 against the body; the body changed, so the checksum goes.
                delete outHeaders['x-amz-crc32'];
              }
            } else if (
              service === 'DynamoDBStreams_20120810' &&
              operation === 'GetRecords' &&
              up.statusCode === 200
            ) {
              recordStreamRead(meter, (parseObject(raw)?.Records as unknown[] | undefined)?.length ?? 0);
            }
            outHeaders['content-length'] = String(out.length);
            res.writeHead(up.statusCode ?? 500, outHeaders);
            res.end(out);
          })();
        },
      );
      answer.on('error', (error) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ __type: 'InternalFailure', message: `DynamoDB Local: ${error.message}` }));
      });
      answer.end(sent);
    })();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      images.destroy();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

function parseObject(raw: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(raw.toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
