/**
 * The whole synthesized stack on one machine: DynamoDB Local with the template's tables, the local
 * Cognito, AppSync (HTTP and real-time) and the events half (Lambda, SQS, SNS, EventBridge, Pipes), all
 * behind one HTTP port. `npm start`, the e2e tests and the demo share this composition.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ActivityLog } from './activity-log.js';
import {
  createDataSourceDynamoDbClient,
  type DataSourceDynamoDbClient,
  PageTokenCodec,
  pageTokenKeyAt,
} from './appsync/datasources/index.js';
import {
  apiWorkersFromEnv,
  createLocalAppSync,
  defaultApiWorkers,
  type LocalAppSync,
  type LocalAppSyncOptions,
} from './appsync/index.js';
import { loadAssembly, type Assembly } from './assembly/index.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION, parseArn } from './aws-ids.js';
import {
  createJwksHandler,
  createLocalCognito,
  issuerFor,
  type LocalCognito,
  type SeedUser,
} from './cognito/index.js';
import { userPoolsOf } from './cognito/from-assembly.js';
import { freePort, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb/engine.js';
import { createDynamoDbProxy } from './dynamodb/proxy.js';
import { createTables } from './dynamodb/tables.js';
import type { EndpointsUser, LocalStackEndpoints } from './endpoints.js';
import {
  startLocalEvents,
  type LocalEvents,
  type LocalEventsOptions,
  type LocalEventsTiming,
} from './events/index.js';
import { createConsoleHandler } from './console/index.js';
import { createGateway, type HttpHandler } from './gateway.js';
import type { FunctionLogEntry } from './lambda/types.js';
import * as costMeter from './meter/index.js';
import { loadLocalConfig, type LocalSeedConfig } from './config.js';
import { ensureSynth } from './synth.js';
import { ensureLocalTls } from './tls.js';

/** Options of {@link startLocalStack}. */
export interface LocalStackOptions {
  /** The app's root. @default process.cwd() */
  readonly root?: string;
  /** 0 picks a free port. @default Number(process.env.PORT) || 20002 */
  readonly port?: number;
  /**
   * How the cost meter sizes the items of the data sources' and the Lambda workers' transactions.
   * DynamoDB Local reports an Update, Delete or ConditionCheck inside a transaction at 1 KB whatever
   * the item's size; `'read'` bills
   * each item as AWS does, reading the transaction's items just before and after it (two unmetered
   * DynamoDB Local calls per transaction); `'floor'` keeps DynamoDB Local's figure, a lower bound, and
   * adds no calls. The load benchmark uses `'floor'`, so it measures the stack and not the meter.
   * @default 'read'
   */
  readonly transactionSizing?: 'read' | 'floor';
  /**
   * The address every listener binds: the gateway and DynamoDB Local. Anything but loopback lets
   * other machines reach services that trust the local IAM keys everyone knows. @default '127.0.0.1'
   */
  readonly host?: string;
  /**
   * Keeps DynamoDB Local's database, SQS queues, pipe checkpoints and Cognito users here across restarts.
   * @default everything in memory
   */
  readonly dataDir?: string;
  /**
   * What to seed: `true` for the app's seed (the `seed` block of orderloop.local.ts), or a seed of its
   * own. Seeding is idempotent across restarts. @default false
   */
  readonly seed?: boolean | LocalSeedConfig;
  /**
   * Also serves everything over HTTPS and WSS on a second port, with a certificate from a local CA kept
   * in `dir` (made once; trust `<dir>/ca.pem`). @default HTTP only
   */
  readonly tls?: {
    readonly dir: string;
    /** 0 picks a free port. @default the HTTP port + 1, or a free port when that one is taken */
    readonly port?: number;
  };
  /**
   * Worker threads that answer the API's HTTP GraphQL requests (authorize, parse, validate, execute,
   * each with its own resolver realms and DynamoDB client), so the API uses more than one core; the
   * main thread keeps the sockets, the real-time endpoint, the meter and the events half. 0 answers
   * them in the main thread. @default ORDERLOOP_API_WORKERS, else one per core but one (at most 4)
   */
  readonly apiWorkers?: number;
  /** Prints nothing but errors. @default false */
  readonly quiet?: boolean;
  /**
   * Prints every function's own output on the console too, not only one line per request, event hop
   * and invocation, and errors. @default false
   */
  readonly verbose?: boolean;
  /** Appends each function's output to `<logDir>/<function>.log`. @default not kept */
  readonly logDir?: string;
  /** How long the sweeper lets an order stay unpaid. @default the template's value */
  readonly unpaidOrderTtlMinutes?: number;
  /**
   * Runs on this DynamoDB Local instead of starting one: the stack's tables are named with `tablePrefix`
   * and the gateway's ListTables answers only those, so several stacks can share one engine (the e2e tests
   * do). Stopping the stack leaves the engine running. @default a DynamoDB Local of the stack's own
   */
  readonly dynamodb?: { readonly endpoint: string; readonly tablePrefix: string };
  /** Retry and polling timings of the events half. @default AWS-like */
  readonly eventsTiming?: LocalEventsTiming;
  /** Sees every billable AppSync request, connection minute and message, for live estimates. @default none */
  readonly onAppSyncRequest?: LocalAppSyncOptions['onRequest'];
  /** Sees every usage increment of the events half (events, pipe requests, Lambda, SQS). @default none */
  readonly onEventsActivity?: LocalEventsOptions['onActivity'];
  /**
   * Where the assistant's Bedrock calls go; null keeps Bedrock unreachable, so the assistant gives its
   * simple answer. @default from ORDERLOOP_BEDROCK_PROFILE (and ORDERLOOP_BEDROCK_MODEL_ID,
   * ORDERLOOP_BEDROCK_REGION), else null
   */
  readonly bedrock?: LocalBedrock | null;
}

/** The DynamoDB Local a stack runs on: its own, or one it shares (`LocalStackOptions.dynamodb`). */
export interface LocalStackDynamoDb {
  /** http://<host>:<port> */
  readonly endpoint: string;
  readonly port: number;
  /** The java process, when the stack started the engine itself. */
  readonly process?: DynamoDbLocal['process'];
}

/** Where the local assistant's Bedrock calls go (README, "The order assistant"). */
export interface LocalBedrock {
  /** An AWS profile (~/.aws/config) allowed bedrock:InvokeModel on the model, for real Bedrock. */
  readonly profile?: string;
  /** Another Bedrock endpoint (a test's stand-in); requests are signed with the local credentials. */
  readonly endpoint?: string;
  /** @default the template's BEDROCK_MODEL_ID */
  readonly modelId?: string;
  /** @default us-east-1, the local region */
  readonly region?: string;
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
  readonly dynamodb: LocalStackDynamoDb;
  /** A client of DynamoDB Local, for tests and tools that look at the tables. */
  readonly dynamodbClient: DynamoDBClient;
  /**
   * The main thread's AppSync data sources' client (subscription resolvers, and every request with
   * `apiWorkers: 0`): straight to DynamoDB Local, metered by the cost meter's interceptor. The API's
   * worker threads have clients of their own to the same endpoint; onDataSourceCall sees both.
   */
  readonly appsyncDynamodbClient: DataSourceDynamoDbClient;
  /** Live activity counters: AppSync billable requests and the events half's pricing dimensions. */
  readonly counters: { readonly appsync: LocalAppSync['counter']; readonly events: LocalEvents['usage'] };
  /** Billable units of every service, as AWS would count them (local/meter); GET /_orderloop/meter serves it. */
  readonly meter: costMeter.CostMeter;
  /** Data-source fault injection of the AppSync API. */
  readonly faults: LocalAppSync['faults'];
  /**
   * Sees every metered DynamoDB call of the API's data sources, in the main thread or a worker, with
   * the input the resolver sent (without the ReturnConsumedCapacity the meter adds); returns the
   * function that stops it.
   */
  onDataSourceCall(
    listener: (call: { operation: string; input: Record<string, unknown> }) => void,
  ): () => void;
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

/** The seed a start asked for: the app's (orderloop.local.ts) for `true`, none for `false`. */
async function seedOf(seed: LocalStackOptions['seed'], root: string): Promise<LocalSeedConfig | undefined> {
  if (!seed) return undefined;
  if (seed === true) return (await loadLocalConfig(root)).seed;
  return seed;
}

/** The seed's users as the local Cognito creates them (it keeps only salted password hashes). */
function seedUsers(users: readonly EndpointsUser[], userPoolId: string): SeedUser[] {
  return users.map((user) => ({
    userPoolId,
    username: user.username,
    password: user.password,
    email: user.username,
    groups: [...user.groups],
    ...(user.vendorId ? { attributes: { 'custom:vendorId': user.vendorId } } : {}),
  }));
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
    const host = options.host ?? '127.0.0.1';
    const shared = options.dynamodb;
    if (shared && dataDir)
      throw new Error('dataDir keeps a DynamoDB Local of its own: pass dynamodb or dataDir');
    let dynamodbStarting: Promise<LocalStackDynamoDb>;
    if (shared) {
      dynamodbStarting = Promise.resolve({
        endpoint: shared.endpoint,
        port: Number(new URL(shared.endpoint).port),
      });
    } else {
      const own = startDynamoDbLocal({
        port: await freePort(),
        host,
        ...(dataDir ? { dataDir: join(dataDir, 'dynamodb') } : {}),
      });
      own.catch(() => undefined); // observed below; a failing synth must not leave it unhandled
      cleanups.unshift(async () => (await own).stop());
      dynamodbStarting = own;
    }
    const { outdir } = await ensureSynth({ root, log });
    const assembly = loadAssembly(outdir, shared ? { tableNamePrefix: shared.tablePrefix } : {});
    phase('synth');

    // One line per request, hop and invocation on the console, function output in its own file.
    const activity =
      options.quiet && !options.logDir
        ? undefined
        : new ActivityLog({
            write: log,
            ...(options.verbose ? { verbose: true } : {}),
            ...(options.logDir ? { logDir: resolve(root, options.logDir) } : {}),
          });
    if (activity) cleanups.unshift(() => activity.close());

    // The issuer, GraphQLUrl and queue URLs all embed the port, so listen before anything is built.
    let route: HttpHandler = notReady;
    const server = createServer((req, res) => {
      activity?.httpRequest(req, res);
      void serve(route, req, res);
    });
    // Clients reuse an idle connection until the server's Keep-Alive hint (less a second, in undici). With
    // Node's 5 s default a busy event loop runs the idle timer before reading a request already sent on
    // the socket and resets it (ECONNRESET), failing a consumer's AppSync call into a one-minute Lambda
    // retry. A minute, like the idle timeout of AWS's load balancers, lets the clients close first.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    await listen(server, options.port ?? (Number(process.env.PORT) || DEFAULT_PORT), host);
    cleanups.unshift(() => closeServer(server));
    const port = (server.address() as AddressInfo).port;
    const base = `http://${urlHost(host)}:${port}`;
    const secure = options.tls ? await listenTls(options.tls, port, host) : undefined;
    if (secure) {
      secure.server.on('request', (req, res) => {
        activity?.httpRequest(req, res);
        void serve(route, req, res);
      });
      cleanups.unshift(() => closeServer(secure.server));
    }

    const seed = await seedOf(options.seed, root);
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
        ...(seed ? { users: seedUsers(seed.users, pool.userPoolId) } : {}),
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
      `[dynamodb] DynamoDB Local (${dynamodb.process ? `pid ${dynamodb.process.pid ?? '?'}` : 'shared'}) on ${dynamodb.endpoint}: ` +
        tables.map((t) => `${t.tableName} (${t.status})`).join(', '),
    );

    phase('tables');
    // The gateway's DynamoDB route goes through the meter's proxy; the Lambda workers go straight to
    // DynamoDB Local and meter their calls in the worker (local/lambda/dynamodb-meter.mjs), and the main
    // process's own clients (AppSync, the pipes) are metered in process.
    const meter = new costMeter.CostMeter(costMeter.meteredFunctionsOf(assembly));
    const metered = await costMeter.startMeteringProxy(dynamodb.endpoint, meter);
    cleanups.unshift(() => metered.stop());
    // Transactions are sized from their items, read before and after on a client of their own: the
    // data sources' and the Lambda workers' (the host reads them for the worker).
    const transactionImages =
      (options.transactionSizing ?? 'read') === 'read'
        ? costMeter.createTransactionImageReader(dynamodb.endpoint)
        : undefined;
    cleanups.unshift(async () => transactionImages?.destroy());

    const graphqlUrl = `${base}/graphql`;
    const realtimeUrl = `ws://${urlHost(host)}:${port}/graphql/realtime`;
    // Lambdas read APPSYNC_URL from the API's GraphQLUrl attribute, so it must resolve to this server.
    assembly.setEndpoints({ ...assembly.endpoints, graphqlUrl, realtimeUrl, awsEndpoint: base });

    const ignoredSummary = new IgnoredSummary();
    const events = await startLocalEvents({
      assembly,
      dynamodbEndpoint: dynamodb.endpoint,
      // The pipes poll in this process: straight to DynamoDB Local, metered by their answers.
      pipeStreams: { endpoint: dynamodb.endpoint, onAnswer: costMeter.streamsAnswerMeter(meter) },
      gatewayUrl: base,
      logger: ignoredSummary.wrap(activity ? (line) => activity.line(line) : log),
      ...(activity ? { onFunctionLog: (entry: FunctionLogEntry) => activity.functionLine(entry) } : {}),
      ...(dataDir ? { dataDir } : {}),
      ...(options.eventsTiming ? { timing: options.eventsTiming } : {}),
      onActivity: (a) => (costMeter.observeEventsActivity(meter, a), options.onEventsActivity?.(a)),
      lambdaHooks: {
        onExecution: (f, ms) => meter.lambdaExecution(f, ms),
        onLog: (e) => meter.lambdaLog(e.functionName, e.line),
        onDynamoDbCall: (_, call) =>
          costMeter.recordDynamoDbCall(
            meter,
            call.operation,
            call.input,
            call.status,
            call.output,
            call.images && transactionImages
              ? costMeter.withTables(call.images, transactionImages.tablesOf(call.input))
              : call.images,
          ),
        ...(transactionImages ? { readTransactionItems: (input) => transactionImages.read(input) } : {}),
      },
      lambdaEnv: {
        // Functions run on Node 22 in AWS; the SDK's warning about the local Node version is noise here.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...(options.unpaidOrderTtlMinutes !== undefined
          ? { UNPAID_ORDER_TTL_MINUTES: String(options.unpaidOrderTtlMinutes) }
          : {}),
        ...bedrockEnv(options.bedrock === undefined ? bedrockFromEnv(process.env) : options.bedrock),
      },
    });
    ignoredSummary.flush(log);
    costMeter.attachEventsMeter(meter, events.eventBridge, events.sns);
    phase('events');
    cleanups.unshift(() => events.stop());
    // Cognito's Lambda triggers (pre token generation) run like every other function of the assembly.
    cognito.setTriggerInvoker(async (functionArn, event) => {
      const out = await events.lambdaHost.invokeSync(functionArn, event);
      if (out.functionError) throw new Error(JSON.stringify(out.payload));
      return out.payload;
    });
    if (activity) events.eventBridge.onEvent((a) => activity.busActivity(a));

    // In process, the data sources' client meters itself (an interceptor): no proxy hop.
    const appsyncDynamodbClient = createDataSourceDynamoDbClient({
      region: LOCAL_REGION,
      endpoint: dynamodb.endpoint,
      credentials: LOCAL_CREDENTIALS,
    });
    const dataSourceCallListeners = new Set<Parameters<LocalStack['onDataSourceCall']>[0]>();
    const recordDataSourceCall: costMeter.DynamoDbCallRecorder = (operation, input, ...rest) => {
      costMeter.recordDynamoDbCall(meter, operation, input, ...rest);
      if (dataSourceCallListeners.size === 0) return;
      // The data sources never ask for capacity themselves: the meter's INDEXES is not theirs.
      const { ReturnConsumedCapacity: _meters, ...sent } = input;
      for (const listener of dataSourceCallListeners) listener({ operation, input: sent });
    };
    costMeter.recordDataSourceCalls(appsyncDynamodbClient, recordDataSourceCall, transactionImages);
    cleanups.unshift(async () => appsyncDynamodbClient.destroy());
    // With a data dir the key is kept there, so a client's nextToken outlives a restart like the data.
    const pageTokenKey = dataDir ? pageTokenKeyAt(join(dataDir, 'appsync-page-token.key')) : randomBytes(32);
    const apiWorkers = options.apiWorkers ?? apiWorkersFromEnv(process.env) ?? defaultApiWorkers();
    if (!Number.isInteger(apiWorkers) || apiWorkers < 0)
      throw new Error(
        `apiWorkers must be a whole number of worker threads (0 or more), received ${apiWorkers}`,
      );
    const appsync = createLocalAppSync({
      assembly,
      dynamodb: appsyncDynamodbClient,
      cognito,
      pageTokens: new PageTokenCodec(pageTokenKey),
      workers: {
        count: apiWorkers,
        dynamodb: { region: LOCAL_REGION, endpoint: dynamodb.endpoint, credentials: LOCAL_CREDENTIALS },
        onDynamoDbCall: recordDataSourceCall,
        ...(transactionImages ? { transactionImages: dynamodb.endpoint } : {}),
        pageTokenKey,
      },
      onRequest: (e) => (costMeter.observeAppSync(meter, e), options.onAppSyncRequest?.(e)),
      // Lambda data sources invoke synchronously, as AppSync's RequestResponse invocation does.
      async invokeLambda(functionArn, payload) {
        const out = await events.lambdaHost.invokeSync(functionArn, payload);
        return { payload: out.payload, ...(out.functionError ? { functionError: out.functionError } : {}) };
      },
      putEvents: async (busArn, entries) =>
        events.eventBridge.putEvents(entries.map((e) => ({ ...e, EventBusName: busArn }))),
    });
    appsync.attachWebSocket(server);
    if (secure) appsync.attachWebSocket(secure.server);
    // The API stops first but is waited for last: its worker threads take a while to terminate on a busy
    // machine, and meanwhile the pipes would go on polling a DynamoDB Local that Ctrl-C has already ended.
    let apiStopped: Promise<void> | undefined;
    cleanups.push(async () => apiStopped);
    cleanups.unshift(async () => {
      apiStopped = appsync.stop();
      apiStopped.catch(() => undefined); // handled: the last cleanup awaits it and reports its failure
    });

    const jwks = createJwksHandler(cognito);
    const gateway = createGateway({
      services: [cognito, ...events.services],
      // `endpoints` is assigned below, before anything can be served (no await in between).
      handlers: [
        createConsoleHandler({ root, endpoints: () => endpoints }),
        costMeter.createMeterHandler(meter),
        createDynamoDbProxy({
          endpoint: metered.endpoint,
          ...(shared ? { tableNamePrefix: shared.tablePrefix } : {}),
        }),
        ...events.httpHandlers,
      ],
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
      ...(secure
        ? {
            https: {
              graphqlUrl: `${secure.base}/graphql`,
              realtimeUrl: `${secure.base.replace(/^https:/, 'wss:')}/graphql/realtime`,
              awsEndpoint: secure.base,
              caFile: secure.caFile,
              trust: {
                node: `NODE_EXTRA_CA_CERTS=${secure.caFile} (set when node starts; Node 20 also needs --experimental-websocket for Amplify)`,
                browser: `import ${secure.caFile} as a certificate authority trusted for websites (README, "HTTPS, and Amplify JS unchanged")`,
              },
            },
          }
        : {}),
      iam: { accessKeyId: LOCAL_CREDENTIALS.accessKeyId, secretAccessKey: LOCAL_CREDENTIALS.secretAccessKey },
      users: seed ? seed.users : [],
      dynamodb: base,
      sqs: base,
      events: base,
      sns: base,
      lambda: base,
      lambdaDeadLetterQueues: lambdaDeadLetterQueues(events),
      pipes: Object.fromEntries(events.config.pipes.map((p) => [p.arn, p])),
    };

    // A worker that failed to start is a failed start, not a 500 on the first request.
    await appsync.ready();

    if (seed?.data) {
      const line = await seed.data({
        graphqlUrl,
        cognitoEndpoint: base,
        clientId: client.clientId,
        users: seed.users,
      });
      if (line) log(`[seed] ${line}`);
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
      appsyncDynamodbClient,
      counters: { appsync: appsync.counter, events: events.usage },
      meter,
      faults: appsync.faults,
      onDataSourceCall(listener) {
        dataSourceCallListeners.add(listener);
        return () => dataSourceCallListeners.delete(listener);
      },
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

/** The template's user pools as the local Cognito's plain config. */
export { userPoolsOf } from './cognito/from-assembly.js';

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

/** The HTTPS listener: the same routes as the HTTP port, with the local CA's server certificate. */
async function listenTls(tls: NonNullable<LocalStackOptions['tls']>, httpPort: number, host: string) {
  const { cert, key, caFile } = await ensureLocalTls(tls.dir);
  const server = createHttpsServer({ cert, key });
  try {
    await listen(server, tls.port ?? httpPort + 1, host);
  } catch (error) {
    // Only the derived default may move: an explicit port that is taken is the user's to resolve.
    if (tls.port !== undefined || !/is in use/.test((error as Error).message)) throw error;
    await listen(server, 0, host);
  }
  const base = `https://${urlHost(host)}:${(server.address() as AddressInfo).port}`;
  return { server, base, caFile };
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

/** ORDERLOOP_BEDROCK_PROFILE and friends, or null when no profile is given. */
export function bedrockFromEnv(env: NodeJS.ProcessEnv): LocalBedrock | null {
  const profile = env.ORDERLOOP_BEDROCK_PROFILE;
  if (!profile) return null;
  return {
    profile,
    ...(env.ORDERLOOP_BEDROCK_MODEL_ID ? { modelId: env.ORDERLOOP_BEDROCK_MODEL_ID } : {}),
    ...(env.ORDERLOOP_BEDROCK_REGION ? { region: env.ORDERLOOP_BEDROCK_REGION } : {}),
  };
}

/**
 * The functions' Bedrock settings. Without real Bedrock, the SDK's own endpoint override
 * (AWS_ENDPOINT_URL_BEDROCK_RUNTIME, "Service-specific endpoints") points at a port where nothing
 * listens (1, tcpmux, unused and privileged), so a call is refused at once and the assistant falls back;
 * it never reaches AWS with the local credentials. With a profile, only the Bedrock client uses it
 * (BEDROCK_PROFILE), so every other client keeps the local credentials.
 */
function bedrockEnv(bedrock: LocalBedrock | null): Record<string, string> {
  if (!bedrock || (!bedrock.profile && !bedrock.endpoint))
    return { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: 'http://127.0.0.1:1' };
  const files = ['AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'HOME'].flatMap((name) => {
    const value = process.env[name];
    return value ? [[name, value] as const] : [];
  });
  return {
    ...Object.fromEntries(files),
    ...(bedrock.profile ? { BEDROCK_PROFILE: bedrock.profile } : {}),
    ...(bedrock.endpoint ? { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.endpoint } : {}),
    ...(bedrock.modelId ? { BEDROCK_MODEL_ID: bedrock.modelId } : {}),
    ...(bedrock.region ? { BEDROCK_REGION: bedrock.region } : {}),
  };
}
