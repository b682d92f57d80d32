/**
 * A metering proxy in front of DynamoDB Local: every DynamoDB and DynamoDB Streams call of the stack
 * (AppSync data sources, Lambda SDK clients, the pipe's poller) goes through it. It asks DynamoDB Local
 * for `ReturnConsumedCapacity: INDEXES` when the caller did not, records the units (table and each
 * GSI), and hands the caller the answer it would have had: the capacity block is removed again.
 * DynamoDB Local's units follow AWS's documented rules (test/integration/local/meter-dynamodb.test.ts).
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CostMeter } from './meter.js';

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
const PARTIQL = new Set(['ExecuteStatement', 'BatchExecuteStatement', 'ExecuteTransaction']);

interface CapacityBlock {
  readonly TableName?: string;
  readonly CapacityUnits?: number;
  readonly Table?: { readonly CapacityUnits?: number };
  readonly GlobalSecondaryIndexes?: Readonly<Record<string, { readonly CapacityUnits?: number }>>;
  readonly LocalSecondaryIndexes?: Readonly<Record<string, { readonly CapacityUnits?: number }>>;
}

/** A running proxy. */
export interface MeteringProxy {
  /** http://127.0.0.1:<port>, to use wherever DynamoDB Local's endpoint was used. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Starts the proxy on a free loopback port in front of `target` (DynamoDB Local's endpoint). */
export async function startMeteringProxy(target: string, meter: CostMeter): Promise<MeteringProxy> {
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const targetHeader = String(req.headers['x-amz-target'] ?? '');
      const [service, operation = ''] = targetHeader.split('.');
      let input: Record<string, unknown> | undefined;
      let stripCapacity = false;
      let sent = body;
      if (
        service === 'DynamoDB_20120810' &&
        (WRITES.has(operation) || READS.has(operation) || PARTIQL.has(operation))
      ) {
        input = parseObject(body);
        if (
          input &&
          (input.ReturnConsumedCapacity === undefined || input.ReturnConsumedCapacity === 'NONE')
        ) {
          stripCapacity = true;
          sent = Buffer.from(JSON.stringify({ ...input, ReturnConsumedCapacity: 'INDEXES' }));
        }
      }
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
              if (parsed) record(meter, operation, input, up.statusCode ?? 0, parsed);
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
              const records = (parseObject(raw)?.Records as unknown[] | undefined)?.length ?? 0;
              if (records > 0) meter.add('dynamodb.streamReadRequest', 1, 'GetRecords with records');
              else meter.note('dynamodb.streamReadRequest empty GetRecords (idle polling, billed by time)');
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
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

function record(
  meter: CostMeter,
  operation: string,
  input: Record<string, unknown>,
  status: number,
  output: Record<string, unknown>,
): void {
  const isWrite =
    WRITES.has(operation) ||
    (PARTIQL.has(operation) && !/^\s*select\b/i.test(String(input.Statement ?? firstStatement(input))));
  const dimension = isWrite ? 'dynamodb.writeRequestUnit' : 'dynamodb.readRequestUnit';
  if (status !== 200) {
    // "If a ConditionExpression evaluates to false, DynamoDB still consumes write capacity": the size of
    // the existing item, at least one unit. DynamoDB Local returns no capacity with the error, so the
    // meter counts the documented minimum.
    const type = String(output.__type ?? '');
    if (type.endsWith('ConditionalCheckFailedException') && isWrite)
      meter.add(dimension, 1, `${String(input.TableName ?? '?')} failed condition`);
    return;
  }
  if (operation === 'TransactWriteItems' && Array.isArray(input.TransactItems))
    meter.note('dynamodb.transactWriteItems items', input.TransactItems.length);
  const blocks = output.ConsumedCapacity;
  for (const block of (Array.isArray(blocks) ? blocks : blocks ? [blocks] : []) as CapacityBlock[]) {
    const table = block.TableName ?? '?';
    const indexes = { ...block.GlobalSecondaryIndexes, ...block.LocalSecondaryIndexes };
    const tableUnits = block.Table?.CapacityUnits ?? block.CapacityUnits ?? 0;
    meter.add(dimension, tableUnits, `${table} ${operation}`);
    for (const [index, used] of Object.entries(indexes))
      meter.add(dimension, used.CapacityUnits ?? 0, `${table}/${index} ${operation}`);
  }
}

function firstStatement(input: Record<string, unknown>): string {
  const list = (input.Statements ?? input.TransactStatements) as { Statement?: string }[] | undefined;
  return list?.[0]?.Statement ?? '';
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
