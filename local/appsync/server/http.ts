/**
 * The HTTP side of the local AppSync: `POST /graphql` authorized like AppSync (401 bodies included),
 * executed by the API's engine, with mutations published to the real-time endpoint.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authFailureBody, type AuthRequest, type AuthorizeResult } from '../../auth/index.js';
import type { CollectedExtensions } from '../runtime/index.js';
import type { GraphQLEngine, PublishEvent } from './engine.js';
import { MAX_REQUEST_BYTES, requestTooLargeError } from './errors.js';
import type { RequestCounter } from './hooks.js';

/** Where mutation results and invalidations go (the real-time hub). */
export interface Publisher {
  publish(events: readonly PublishEvent[]): Promise<void>;
  invalidate(invalidations: CollectedExtensions['invalidations']): void;
}

/** What the HTTP handler needs. */
export interface GraphqlHttpOptions {
  readonly engine: GraphQLEngine;
  readonly authorize: (request: AuthRequest) => Promise<AuthorizeResult>;
  /** @default nothing is published */
  readonly publisher?: Publisher;
  readonly counter?: RequestCounter;
  /** @default '/graphql' */
  readonly path?: string;
  /** Largest request body accepted. @default MAX_REQUEST_BYTES */
  readonly maxRequestBytes?: number;
}

/** Reads a request body as text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Reads a body of at most `limit` bytes; past it the rest is drained unread (so the client still gets
 * an answer on its connection) and undefined is returned.
 */
export async function readBodyUpTo(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const declared = Number(req.headers['content-length']);
  let size = 0;
  let over = Number.isFinite(declared) && declared > limit;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    if (over) continue;
    size += (chunk as Buffer).length;
    if (size > limit) {
      over = true;
      chunks.length = 0;
    } else chunks.push(chunk as Buffer);
  }
  return over ? undefined : Buffer.concat(chunks).toString('utf8');
}

/** Request headers as the flat string map ctx.request.headers holds. */
export function flatHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return out;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  // A known length, as AppSync answers: one write of head and body, no chunked framing.
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
    'access-control-allow-origin': '*',
  });
  res.end(text);
}

/** `AWS_IAM publishOrderStatus`: who called which root fields, for the cost meter's breakdown. */
function billingDetail(mode: string, query: string): string {
  const fields = /\{\s*([_A-Za-z][_0-9A-Za-z]*)/.exec(query.replace(/#[^\n]*/g, ''))?.[1];
  return fields ? `${mode} ${fields}` : mode;
}

const malformed = (message: string) => ({
  errors: [{ errorType: 'MalformedHttpRequestException', message }],
});

/** Builds the mountable handler; it answers false for paths it does not own. */
export function createGraphqlHttpHandler(options: GraphqlHttpOptions) {
  const path = options.path ?? '/graphql';
  return async function handleGraphql(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const pathname = new URL(req.url ?? '/', 'http://local').pathname;
    if (pathname !== path) return false;
    if (req.method === 'OPTIONS') {
      res.writeHead(200, {
        'access-control-allow-origin': '*',
        'access-control-allow-headers': '*',
        'access-control-allow-methods': 'POST, OPTIONS',
      });
      res.end();
      return true;
    }
    if (req.method !== 'POST') {
      // AppSync's GraphQL endpoint takes POST only.
      send(res, 400, malformed('Invalid request method; AppSync accepts GraphQL over POST.'));
      return true;
    }
    const body = await readBodyUpTo(req, options.maxRequestBytes ?? MAX_REQUEST_BYTES);
    if (body === undefined) {
      const e = requestTooLargeError(options.maxRequestBytes ?? MAX_REQUEST_BYTES);
      send(res, e.status, { errors: [{ errorType: e.errorType, message: e.message }] });
      return true;
    }
    const auth = await options.authorize({
      method: 'POST',
      url: req.url ?? path,
      headers: req.headers,
      body,
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
    });
    if (!auth.ok) {
      send(res, auth.status, authFailureBody(auth));
      return true;
    }
    let request: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      request = JSON.parse(body) as typeof request;
    } catch {
      send(res, 400, malformed('Unable to parse the JSON document.'));
      return true;
    }
    if (typeof request?.query !== 'string') {
      send(res, 400, malformed('The request body must be a JSON object with a "query" string.'));
      return true;
    }
    const outcome = await options.engine.execute({
      query: request.query,
      variables: (request.variables ?? null) as Record<string, unknown> | null,
      operationName: typeof request.operationName === 'string' ? request.operationName : null,
      auth,
      headers: flatHeaders(req.headers),
    });
    if (outcome.kind === 'query' || outcome.kind === 'mutation') {
      options.counter?.record(
        options.engine.api.apiId,
        outcome.kind,
        1,
        billingDetail(auth.mode, request.query),
      );
    }
    send(res, 200, outcome.response);
    if (options.publisher) {
      options.publisher.invalidate(outcome.invalidations);
      await options.publisher.publish(outcome.published);
    }
    return true;
  };
}
