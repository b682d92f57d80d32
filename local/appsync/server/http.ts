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

/** One POST to the GraphQL endpoint, as plain data (it may cross to a worker thread). */
export interface GraphqlHttpRequest {
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly sourceIp: string;
}

/**
 * What answering one request produced: the HTTP status and body text, and what the transport does
 * after sending it (bill the request, invalidate and publish to the real-time endpoint).
 */
export interface GraphqlAnswer {
  readonly status: number;
  /** The response body, JSON text. */
  readonly text: string;
  /** Set when the request is billable: the operation kind and the cost meter's detail. */
  readonly billed?: { readonly kind: 'query' | 'mutation'; readonly detail: string };
  readonly published: readonly PublishEvent[];
  readonly invalidations: CollectedExtensions['invalidations'];
}

/** Authorizes, parses and executes one GraphQL request: the part of the handler with no socket. */
export type AnswerGraphql = (request: GraphqlHttpRequest) => Promise<GraphqlAnswer>;

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
  /**
   * Answers the requests instead of `engine` and `authorize` in this thread (the API's worker threads).
   * @default answerGraphqlWith(engine, authorize)
   */
  readonly answer?: AnswerGraphql;
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
  sendText(res, status, JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, text: string): void {
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

const answered = (status: number, body: unknown): GraphqlAnswer => ({
  status,
  text: JSON.stringify(body),
  published: [],
  invalidations: [],
});

/**
 * The in-thread answerer: authorizes like AppSync (401 bodies included), parses the JSON body and
 * executes it on the engine. The worker threads run the same function on engines of their own.
 */
export function answerGraphqlWith(
  engine: GraphQLEngine,
  authorize: (request: AuthRequest) => Promise<AuthorizeResult>,
): AnswerGraphql {
  return async ({ url, headers, body, sourceIp }) => {
    const auth = await authorize({ method: 'POST', url, headers, body, sourceIp });
    if (!auth.ok) return answered(auth.status, authFailureBody(auth));
    let request: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      request = JSON.parse(body) as typeof request;
    } catch {
      return answered(400, malformed('Unable to parse the JSON document.'));
    }
    if (typeof request?.query !== 'string')
      return answered(400, malformed('The request body must be a JSON object with a "query" string.'));
    const outcome = await engine.execute({
      query: request.query,
      variables: (request.variables ?? null) as Record<string, unknown> | null,
      operationName: typeof request.operationName === 'string' ? request.operationName : null,
      auth,
      headers: flatHeaders(headers),
    });
    const billable = outcome.kind === 'query' || outcome.kind === 'mutation';
    return {
      status: 200,
      text: JSON.stringify(outcome.response),
      ...(billable
        ? { billed: { kind: outcome.kind, detail: billingDetail(auth.mode, request.query) } }
        : {}),
      published: outcome.published,
      invalidations: outcome.invalidations,
    };
  };
}

/** Builds the mountable handler; it answers false for paths it does not own. */
export function createGraphqlHttpHandler(options: GraphqlHttpOptions) {
  const path = options.path ?? '/graphql';
  const answer = options.answer ?? answerGraphqlWith(options.engine, options.authorize);
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
    const outcome = await answer({
      url: req.url ?? path,
      headers: req.headers,
      body,
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
    });
    if (outcome.billed)
      options.counter?.record(options.engine.api.apiId, outcome.billed.kind, 1, outcome.billed.detail);
    sendText(res, outcome.status, outcome.text);
    if (options.publisher) {
      options.publisher.invalidate(outcome.invalidations);
      await options.publisher.publish(outcome.published);
    }
    return true;
  };
}
