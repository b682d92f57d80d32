import type { IncomingMessage, ServerResponse } from 'node:http';
import { refuseUnsigned, type SigV4Options, type SigV4Refusal } from './auth/sigv4.js';

/**
 * A local AWS service spoken over the AWS JSON protocol (X-Amz-Target: <prefix>.<Operation>), so the
 * unmodified AWS SDK v3 clients and the AWS CLI talk to it with only an endpoint override.
 */
export interface AwsJsonService {
  /** The X-Amz-Target prefix, for example 'AWSEvents' or 'AmazonSQS'. */
  readonly targetPrefix: string;
  /** Handles one operation; throws AwsServiceError for a client error. */
  handle(operation: string, input: Record<string, unknown>, request: AwsRequestContext): Promise<unknown>;
  /**
   * The SigV4 signing name every call must be signed for with the local IAM keys; the router refuses
   * the rest before handle() sees them. Unset leaves authentication to the service (Cognito, whose
   * public operations such as InitiateAuth are unsigned in AWS too).
   */
  readonly signingName?: string;
  /** The error a refused call gets. @default the JSON protocol's code as `__type` (EventBridge) */
  refusal?(refusal: SigV4Refusal): AwsServiceError;
}

/** What a service may want to know about the HTTP request. */
export interface AwsRequestContext {
  readonly headers: IncomingMessage['headers'];
  /** The host the client used, for building URLs (queue URLs) that point back here. */
  readonly host: string;
  /** The HTTP method, path with query, and raw body, so a service can verify a SigV4 signature. */
  readonly method?: string;
  readonly url?: string;
  readonly body?: string;
}

/** A modelled AWS error: the SDK raises it as an exception named `code`. */
export class AwsServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode = 400,
    /** The query protocol's `Code;Type`, sent as x-amzn-query-error by query-compatible services (SQS). */
    readonly queryError?: string,
  ) {
    super(message);
    this.name = code;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * An HTTP request handler that routes AWS JSON protocol calls to the services by their target prefix.
 * Returns false when the request is not an AWS JSON call, so a caller can try other handlers.
 */
export function createAwsJsonRouter(
  services: readonly AwsJsonService[],
  options: { readonly sigv4?: Omit<SigV4Options, 'service'> } = {},
) {
  const byPrefix = new Map(services.map((s) => [s.targetPrefix, s]));
  return async function route(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const target = req.headers['x-amz-target'];
    if (req.method !== 'POST' || typeof target !== 'string') return false;
    const dot = target.lastIndexOf('.');
    const service = byPrefix.get(target.slice(0, dot));
    if (!service) return false;
    const contentType = String(req.headers['content-type'] ?? 'application/x-amz-json-1.1');
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': contentType });
      res.end(JSON.stringify(payload ?? {}));
    };
    try {
      const raw = await readBody(req);
      if (service.signingName) {
        const refused = await refuseUnsigned(
          { method: req.method, url: req.url ?? '/', headers: req.headers, body: raw },
          service.signingName,
          options.sigv4,
        );
        if (refused)
          throw (
            service.refusal?.(refused) ??
            new AwsServiceError(refused.errorType, refused.message, refused.status)
          );
      }
      const input = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      const output = await service.handle(target.slice(dot + 1), input, {
        headers: req.headers,
        host: String(req.headers.host ?? 'localhost'),
        method: req.method ?? 'POST',
        url: req.url ?? '/',
        body: raw,
      });
      send(200, output);
    } catch (err) {
      if (err instanceof AwsServiceError) {
        res.setHeader('x-amzn-errortype', err.code);
        if (err.queryError) res.setHeader('x-amzn-query-error', err.queryError);
        send(err.statusCode, { __type: err.code, message: err.message });
      } else {
        send(500, { __type: 'InternalFailure', message: (err as Error).message });
      }
    }
    return true;
  };
}
