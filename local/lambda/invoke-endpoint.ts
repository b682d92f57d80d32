import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsServiceError } from '../aws-json.js';
import type { LambdaHost } from './host.js';

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
const LOG_TAIL_BYTES = 4096;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The Lambda Invoke REST operation (POST /2015-03-31/functions/{name}/invocations), so
 * @aws-sdk/client-lambda works with an endpoint override. Returns false for any other request.
 */
export function createLambdaInvokeHandler(host: LambdaHost) {
  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const match = INVOKE_PATH.exec(path);
    if (req.method !== 'POST' || !match) return false;
    const name = decodeURIComponent(match[1] ?? '');
    const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    try {
      const raw = await readBody(req);
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
      const error =
        err instanceof AwsServiceError
          ? err
          : new AwsServiceError('ServiceException', (err as Error).message, 500);
      res
        .writeHead(error.statusCode, { 'content-type': 'application/json', 'x-amzn-errortype': error.code })
        .end(JSON.stringify({ Type: error.statusCode < 500 ? 'User' : 'Service', message: error.message }));
    }
    return true;
  };
}
