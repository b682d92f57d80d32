/**
 * The local AppSync: one GraphQL API of a cloud assembly served over HTTP (`/graphql`) and the
 * real-time WebSocket protocol (`/graphql/realtime`), mountable next to other local services.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDbSender } from './datasources/dynamodb-client.js';
import type { Assembly } from '../assembly/index.js';
import { createAuthorizer, type SigV4Options, type UserPoolKeySource } from '../auth/index.js';
import { appSyncConfigFromAssembly, type AppSyncApiConfig } from './config.js';
import { createDataSourceInvoker, type DataSourceDeps } from './datasources/index.js';
import { RealtimeHub } from './realtime/index.js';
import type { InvokeDataSource } from './runtime/index.js';
import { ApiWorkerPool } from './workers/pool.js';
import type { DynamoDbCallRecorder } from '../meter/dynamodb-middleware.js';
import type { DataSourceDynamoDbClientConfig } from './datasources/index.js';
import {
  createGraphqlHttpHandler,
  Faults,
  GraphQLEngine,
  RequestCounter,
  type BillableEvent,
} from './server/index.js';

export { appSyncConfigFromAssembly, type AppSyncApiConfig, type ResolverConfig } from './config.js';
export * from './server/index.js';
export * from './realtime/index.js';
export { ApiWorkerPool, apiWorkersFromEnv, defaultApiWorkers } from './workers/pool.js';

/**
 * The SDK's logger middleware builds redacted copies of every request and response for `logger.info`
 * even when the logger is the default no-op one, walking each item twice per call. With the no-op
 * logger there is nothing to log, so the middleware goes; a client with a real logger keeps it.
 */
function skipNoOpLogging(client: DynamoDbSender): void {
  if (!('middlewareStack' in client)) return; // the data sources' own client has no SDK middleware
  const logger = ((client as DynamoDBClient).config as { logger?: { constructor?: { name?: string } } })
    .logger;
  if (logger?.constructor?.name === 'NoOpLogger')
    (client as DynamoDBClient).middlewareStack.remove('loggerMiddleware');
}

/** Everything createLocalAppSync needs; only the assembly and a DynamoDB client are required. */
export interface LocalAppSyncOptions {
  readonly assembly: Assembly;
  /** The client of the DynamoDB Local engine the tables live in. */
  readonly dynamodb: DynamoDbSender;
  /** @default Lambda data sources fail with a "not configured" error */
  readonly invokeLambda?: DataSourceDeps['invokeLambda'];
  /** @default EventBridge data sources fail with a "not configured" error */
  readonly putEvents?: DataSourceDeps['putEvents'];
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Seals DynamoDB nextTokens; pass one keyed from the data directory to keep tokens across restarts. @default a fresh key */
  readonly pageTokens?: DataSourceDeps['pageTokens'];
  /** The key source of the user pools (the local Cognito). Needed when the API trusts a user pool. */
  readonly cognito?: UserPoolKeySource;
  /** IAM credentials and region SigV4 requests are checked against. @default LOCAL_CREDENTIALS, us-east-1 */
  readonly sigv4?: SigV4Options;
  /** Which API to serve, by name or logical id. @default the only API of the assembly */
  readonly api?: string;
  /** @default '/graphql' */
  readonly graphqlPath?: string;
  /** Called for every billable request, connection minute and real-time message. @default none */
  readonly onRequest?: (event: BillableEvent) => void;
  /** @default 60000 */
  readonly keepAliveIntervalMs?: number;
  /**
   * Answers HTTP GraphQL requests in this many worker threads (./workers/pool.ts), each with its own
   * engine, resolver realms and DynamoDB client; the real-time endpoint stays in this thread.
   * @default none: this thread answers them
   */
  readonly workers?: LocalAppSyncWorkers;
}

/** What the API's worker threads need that the in-thread API gets as objects. */
export interface LocalAppSyncWorkers {
  /** How many; 0 answers in this thread. */
  readonly count: number;
  /** Where the workers' own DynamoDB clients go (the same DynamoDB Local as `dynamodb`). */
  readonly dynamodb: DataSourceDynamoDbClientConfig;
  /** Receives the workers' DynamoDB calls, for the cost meter. @default not metered */
  readonly onDynamoDbCall?: DynamoDbCallRecorder;
  /** DynamoDB Local endpoint the meter reads transactions' items from, to size them. @default not read */
  readonly transactionImages?: string;
  /** The key of `pageTokens`, so that every thread seals and opens the same nextTokens. */
  readonly pageTokenKey: Uint8Array;
}

/** A running local AppSync API. */
export interface LocalAppSync {
  readonly config: AppSyncApiConfig;
  readonly engine: GraphQLEngine;
  /** Billable requests so far, per pricing dimension. */
  readonly counter: RequestCounter;
  /** Turn data-source faults on and off per field. */
  readonly faults: Faults;
  /** The HTTP handler for `/graphql`; resolves false for any other path so handlers can be chained. */
  handleHttp(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Serves `/graphql/realtime` WebSocket upgrades of an HTTP server. */
  attachWebSocket(server: Server): void;
  /** Live subscriptions over all real-time connections. */
  activeSubscriptions(): number;
  /** How many worker threads answer HTTP requests (0: this thread does). */
  readonly workerCount: number;
  /** How many of them are running right now (none after stop()). */
  liveWorkers(): number;
  /** Each worker thread's event-loop time so far, busy and idle, in ms (benchmarks). */
  workerUtilization(): { idle: number; active: number }[];
  /** Resolves when the worker threads (if any) are ready; rejects when one failed to start. */
  ready(): Promise<void>;
  /** Closes every real-time connection and stops the worker threads. */
  stop(): Promise<void>;
}

function pickApi(apis: AppSyncApiConfig[], wanted?: string): AppSyncApiConfig {
  const found = wanted
    ? apis.find((a) => a.name === wanted || a.logicalId === wanted)
    : apis.length === 1
      ? apis[0]
      : undefined;
  if (!found) {
    const names = apis.map((a) => a.name).join(', ') || 'none';
    throw new Error(
      wanted
        ? `no AppSync API named ${wanted}; the assembly has: ${names}`
        : `pass api: the assembly has several AppSync APIs (${names})`,
    );
  }
  return found;
}

const notConfigured = (what: string) => () =>
  Promise.reject(new Error(`${what} is not configured for the local AppSync`));

/** Builds the local AppSync for one API of the assembly. */
export function createLocalAppSync(options: LocalAppSyncOptions): LocalAppSync {
  const config = pickApi(appSyncConfigFromAssembly(options.assembly), options.api);
  const faults = new Faults();
  const counter = new RequestCounter(options.onRequest);
  skipNoOpLogging(options.dynamodb);
  const base = createDataSourceInvoker(config.dataSources, {
    dynamodb: options.dynamodb,
    invokeLambda: options.invokeLambda ?? notConfigured('invokeLambda'),
    putEvents: options.putEvents ?? notConfigured('putEvents'),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.pageTokens ? { pageTokens: options.pageTokens } : {}),
  });
  const invoke: InvokeDataSource = async (name, request, ctx) => {
    const fault = faults.take(ctx.typeName, ctx.fieldName);
    if (fault?.latencyMs) await delay(fault.latencyMs);
    if (fault?.error) return { error: { ...fault.error } };
    return base(name, request, ctx);
  };
  const engine = new GraphQLEngine(config, { invoke });
  const authorize = createAuthorizer(config.auth, {
    ...(options.cognito ? { userPools: options.cognito } : {}),
    ...(options.sigv4 ? { sigv4: options.sigv4 } : {}),
  });
  const graphqlPath = options.graphqlPath ?? '/graphql';
  const hub = new RealtimeHub({
    engine,
    authorize,
    counter,
    graphqlPath,
    ...(options.keepAliveIntervalMs ? { keepAliveIntervalMs: options.keepAliveIntervalMs } : {}),
  });
  const pool = options.workers?.count ? startWorkers(config, options, options.workers, faults) : undefined;
  const handleHttp = createGraphqlHttpHandler({
    engine,
    authorize,
    publisher: hub,
    counter,
    path: graphqlPath,
    ...(pool ? { answer: (request) => pool.answer(request) } : {}),
  });
  return {
    config,
    engine,
    counter,
    faults,
    handleHttp,
    attachWebSocket: (server) => hub.attach(server),
    activeSubscriptions: () => hub.activeSubscriptions(),
    workerCount: pool?.size ?? 0,
    liveWorkers: () => pool?.live() ?? 0,
    workerUtilization: () => pool?.utilization() ?? [],
    ready: async () => pool?.ready(),
    stop: async () => {
      try {
        await hub.stop();
      } finally {
        await pool?.stop();
      }
    },
  };
}

/** The worker threads of an API: they get as data what this thread gets as objects. */
function startWorkers(
  config: AppSyncApiConfig,
  options: LocalAppSyncOptions,
  workers: LocalAppSyncWorkers,
  faults: Faults,
): ApiWorkerPool {
  if (options.fetch) throw new Error('workers: a custom fetch cannot reach worker threads; pass count 0');
  if (options.sigv4?.now)
    throw new Error('workers: a custom sigv4 clock cannot reach worker threads; pass count 0');
  const userPools: Record<string, { issuer: string; jwks: { keys: object[] } }> = {};
  const poolId = config.auth.userPool?.userPoolId;
  if (poolId && options.cognito)
    userPools[poolId] = {
      issuer: options.cognito.issuer(poolId),
      jwks: { ...options.cognito.jwks(poolId) } as { keys: object[] },
    };
  return new ApiWorkerPool({
    count: workers.count,
    data: {
      config,
      dynamodb: workers.dynamodb,
      ...(workers.transactionImages ? { transactionImages: workers.transactionImages } : {}),
      userPools,
      ...(options.sigv4 ? { sigv4: options.sigv4 } : {}),
      pageTokenKey: workers.pageTokenKey,
    },
    invokeLambda: options.invokeLambda ?? notConfigured('invokeLambda'),
    putEvents: options.putEvents ?? notConfigured('putEvents'),
    faults,
    ...(workers.onDynamoDbCall ? { onDynamoDbCall: workers.onDynamoDbCall } : {}),
  });
}

/** A local AppSync listening on its own port. */
export interface AppSyncServer {
  readonly appsync: LocalAppSync;
  readonly url: string;
  readonly realtimeUrl: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts a node:http server with only the local AppSync on it. @default port 0 (any free port), host 127.0.0.1 */
export async function startAppSyncServer(
  options: LocalAppSyncOptions & { port?: number; host?: string },
): Promise<AppSyncServer> {
  const appsync = createLocalAppSync(options);
  const server = createServer((req, res) => {
    appsync.handleHttp(req, res).then(
      (handled) => {
        if (!handled) {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({ errors: [{ errorType: 'NotFound', message: `No route for ${req.url ?? ''}` }] }),
          );
        }
      },
      (err: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ errors: [{ errorType: 'InternalFailure', message: (err as Error).message }] }),
        );
      },
    );
  });
  appsync.attachWebSocket(server);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const port = (server.address() as { port: number }).port;
  const path = options.graphqlPath ?? '/graphql';
  return {
    appsync,
    port,
    url: `http://${host}:${port}${path}`,
    realtimeUrl: `ws://${host}:${port}${path}/realtime`,
    close: async () => {
      await appsync.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
