/**
 * DynamoDB on the gateway port: the JSON protocol (X-Amz-Target DynamoDB_20120810.* and
 * DynamoDBStreams_20120810.*) is checked for a SigV4 signature by the local IAM keys and then passed
 * to DynamoDB Local unchanged, so `AWS_ENDPOINT_URL=http://localhost:20002` serves every service and
 * DynamoDB Local itself, which accepts any signature, is not the one that decides who gets in.
 */
import {
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { crc32 } from 'node:zlib';
import { refuseUnsigned, type SigV4Options } from '../auth/sigv4.js';
import type { HttpHandler } from '../gateway.js';

/** Options of {@link createDynamoDbProxy}. */
export interface DynamoDbProxyOptions {
  /** DynamoDB Local's URL, for example http://127.0.0.1:41234. */
  readonly endpoint: string;
  /** How signatures are checked; the service is always `dynamodb`. @default the local IAM keys */
  readonly sigv4?: Omit<SigV4Options, 'service'>;
  /**
   * ListTables answers only the tables whose names start with this: a stack that shares its DynamoDB Local
   * with others (`tableNamePrefix` of the assembly) lists its own tables only. @default every table
   */
  readonly tableNamePrefix?: string;
}

// DynamoDB Streams signs with DynamoDB's signing name, so one credential scope covers both targets.
const TARGET = /^(DynamoDB_20120810|DynamoDBStreams_20120810)\.[A-Za-z]+$/;
// Headers that describe one hop, not the message (RFC 9110 section 7.6.1).
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The error DynamoDB answers with, in its JSON shape (`__type` with the coral namespace, HTTP 400). */
function dynamoDbError(code: string, message: string): { status: number; body: string } {
  return { status: 400, body: JSON.stringify({ __type: `com.amazon.coral.service#${code}`, message }) };
}

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
}

/** The gateway handler; it returns false for anything that is not a DynamoDB or DynamoDB Streams call. */
export function createDynamoDbProxy(options: DynamoDbProxyOptions): HttpHandler {
  const upstream = new URL(options.endpoint);
  return async (req, res) => {
    const target = req.headers['x-amz-target'];
    if (req.method !== 'POST' || typeof target !== 'string' || !TARGET.test(target)) return false;
    const body = await readBody(req);
    const reject = (error: { status: number; body: string }) => {
      res.writeHead(error.status, { 'content-type': 'application/x-amz-json-1.0' }).end(error.body);
      return true;
    };
    // DynamoDB's "Error handling": a request without credentials is MissingAuthenticationTokenException.
    const refused = await refuseUnsigned(
      { method: req.method, url: req.url ?? '/', headers: req.headers, body },
      'dynamodb',
      options.sigv4,
    );
    if (refused) return reject(dynamoDbError(refused.errorType, refused.message));

    if (options.tableNamePrefix && target === 'DynamoDB_20120810.ListTables')
      return listOwnTables(upstream, req, res, body, options.tableNamePrefix);
    const answer = await forward(upstream, req, body);
    res.writeHead(answer.statusCode ?? 500, endToEnd(answer.headers));
    await new Promise<void>((done, fail) => {
      answer.pipe(res);
      answer.once('end', done);
      answer.once('error', fail);
    });
    return true;
  };
}

/** Sends the client's request on to DynamoDB Local, with its end-to-end headers, and yields the answer. */
function forward(
  upstream: URL,
  req: IncomingMessage,
  body: Buffer,
  options: { dropAcceptEncoding?: boolean } = {},
): Promise<IncomingMessage> {
  const headers = { ...endToEnd(req.headers), host: upstream.host, 'content-length': String(body.length) };
  if (options.dropAcceptEncoding) delete headers['accept-encoding'];
  return new Promise((done, fail) => {
    const request = httpRequest(
      {
        protocol: upstream.protocol,
        hostname: upstream.hostname,
        port: upstream.port,
        method: 'POST',
        path: req.url ?? '/',
        headers,
      },
      done,
    );
    request.once('error', fail);
    request.end(body);
  });
}

/**
 * ListTables through to DynamoDB Local, with the other stacks' tables left out of the page. The answer's
 * `x-amz-crc32` (which the AWS CLI checks) is computed again for the shortened body; the page's
 * LastEvaluatedTableName stays, so paging goes on where DynamoDB Local's page ended.
 */
async function listOwnTables(
  upstream: URL,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  prefix: string,
): Promise<boolean> {
  // Uncompressed, so the page can be read and shortened.
  const reply = await forward(upstream, req, body, { dropAcceptEncoding: true });
  const status = reply.statusCode ?? 500;
  let out = await readBody(reply);
  if (status === 200) {
    const page = JSON.parse(out.toString('utf8')) as { TableNames?: string[] };
    page.TableNames = (page.TableNames ?? []).filter((name) => name.startsWith(prefix));
    out = Buffer.from(JSON.stringify(page));
  }
  res.writeHead(status, {
    ...endToEnd(reply.headers),
    'content-length': String(out.length),
    'x-amz-crc32': String(crc32(out)),
  });
  res.end(out);
  return true;
}
