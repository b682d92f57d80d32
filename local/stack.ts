/**
 * The whole synthesized stack on one machine: DynamoDB Local with the template's tables, the local
 * Cognito, AppSync (HTTP and real-time) and the events half (Lambda, SQS, SNS, EventBridge, Pipes), all
 * behind one HTTP port. `npm start`, the e2e tests and the demo share this composition.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PageTokenCodec, pageTokenKeyAt } from './appsync/datasources/index.js';
import { createLocalAppSync, type LocalAppSync, type LocalAppSyncOptions } from './appsync/index.js';
import { loadAssembly, type Assembly, type LoadedResource } from './assembly/index.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION, parseArn } from './aws-ids.js';
import {
  createJwksHandler,
  createLocalCognito,
  issuerFor,
  type LocalCognito,
  type UserPoolConfig,
} from './cognito/index.js';
import { freePort, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb/engine.js';
import { createTables } from './dynamodb/tables.js';
import type { LocalStackEndpoints } from './endpoints.js';
import {
  startLocalEvents,
  type LocalEvents,
  type LocalEventsOptions,
  type LocalEventsTiming,
} from './events/index.js';
import { createConsoleHandler } from './console/index.js';
import { createGateway, type HttpHandler } from './gateway.js';
import { DEMO_USERS, demoSeedUsers, seedCatalog } from './seed.js';
import { ensureSynth } from './synth.js';

/** Options of {@link startLocalStack}. */
export interface LocalStackOptions {
  /** The repository root. @default process.cwd() */
  readonly root?: string;
  /** 0 picks a free port. @default Number(process.env.PORT) || 20002 */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /**
   * Keeps DynamoDB Local's database, SQS queues, pipe checkpoints and Cognito users here across restarts.
   * @default everything in memory
   */
  readonly dataDir?: string;
  /** Creates the demo users and catalog (idempotent). @default false */
  readonly seed?: boolean;
  /** Prints nothing but errors. @default false */
  readonly quiet?: boolean;
  /** How long the sweeper lets an order stay unpaid. @default the template's value */
  readonly unpaidOrderTtlMinutes?: number;
  /** Retry and polling timings of the events half. @default AWS-like */
  readonly eventsTiming?: LocalEventsTiming;
  /** Sees every billable AppSync request, connection minute and message, for live estimates. @default none */
  readonly onAppSyncRequest?: LocalAppSyncOptions['onRequest'];
  /** Sees every usage increment of the events half (events, pipe requests, Lambda, SQS). @default none */
  readonly onEventsActivity?: LocalEventsOptions['onActivity'];
}

/** The running stack. */
export interface LocalStack {
  /** What `.orderloop/endpoints.json` holds. */
  readonly endpoints: LocalStackEndpoints;
  readonly port: number;
  readonly assembly: Assembly;
  readonly server: Server;
  readonly appsync: LocalAppSync;
  readonly events: LocalEvents;
  readonly cognito: LocalCognito;
  readonly dynamodb: DynamoDbLocal;
  /** A client of DynamoDB Local, for tests and tools that look at the tables. */
  readonly dynamodbClient: DynamoDBClient;
  /** Live activity counters: AppSync billable requests and the events half's pricing dimensions. */
  readonly counters: { readonly appsync: LocalAppSync['counter']; readonly events: LocalEvents['usage'] };
  /** Data-source fault injection of the AppSync API. */
  readonly faults: LocalAppSync['faults'];
  /** Milliseconds from the call to a ready stack (synth included). */
  readonly readyMs: number;
  /** Where the start-up time went, in milliseconds per phase (synth, dynamodb, tables, events, seed). */
  readonly phases: Readonly<Record<string, number>>;
  /** Fires a scheduled rule now, by rule name or construct path. */
  triggerRule(name: string): ReturnType<LocalEvents['triggerRule']>;
  /** Resolves when pipes, rules and Lambda queues have nothing left to do. */
  idle(): Promise<void>;
  /** Stops the server, WebSockets, workers, pipes and DynamoDB Local; safe to call twice. */
  stop(): Promise<void>;
}

/** The port `npm start` listens on unless PORT says otherwise. */
export const DEFAULT_PORT = 20002;

/** Starts every resource of the synthesized app behind one HTTP port. */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const started = Date.now();
  const root = resolve(options.root ?? process.cwd());
  const log = options.quiet ? () => undefined : (line: string) => process.stdout.write(`${line}\n`);
  const dataDir = options.dataDir ? resolve(root, options.dataDir) : undefined;
  // Filled as parts start, newest first, so stopping undoes the start in reverse.
  const cleanups: (() => Promise<void>)[] = [];
  const phases: Record<string, number> = {};
  let mark = started;
  const phase = (name: string) => {
    phases[name] = Date.now() - mark;
    mark = Date.now();
  };
  try {
    // The JVM takes seconds to boot and needs nothing from the assembly, so it starts first.
    // With the port known up front the JVM is spawned before the first await, so it boots even while a
    // synchronous synth holds the event loop.
    const dynamodbPort = await freePort();
    const dynamodbStarting = startDynamoDbLocal({
      port: dynamodbPort,
      ...(dataDir ? { dataDir: join(dataDir, 'dynamodb') } : {}),
    });
    dynamodbStarting.catch(() => undefined); // observed below; a failing synth must not leave it unhandled
    cleanups.unshift(async () => (await dynamodbStarting).stop());
    const { outdir } = await ensureSynth({ root, log });
    const assembly = loadAssembly(outdir);
    phase('synth');

    // The issuer, GraphQLUrl and queue URLs all embed the port, so listen before anything is built.
    let route: HttpHandler = notReady;
    const server = createServer((req, res) => void serve(route, req, res));
    // Clients reuse an idle connection until the server's Keep-Alive hint (less a second, in undici). With
    // Node's 5 s default a busy event loop runs the idle timer before reading a request already sent on
    // the socket and resets it (ECONNRESET), failing a consumer's AppSync call into a one-minute Lambda
    // retry. A minute, like the idle timeout of AWS's load balancers, lets the clients close first.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    await listen(
      server,
      options.port ?? (Number(process.env.PORT) || DEFAULT_PORT),
      options.host ?? '127.0.0.1',
    );
    cleanups.unshift(() => closeServer(server));
    const port = (server.address() as AddressInfo).port;
    const base = `http://${urlHost(options.host ?? '127.0.0.1')}:${port}`;

    const pools = userPoolsOf(assembly);
    const pool = pools[0];
    const client = pool?.clients[0];
    if (!pool || !client) throw new Error('the assembly has no AWS::Cognito::UserPool with a UserPoolClient');
    const issuerBaseUrl = `${base}/cognito`;
    const [dynamodb, cognito] = await Promise.all([
      dynamodbStarting,
      createLocalCognito({
        userPools: pools,
        issuerBaseUrl,
        ...(options.seed ? { users: demoSeedUsers(pool.userPoolId) } : {}),
        ...(dataDir ? { persistPath: join(dataDir, 'cognito-users.json') } : {}),
      }),
    ]);
    phase('dynamodb');
    const dynamodbClient = new DynamoDBClient({
      region: LOCAL_REGION,
      endpoint: dynamodb.endpoint,
      credentials: LOCAL_CREDENTIALS,
    });
    const tables = await createTables(assembly, dynamodbClient);
    log(
      `[dynamodb] DynamoDB Local (pid ${dynamodb.process.pid ?? '?'}) on ${dynamodb.endpoint}: ` +
        tables.map((t) => `${t.tableName} (${t.status})`).join(', '),
    );

    phase('tables');

    const graphqlUrl = `${base}/graphql`;
    const realtimeUrl = `ws://${urlHost(options.host ?? '127.0.0.1')}:${port}/graphql/realtime`;
    // Lambdas read APPSYNC_URL from the API's GraphQLUrl attribute, so it must resolve to this server.
    assembly.setEndpoints({ ...assembly.endpoints, graphqlUrl, realtimeUrl, awsEndpoint: base });

    const ignoredSummary = new IgnoredSummary();
    const events = await startLocalEvents({
      assembly,
      dynamodbEndpoint: dynamodb.endpoint,
      gatewayUrl: base,
      logger: ignoredSummary.wrap(log),
      ...(dataDir ? { dataDir } : {}),
      ...(options.eventsTiming ? { timing: options.eventsTiming } : {}),
      ...(options.onEventsActivity ? { onActivity: options.onEventsActivity } : {}),
      lambdaEnv: {
        // Functions run on Node 22 in AWS; the SDK's warning about the local Node version is noise here.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...(options.unpaidOrderTtlMinutes !== undefined
          ? { UNPAID_ORDER_TTL_MINUTES: String(options.unpaidOrderTtlMinutes) }
          : {}),
      },
    });
    ignoredSummary.flush(log);
    phase('events');
    cleanups.unshift(() => events.stop());

    const appsync = createLocalAppSync({
      assembly,
      dynamodb: dynamodbClient,
      cognito,
      // With a data dir the key is kept there, so a client's nextToken outlives a restart like the data.
      ...(dataDir
        ? { pageTokens: new PageTokenCodec(pageTokenKeyAt(join(dataDir, 'appsync-page-token.key'))) }
        : {}),
      ...(options.onAppSyncRequest ? { onRequest: options.onAppSyncRequest } : {}),
      // Lambda data sources invoke synchronously, as AppSync's RequestResponse invocation does.
      async invokeLambda(functionArn, payload) {
        const out = await events.lambdaHost.invokeSync(functionArn, payload);
        return { payload: out.payload, ...(out.functionError ? { functionError: out.functionError } : {}) };
      },
      putEvents: async (busArn, entries) =>
        events.eventBridge.putEvents(entries.map((e) => ({ ...e, EventBusName: busArn }))),
    });
    appsync.attachWebSocket(server);
    cleanups.unshift(() => appsync.stop());

    const jwks = createJwksHandler(cognito);
    const gateway = createGateway({
      services: [cognito, ...events.services],
      // `endpoints` is assigned below, before anything can be served (no await in between).
      handlers: [createConsoleHandler({ root, endpoints: () => endpoints }), ...events.httpHandlers],
    });
    route = async (req, res) =>
      (await appsync.handleHttp(req, res)) || (await jwks(req, res)) || gateway(req, res);
    // Work a killed predecessor accepted resumes now that the API its functions call is served.
    events.recover();

    const apiKey = assembly.resources('AWS::AppSync::ApiKey')[0]?.attributes['ApiKey'];
    const endpoints: LocalStackEndpoints = {
      graphqlUrl,
      realtimeUrl,
      region: LOCAL_REGION,
      cognito: {
        endpoint: base,
        userPoolId: pool.userPoolId,
        clientId: client.clientId,
        issuer: issuerFor(issuerBaseUrl, pool.userPoolId),
      },
      ...(apiKey ? { apiKey } : {}),
      iam: { accessKeyId: LOCAL_CREDENTIALS.accessKeyId, secretAccessKey: LOCAL_CREDENTIALS.secretAccessKey },
      users: options.seed ? DEMO_USERS : [],
      dynamodb: dynamodb.endpoint,
      sqs: base,
      events: base,
      sns: base,
      lambda: base,
      lambdaDeadLetterQueues: lambdaDeadLetterQueues(events),
      pipes: Object.fromEntries(events.config.pipes.map((p) => [p.arn, p])),
    };

    if (options.seed) {
      const seeded = await seedCatalog({ graphqlUrl, cognitoEndpoint: base, clientId: client.clientId });
      log(`[seed] ${seeded.created} product(s) created, ${seeded.existing} already there`);
      phase('seed');
    }

    let stopping: Promise<void> | undefined;
    return {
      endpoints,
      port,
      assembly,
      server,
      appsync,
      events,
      cognito,
      dynamodb,
      dynamodbClient,
      counters: { appsync: appsync.counter, events: events.usage },
      faults: appsync.faults,
      readyMs: Date.now() - started,
      phases,
      triggerRule: (name) => events.triggerRule(name),
      idle: () => events.idle(),
      stop() {
        stopping ??= runCleanups(cleanups).finally(() => dynamodbClient.destroy());
        return stopping;
      },
    };
  } catch (error) {
    // The start failure is the news; a cleanup failure on top of it would only hide it.
    await runCleanups(cleanups).catch(() => undefined);
    throw error;
  }
}

/** The template's user pools, app clients and groups as the local Cognito's plain config. */
export function userPoolsOf(assembly: Assembly): UserPoolConfig[] {
  const ofPool = (r: LoadedResource) => String(r.properties.UserPoolId);
  return assembly.resources('AWS::Cognito::UserPool').map((pool) => ({
    userPoolId: pool.ref,
    ...(pool.properties.UserPoolName ? { name: String(pool.properties.UserPoolName) } : {}),
    clients: assembly
      .resources('AWS::Cognito::UserPoolClient')
      .filter((c) => ofPool(c) === pool.ref)
      .map((c) => ({
        clientId: c.ref,
        ...(c.properties.ClientName ? { name: String(c.properties.ClientName) } : {}),
        ...(Array.isArray(c.properties.ExplicitAuthFlows)
          ? { explicitAuthFlows: (c.properties.ExplicitAuthFlows as unknown[]).map(String) }
          : {}),
      })),
    groups: assembly
      .resources('AWS::Cognito::UserPoolGroup')
      .filter((g) => ofPool(g) === pool.ref)
      .map((g) => ({
        name: String(g.properties.GroupName ?? g.physicalName),
        ...(typeof g.properties.Precedence === 'number' ? { precedence: g.properties.Precedence } : {}),
      })),
  }));
}

/** Which function each SQS dead-letter queue holds failed events of: async DLQs, on-failure and rule DLQs. */
export function lambdaDeadLetterQueues(events: LocalEvents): Record<string, string> {
  const map: Record<string, string> = {};
  const isQueue = (arn: string | undefined): arn is string => !!arn && parseArn(arn).service === 'sqs';
  for (const fn of events.config.functions) {
    for (const arn of [fn.asyncConfig?.deadLetterArn, fn.asyncConfig?.onFailureArn])
      if (isQueue(arn)) map[arn] = fn.arn;
  }
  for (const rule of events.config.rules) {
    for (const target of rule.targets) {
      if (isQueue(target.deadLetterArn) && parseArn(target.arn).service === 'lambda')
        map[target.deadLetterArn] = target.arn;
    }
  }
  return map;
}

/** Folds the events half's expected "not run locally" lines (IAM, logs, alarms) into one count. */
class IgnoredSummary {
  private expected = 0;

  wrap(log: (line: string) => void): (line: string) => void {
    return (line) => {
      if (/not run locally: .*(permissions are not enforced|logs go to stdout|AWS::CloudWatch::)/.test(line))
        this.expected++;
      else log(line);
    };
  }

  flush(log: (line: string) => void): void {
    if (this.expected > 0)
      log(`[events] ${this.expected} IAM, log and CloudWatch resources have no local counterpart`);
  }
}

const notReady: HttpHandler = async (_req, res) => {
  res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
  res.end(JSON.stringify({ message: 'the local stack is starting' }));
  return true;
};

async function serve(route: HttpHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    if (await route(req, res)) return;
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: `no local service answers ${req.method ?? ''} ${req.url ?? ''}` }));
  } catch (error) {
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ __type: 'InternalFailure', message: (error as Error).message }));
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((done, fail) => {
    const onError = (error: NodeJS.ErrnoException) =>
      fail(
        error.code === 'EADDRINUSE'
          ? new Error(`port ${port} on ${host} is in use; stop the other process or set PORT to another port`)
          : error,
      );
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      done();
    });
  });
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((done) => server.close(() => done()));
}

/** Runs every cleanup, in order, even when one fails; the first failure is rethrown at the end. */
async function runCleanups(cleanups: readonly (() => Promise<void>)[]): Promise<void> {
  let first: unknown;
  for (const cleanup of cleanups) {
    try {
      await cleanup();
    } catch (error) {
      first ??= error;
    }
  }
  if (first) throw first;
}

/** The host to put in URLs: a wildcard bind address is reachable on loopback. */
function urlHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
}
