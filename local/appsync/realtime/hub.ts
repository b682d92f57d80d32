/**
 * The AppSync real-time endpoint ("Building a real-time WebSocket client in AWS AppSync"): the
 * `graphql-ws` subprotocol with connection_init/connection_ack/ka, start/start_ack/data/error and
 * stop/complete, authorized by the `header` query parameter or an Amplify-style `header-<base64url>`
 * subprotocol on connect and by `extensions.authorization` on each start.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { AuthRequest, AuthorizeResult } from '../../auth/index.js';
import type { CollectedExtensions } from '../runtime/index.js';
import {
  matchesArgumentFilter,
  matchesInvalidation,
  matchesSubscriptionFilter,
} from '../subscriptions/filter.js';
import type { GraphQLEngine, PreparedSubscription, PublishEvent } from '../server/engine.js';
import type { RequestCounter } from '../server/hooks.js';
import type { Publisher } from '../server/http.js';
import { chunks, jsonBytes, REALTIME_CHUNK_BYTES } from '../../meter/units.js';

/** The keep-alive timeout AppSync announces in connection_ack. */
export const CONNECTION_TIMEOUT_MS = 300_000;

/** Options of the real-time hub. */
export interface RealtimeOptions {
  readonly engine: GraphQLEngine;
  readonly authorize: (request: AuthRequest) => Promise<AuthorizeResult>;
  readonly counter?: RequestCounter;
  /** The GraphQL path; the endpoint is `<path>/realtime`. @default '/graphql' */
  readonly graphqlPath?: string;
  /** How often `ka` is sent. @default 60000 */
  readonly keepAliveIntervalMs?: number;
}

interface Connection {
  readonly socket: WebSocket;
  readonly openedAt: number;
  readonly subscriptions: Map<string, PreparedSubscription>;
  auth?: AuthorizeResult;
  /** Settles once the connect-time authorization is known; messages wait for it. */
  ready?: Promise<void>;
  keepAlive?: NodeJS.Timeout;
}

type Message = { type?: unknown; id?: unknown; payload?: unknown };

function decodeBase64Json(text: string): Record<string, unknown> | undefined {
  try {
    const normal = text.replace(/-/g, '+').replace(/_/g, '/');
    const value: unknown = JSON.parse(Buffer.from(normal, 'base64').toString('utf8'));
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function lowerCaseHeaders(headers: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
}

/** Serves subscriptions of one API and fans mutation results out to them. */
export class RealtimeHub implements Publisher {
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<Connection>();
  private readonly path: string;
  private readonly graphqlPath: string;

  constructor(private readonly options: RealtimeOptions) {
    this.graphqlPath = options.graphqlPath ?? '/graphql';
    this.path = `${this.graphqlPath}/realtime`;
    this.wss = new WebSocketServer({
      noServer: true,
      handleProtocols: (protocols) => (protocols.has('graphql-ws') ? 'graphql-ws' : false),
    });
  }

  /** Takes over WebSocket upgrades to `<graphqlPath>/realtime` on an HTTP server; others are left alone. */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!this.handleUpgrade(req, socket, head)) return;
    });
  }

  /** Handles one upgrade request; false when the path is not the real-time endpoint. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://local');
    if (url.pathname !== this.path) return false;
    this.wss.handleUpgrade(req, socket, head, (ws) => void this.open(ws, req, url));
    return true;
  }

  private connectionHeader(
    req: IncomingMessage,
    url: URL,
  ): { headers: Record<string, string>; payload: string } | undefined {
    const payloadParam = url.searchParams.get('payload');
    const payload = payloadParam ? Buffer.from(payloadParam, 'base64').toString('utf8') : '{}';
    const fromQuery = url.searchParams.get('header');
    if (fromQuery) {
      const header = decodeBase64Json(fromQuery);
      return header ? { headers: lowerCaseHeaders(header), payload } : undefined;
    }
    const protocols = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim());
    const encoded = protocols.find((p) => p.startsWith('header-'));
    const header = encoded ? decodeBase64Json(encoded.slice('header-'.length)) : undefined;
    return header ? { headers: lowerCaseHeaders(header), payload } : undefined;
  }

  private async open(socket: WebSocket, req: IncomingMessage, url: URL): Promise<void> {
    const connection: Connection = { socket, openedAt: Date.now(), subscriptions: new Map() };
    this.connections.add(connection);
    socket.on('close', () => this.close(connection));
    socket.on('message', (raw) => void this.onMessage(connection, raw.toString()));
    const header = this.connectionHeader(req, url);
    connection.ready = (async () => {
      connection.auth = header
        ? await this.options.authorize({
            method: 'POST',
            url: `${this.graphqlPath}/connect`,
            headers: header.headers,
            body: header.payload,
            sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
          })
        : {
            ok: false,
            status: 401,
            errorType: 'UnauthorizedException',
            message: 'Missing authorization header',
          };
    })();
    await connection.ready;
  }

  private send(connection: Connection, message: unknown): void {
    if (connection.socket.readyState === WebSocket.OPEN) connection.socket.send(JSON.stringify(message));
  }

  private close(connection: Connection): void {
    if (!this.connections.delete(connection)) return;
    clearInterval(connection.keepAlive);
    // AppSync bills connection time per minute, rounded up.
    const minutes = Math.max(1, Math.ceil((Date.now() - connection.openedAt) / 60_000));
    this.options.counter?.record(this.options.engine.api.apiId, 'connectionMinute', minutes);
  }

  private async onMessage(connection: Connection, raw: string): Promise<void> {
    await connection.ready;
    let message: Message;
    try {
      message = JSON.parse(raw) as Message;
    } catch {
      this.send(connection, {
        type: 'error',
        payload: { errors: [{ errorType: 'BadRequestException', message: 'Unable to parse the message.' }] },
      });
      return;
    }
    switch (message.type) {
      case 'connection_init':
        return this.init(connection);
      case 'start':
        return this.start(connection, message);
      case 'stop': {
        const id = String(message.id);
        connection.subscriptions.delete(id);
        this.send(connection, { type: 'complete', id });
        return;
      }
      default:
        this.send(connection, {
          type: 'error',
          ...(message.id !== undefined ? { id: message.id } : {}),
          payload: {
            errors: [
              { errorType: 'UnsupportedOperation', message: `Unknown message type ${String(message.type)}.` },
            ],
          },
        });
    }
  }

  private init(connection: Connection): void {
    const auth = connection.auth;
    if (!auth?.ok) {
      const failure = auth && !auth.ok ? auth : undefined;
      this.send(connection, {
        type: 'connection_error',
        payload: {
          errors: [
            {
              errorType: failure?.errorType ?? 'UnauthorizedException',
              message: failure?.message,
              errorCode: failure?.status ?? 401,
            },
          ],
        },
      });
      connection.socket.close(1000);
      return;
    }
    this.send(connection, {
      type: 'connection_ack',
      payload: { connectionTimeoutMs: CONNECTION_TIMEOUT_MS },
    });
    this.send(connection, { type: 'ka' });
    connection.keepAlive = setInterval(
      () => this.send(connection, { type: 'ka' }),
      this.options.keepAliveIntervalMs ?? 60_000,
    );
    connection.keepAlive.unref();
  }

  private async start(connection: Connection, message: Message): Promise<void> {
    const id = String(message.id);
    const fail = (errors: { errorType: string | null; message: string }[]) =>
      this.send(connection, { type: 'error', id, payload: { errors } });
    if (!connection.auth?.ok)
      return fail([{ errorType: 'UnauthorizedException', message: 'The connection is not authorized.' }]);
    const payload = (message.payload ?? {}) as {
      data?: unknown;
      extensions?: { authorization?: Record<string, unknown> };
    };
    const data = typeof payload.data === 'string' ? payload.data : '';
    let request: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      request = JSON.parse(data) as typeof request;
    } catch {
      return fail([
        { errorType: 'BadRequestException', message: 'Unable to parse the subscription request data.' },
      ]);
    }
    const headers = lowerCaseHeaders(payload.extensions?.authorization ?? {});
    const auth = await this.options.authorize({ method: 'POST', url: this.graphqlPath, headers, body: data });
    if (!auth.ok) return fail([{ errorType: auth.errorType, message: auth.message }]);
    const prepared = await this.options.engine.subscribe({
      query: typeof request.query === 'string' ? request.query : '',
      variables: (request.variables ?? null) as Record<string, unknown> | null,
      operationName: typeof request.operationName === 'string' ? request.operationName : null,
      auth,
      headers,
    });
    if ('errors' in prepared) return fail(prepared.errors);
    connection.subscriptions.set(id, prepared);
    this.send(connection, { type: 'start_ack', id });
  }

  /** Sends each published mutation result to the subscriptions whose filters it passes. */
  async publish(events: readonly PublishEvent[]): Promise<void> {
    for (const event of events) {
      for (const connection of this.connections) {
        for (const [id, sub] of connection.subscriptions) {
          if (sub.fieldName !== event.subscriptionField) continue;
          // A filter set by the subscription resolver takes the place of argument filtering, whose
          // arguments (like `min`) need not be fields of the payload.
          const passes = sub.filter
            ? matchesSubscriptionFilter(sub.filter, event.payload)
            : matchesArgumentFilter(sub.args, event.payload);
          if (!passes) continue;
          const response = await this.options.engine.render(sub, event.payload);
          this.send(connection, { type: 'data', id, payload: response });
          // "Real-time updates" are metered in 5 KB increments of the message delivered.
          this.options.counter?.record(
            this.options.engine.api.apiId,
            'realtimeMessage',
            chunks(jsonBytes(response), REALTIME_CHUNK_BYTES),
            sub.fieldName,
          );
        }
      }
    }
  }

  /** Ends the subscriptions an `extensions.invalidateSubscriptions` payload matches, with `complete`. */
  invalidate(invalidations: CollectedExtensions['invalidations']): void {
    for (const { subscriptionField, payload } of invalidations) {
      for (const connection of this.connections) {
        for (const [id, sub] of connection.subscriptions) {
          if (sub.fieldName !== subscriptionField || !matchesInvalidation(sub.invalidationFilter, payload))
            continue;
          connection.subscriptions.delete(id);
          this.send(connection, { type: 'complete', id });
        }
      }
    }
  }

  /** How many subscriptions are live, so callers can wait for a client's start to land. */
  activeSubscriptions(): number {
    let count = 0;
    for (const connection of this.connections) count += connection.subscriptions.size;
    return count;
  }

  /** Closes every connection. */
  async stop(): Promise<void> {
    for (const connection of [...this.connections]) {
      connection.socket.terminate();
      this.close(connection);
    }
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
