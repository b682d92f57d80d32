import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { refuseUnsigned, type SigV4Options } from '../auth/sigv4.js';
import { AwsServiceError } from '../aws-json.js';
import type { LambdaHost } from './host.js';
import type { FunctionConfig } from './types.js';

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
const LIST_PATH = /^\/2015-03-31\/functions\/?$/;
const FUNCTION_PATH = /^\/2015-03-31\/functions\/([^/]+)(\/configuration)?\/?$/;
// Every Lambda REST operation lives under a dated API version (2015-03-31/functions, 2017-03-31/tags,
// 2019-09-25/functions/…/event-invoke-config, …), so these paths are Lambda's even when not implemented.
const LAMBDA_API_PATH =
  /^\/20\d\d-\d\d-\d\d\/(functions|event-source-mappings|layers|tags|account-settings|code-signing-configs)(\/|$)/;
const LOG_TAIL_BYTES = 4096;
const DEFAULT_MAX_ITEMS = 50;

/** Lambda's REST error: the code in x-amzn-errortype, and a body of Type and message. */
function sendError(res: ServerResponse, error: AwsServiceError): void {
  res
    .writeHead(error.statusCode, { 'content-type': 'application/json', 'x-amzn-errortype': error.code })
    .end(JSON.stringify({ Type: error.statusCode < 500 ? 'User' : 'Service', message: error.message }));
}

const codeFacts = new Map<string, { size: number; sha256: string; modified: Date }>();

/** Size, digest and time of a function's code folder (AWS reports them for the deployment zip). */
function codeOf(dir: string): { size: number; sha256: string; modified: Date } {
  const cached = codeFacts.get(dir);
  if (cached) return cached;
  const hash = createHash('sha256');
  let size = 0;
  let modified = new Date(0);
  try {
    for (const name of (readdirSync(dir, { recursive: true }) as string[]).sort()) {
      const file = join(dir, name);
      const stat = statSync(file);
      if (!stat.isFile()) continue;
      size += stat.size;
      if (stat.mtime > modified) modified = stat.mtime;
      hash.update(name).update(readFileSync(file));
    }
  } catch {
    // A missing folder reports an empty package; Invoke then fails with Runtime.ImportModuleError.
  }
  const facts = { size, sha256: hash.digest('base64'), modified };
  codeFacts.set(dir, facts);
  return facts;
}

/** The FunctionConfiguration shape of GetFunction, GetFunctionConfiguration and ListFunctions. */
export function functionConfiguration(config: FunctionConfig): Record<string, unknown> {
  const code = codeOf(config.codeDir);
  return {
    FunctionName: config.name,
    FunctionArn: config.arn,
    Runtime: config.runtime ?? 'nodejs22.x',
    ...(config.roleArn ? { Role: config.roleArn } : {}),
    Handler: config.handler,
    CodeSize: code.size,
    Description: config.description ?? '',
    Timeout: config.timeoutSeconds,
    MemorySize: config.memoryMb,
    // Lambda's own format: 2026-01-05T10:00:00.000+0000.
    LastModified: code.modified.toISOString().replace('Z', '+0000'),
    CodeSha256: code.sha256,
    Version: '$LATEST',
    Environment: { Variables: { ...config.environment } },
    TracingConfig: { Mode: config.tracingMode ?? 'PassThrough' },
    ...(config.asyncConfig?.deadLetterArn
      ? { DeadLetterConfig: { TargetArn: config.asyncConfig.deadLetterArn } }
      : {}),
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: [...(config.architectures ?? ['x86_64'])],
    EphemeralStorage: { Size: 512 },
    LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${config.name}` },
  };
}

/** ListFunctions, GetFunction and GetFunctionConfiguration; false when the request is none of them. */
function answerRead(host: LambdaHost, req: IncomingMessage, res: ServerResponse): boolean {
  const url = new URL(req.url ?? '/', 'http://local');
  const json = (body: unknown) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  if (LIST_PATH.test(url.pathname)) {
    const all = host.listFunctions();
    const start = Number(url.searchParams.get('Marker') ?? 0) || 0;
    const max = Math.min(
      Math.max(Number(url.searchParams.get('MaxItems') ?? DEFAULT_MAX_ITEMS) || 1, 1),
      DEFAULT_MAX_ITEMS,
    );
    const page = all.slice(start, start + max);
    json({
      Functions: page.map(functionConfiguration),
      ...(start + max < all.length ? { NextMarker: String(start + max) } : {}),
    });
    return true;
  }
  const match = FUNCTION_PATH.exec(url.pathname);
  if (!match) return false;
  const config = host.getFunction(decodeURIComponent(match[1] ?? ''));
  const configuration = functionConfiguration(config);
  if (match[2]) {
    json(configuration);
    return true;
  }
  json({
    Configuration: configuration,
    Code: { RepositoryType: 'S3', Location: `file://${config.codeDir}` },
    ...(config.reservedConcurrency !== undefined
      ? { Concurrency: { ReservedConcurrentExecutions: config.reservedConcurrency } }
      : {}),
  });
  return true;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The Lambda REST API for @aws-sdk/client-lambda and the AWS CLI with an endpoint override: Invoke
 * (POST /2015-03-31/functions/{name}/invocations), ListFunctions, GetFunction and
 * GetFunctionConfiguration. Any other Lambda operation answers NotImplemented in Lambda's error shape;
 * requests outside Lambda's paths return false.
 */
export function createLambdaInvokeHandler(
  host: LambdaHost,
  options: { readonly sigv4?: Omit<SigV4Options, 'service'> } = {},
) {
  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (!LAMBDA_API_PATH.test(path)) return false;
    const match = INVOKE_PATH.exec(path);
    const raw = await readBody(req);
    // Every operation, reads included, must be signed for `lambda` by the local IAM keys; Lambda's REST
    // API answers MissingAuthenticationTokenException, UnrecognizedClientException or
    // InvalidSignatureException in its x-amzn-errortype.
    const refused = await refuseUnsigned(
      { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: raw },
      'lambda',
      options.sigv4,
    );
    if (refused) {
      sendError(res, new AwsServiceError(refused.errorType, refused.message, refused.status));
      return true;
    }
    if (req.method === 'GET') {
      try {
        if (answerRead(host, req, res)) return true;
      } catch (err) {
        if (!(err instanceof AwsServiceError)) throw err;
        sendError(res, err);
        return true;
      }
    }
    if (req.method !== 'POST' || !match) {
      sendError(
        res,
        new AwsServiceError(
          'NotImplemented',
          `The local Lambda does not implement ${req.method ?? ''} ${path}; it implements Invoke, ListFunctions, GetFunction and GetFunctionConfiguration.`,
          501,
        ),
      );
      return true;
    }
    const name = decodeURIComponent(match[1] ?? '');
    const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    try {
      let payload: unknown = null;
      try {
        payload = raw ? (JSON.parse(raw) as unknown) : null;
      } catch {
        throw new AwsServiceError(
          'InvalidRequestContentException',
          'Could not parse request body into json',
          400,
        );
      }
      host.getFunction(name);
      if (type === 'DryRun') {
        res.writeHead(204).end();
      } else if (type === 'Event') {
        await host.invokeAsync(name, payload);
        res.writeHead(202).end();
      } else {
        const result = await host.invokeSync(name, payload);
        const headers: Record<string, string> = {
          'content-type': 'application/json',
          'x-amz-executed-version': '$LATEST',
          'x-amzn-requestid': result.requestId,
        };
        if (result.functionError) headers['x-amz-function-error'] = result.functionError;
        if (req.headers['x-amz-log-type'] === 'Tail') {
          const tail = Buffer.from(result.logs ?? '', 'utf8');
          headers['x-amz-log-result'] = tail
            .subarray(Math.max(0, tail.length - LOG_TAIL_BYTES))
            .toString('base64');
        }
        res.writeHead(200, headers).end(JSON.stringify(result.payload));
      }
    } catch (err) {
      sendError(
        res,
        err instanceof AwsServiceError
          ? err
          : new AwsServiceError('ServiceException', (err as Error).message, 500),
      );
    }
    return true;
  };
}
