import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { ApolloClient, ApolloLink, InMemoryCache, gql } from '@apollo/client';
import { createSubscriptionHandshakeLink } from 'aws-appsync-subscription-link';
import { WebSocket } from 'ws';
import { loadAssembly, type Assembly } from '../../../assembly/index.js';
import { createAwsJsonRouter } from '../../../aws-json.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../aws-ids.js';
import { createLocalCognito, type LocalCognito } from '../../../cognito/index.js';
import { sharedDynamoDb, type SharedDynamoDb } from '../../support/dynamodb.js';
import { createTables } from '../../../dynamodb/tables.js';
import { createLocalAppSync, MAX_REQUEST_BYTES, type LocalAppSync } from '../../../appsync/index.js';
import { createDataSourceDynamoDbClient, PageTokenCodec } from '../../../appsync/datasources/index.js';
import { recordDataSourceCalls } from '../../../meter/dynamodb-middleware.js';
import { synthTestApp, type TestApp } from './test-stack.js';

const PASSWORD = 'Passw0rd!local';

// Every case runs twice: answered in this thread, and in an API worker thread (the local stack's
// default on more than one core), which must behave the same.
describe.each([{ workers: 0 }, { workers: 1 }])(
  'local AppSync server, $workers API worker threads',
  ({ workers }) => {
    let app: TestApp;
    let engine: SharedDynamoDb;
    let assembly: Assembly;
    let cognito: LocalCognito;
    let appsync: LocalAppSync;
    let server: Server;
    let url: string;
    let apiKey: string;
    let dynamodb: DynamoDBClient;
    let clientId: string;
    const tokens: Record<string, string> = {};
    /** The data sources' DynamoDB calls as the meter sees them, from whichever thread made them. */
    const dynamodbCalls: { operation: string; status: number; capacity: boolean }[] = [];

    const post = async (body: unknown, headers: Record<string, string>) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      return {
        status: res.status,
        body: (await res.json()) as {
          data?: Record<string, unknown> | null;
          errors?: Record<string, unknown>[];
        },
      };
    };
    const withKey = (query: string, variables?: Record<string, unknown>) =>
      post({ query, variables }, { 'x-api-key': apiKey });

    async function signIn(username: string): Promise<string> {
      const client = new CognitoIdentityProviderClient({
        region: LOCAL_REGION,
        endpoint: new URL(url).origin,
        credentials: LOCAL_CREDENTIALS,
      });
      const out = await client.send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: clientId,
          AuthParameters: { USERNAME: username, PASSWORD },
        }),
      );
      return out.AuthenticationResult!.IdToken!;
    }

    const waitFor = async (condition: () => boolean, what: string) => {
      for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 25));
      if (!condition()) throw new Error(`timed out waiting for ${what}`);
    };

    beforeAll(async () => {
      app = synthTestApp();
      engine = sharedDynamoDb();
      assembly = await loadAssembly(app.outdir);
      dynamodb = new DynamoDBClient({
        region: LOCAL_REGION,
        endpoint: engine.endpoint,
        credentials: LOCAL_CREDENTIALS,
      });
      await createTables(assembly, dynamodb);
      const pool = assembly.resources('AWS::Cognito::UserPool')[0]!;
      clientId = assembly.resources('AWS::Cognito::UserPoolClient')[0]!.ref;
      cognito = await createLocalCognito({
        userPools: [
          {
            userPoolId: pool.ref,
            clients: [{ clientId, explicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] }],
            groups: [{ name: 'admins' }],
          },
        ],
        users: [
          { username: 'ada', password: PASSWORD, groups: ['admins'] },
          { username: 'bob', password: PASSWORD },
        ],
      });
      apiKey = assembly.resources('AWS::AppSync::ApiKey')[0]!.attributes['ApiKey']!;
      const dataSourceClient = {
        region: LOCAL_REGION,
        endpoint: engine.endpoint,
        credentials: LOCAL_CREDENTIALS,
      };
      const record = (operation: string, _input: unknown, status: number, output: Record<string, unknown>) =>
        // The meter reads the answer while it records it: ConsumedCapacity is stripped for the caller after.
        dynamodbCalls.push({ operation, status, capacity: output['ConsumedCapacity'] !== undefined });
      const inThread = createDataSourceDynamoDbClient(dataSourceClient);
      recordDataSourceCalls(inThread, record);
      const pageTokenKey = new Uint8Array(32).fill(7);
      appsync = createLocalAppSync({
        assembly,
        dynamodb: inThread,
        cognito,
        keepAliveIntervalMs: 1000,
        pageTokens: new PageTokenCodec(pageTokenKey),
        workers: { count: workers, dynamodb: dataSourceClient, onDynamoDbCall: record, pageTokenKey },
      });
      await appsync.ready();
      // One port for the Cognito JSON router and the AppSync endpoints, as the lead mounts them.
      const cognitoRouter = createAwsJsonRouter([cognito]);
      server = createServer((req, res) => {
        void (async () => {
          if (await appsync.handleHttp(req, res)) return;
          if (await cognitoRouter(req, res)) return;
          res.writeHead(404).end();
        })();
      });
      appsync.attachWebSocket(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as { port: number }).port}/graphql`;
      tokens['ada'] = await signIn('ada');
      tokens['bob'] = await signIn('bob');
      (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
    }, 120_000);

    afterAll(async () => {
      await appsync?.stop();
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      app?.cleanup();
    });

    it('runs a mutation and a pipeline query through APPSYNC_JS resolvers against DynamoDB Local', async () => {
      // Prepare
      const item = {
        id: 'i-1',
        name: 'first',
        priority: 3,
        createdAt: '2024-05-01T10:00:00Z',
        meta: '{"a":1}',
      };
      // Act
      const put = await withKey('mutation P($i: ItemInput!) { putItem(input: $i) { id name meta } }', {
        i: item,
      });
      const got = await withKey('query { getItem(id: "i-1") { id name priority createdAt meta } }');
      // Assess
      expect(put.body).toEqual({ data: { putItem: { id: 'i-1', name: 'first', meta: '{"a":1}' } } });
      expect(got.body.data).toEqual({
        getItem: {
          id: 'i-1',
          name: 'first',
          priority: 3,
          createdAt: '2024-05-01T10:00:00Z',
          meta: '{"a":1}',
        },
      });
      expect(appsync.counter.totals.mutation).toBeGreaterThanOrEqual(1);
    });

    it('answers in the thread the API was configured with', async () => {
      // Prepare
      const parsedHere = appsync.engine.documents.size;
      // Act: a query text no other case sends
      const res = await withKey('query Where { getItem(id: "i-where") { id } }');
      // Assess: this thread's engine parsed it only when no worker answered
      expect(res.status).toBe(200);
      expect(appsync.workerCount).toBe(workers);
      expect(appsync.liveWorkers()).toBe(workers);
      expect(appsync.engine.documents.size - parsedHere).toBe(workers === 0 ? 1 : 0);
    });

    it('counts each billable request once and meters each data-source call with its consumed capacity', async () => {
      // Prepare
      appsync.counter.reset();
      dynamodbCalls.length = 0;
      // Act
      await withKey('mutation { putItem(input: { id: "i-meter", name: "m" }) { id } }');
      await withKey('query { getItem(id: "i-meter") { id name } }');
      await post({ query: '{ whoami }' }, {}); // refused before it runs: not billed
      // Assess
      expect(appsync.counter.totals).toMatchObject({ query: 1, mutation: 1 });
      expect(dynamodbCalls.map((c) => [c.operation, c.status])).toEqual([
        ['PutItem', 200],
        ['GetItem', 200],
      ]);
      expect(dynamodbCalls.every((c) => c.capacity)).toBe(true);
    });

    it('answers with a Content-Length that counts the UTF-8 bytes of the body, not a chunked body', async () => {
      // Prepare: a value with multi-byte characters, so characters and bytes differ
      await withKey('mutation P($i: ItemInput!) { putItem(input: $i) { id } }', {
        i: { id: 'i-utf8', name: 'Tromsø ☃', priority: 1, createdAt: '2024-05-01T10:00:00Z' },
      });
      // Act
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
        body: JSON.stringify({ query: 'query { getItem(id: "i-utf8") { name } }' }),
      });
      const bytes = Buffer.from(await res.arrayBuffer());
      // Assess
      expect(res.headers.get('transfer-encoding')).toBeNull();
      expect(Number(res.headers.get('content-length'))).toBe(bytes.length);
      expect(JSON.parse(bytes.toString('utf8'))).toEqual({ data: { getItem: { name: 'Tromsø ☃' } } });
    });

    it('gives resolvers the identity, auth type, selection set and request headers of a Cognito caller', async () => {
      // Act
      const res = await post({ query: '{ whoami }' }, { authorization: tokens['bob']!, 'x-test': 'hdr' });
      // Assess
      expect(res.body.data).toEqual({ whoami: 'User Pool Authorization|bob|0|hdr' });
    });

    it('accepts a request signed with SigV4 like a Lambda function would sign it', async () => {
      // Prepare
      const target = new URL(url);
      const body = JSON.stringify({ query: '{ whoami }' });
      const signer = new SignatureV4({
        credentials: LOCAL_CREDENTIALS,
        region: LOCAL_REGION,
        service: 'appsync',
        sha256: Sha256,
      });
      const signed = await signer.sign(
        new HttpRequest({
          method: 'POST',
          protocol: 'http:',
          hostname: target.hostname,
          port: Number(target.port),
          path: target.pathname,
          headers: { host: target.host, 'content-type': 'application/json' },
          body,
        }),
      );
      // Act
      const res = await fetch(url, { method: 'POST', headers: signed.headers, body });
      // Assess
      expect(await res.json()).toMatchObject({
        data: { whoami: expect.stringMatching(/^IAM Authorization\|/) as unknown },
      });
    });

    it('rejects a request without authorization with 401 and AppSync body', async () => {
      // Act
      const res = await post({ query: '{ whoami }' }, {});
      // Assess: "Authorization and authentication" — requests without a valid mode are rejected with 401.
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        errors: [{ errorType: 'UnauthorizedException', message: 'Missing authorization header' }],
      });
    });

    it('rejects an unknown API key with 401', async () => {
      // Act
      const res = await post({ query: '{ whoami }' }, { 'x-api-key': 'da2-notakeyofthisapi00000000' });
      // Assess
      expect(res.status).toBe(401);
      expect(res.body.errors?.[0]).toMatchObject({ errorType: 'UnauthorizedException' });
    });

    it('rejects GET on the GraphQL endpoint', async () => {
      // Act
      const res = await fetch(`${url}?query=%7Bwhoami%7D`, { headers: { 'x-api-key': apiKey } });
      // Assess
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    });

    it('rejects a field the caller may not access with null and an Unauthorized error', async () => {
      // Act: an API key caller asks for a field only the admins group may read
      const res = await withKey('query { getItem(id: "i-1") { id secret } adminNote }');
      // Assess: "Using additional authorization modes" — unauthorized fields are null with an error.
      expect(res.body.data).toEqual({ getItem: { id: 'i-1', secret: null }, adminNote: null });
      expect(res.body.errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            errorType: 'Unauthorized',
            message: 'Not Authorized to access secret on type Item',
            path: ['getItem', 'secret'],
          }),
          expect.objectContaining({
            errorType: 'Unauthorized',
            message: 'Not Authorized to access adminNote on type Query',
            path: ['adminNote'],
          }),
        ]),
      );
    });

    it('lets a Cognito caller in the listed group read a group-restricted field', async () => {
      // Act
      const res = await post({ query: '{ adminNote }' }, { authorization: tokens['ada']! });
      // Assess
      expect(res.body).toEqual({ data: { adminNote: null } });
    });

    it('fails when a field is nested deeper than the query depth limit', async () => {
      // Prepare
      const table = assembly.resources('AWS::DynamoDB::Table')[0]!.physicalName;
      const child = { M: { id: { S: 'c-1' }, child: { M: { id: { S: 'c-2' } } } } };
      await dynamodb.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'deep' }, child } }));
      // Act: QueryDepthLimit is 2, so child.id sits one level too deep
      const res = await withKey('query { getItem(id: "deep") { id child { id } } }');
      // Assess: CreateGraphqlApi queryDepthLimit — fields beyond the limit produce a limit error, and an
      // error in a non-null field (id: ID!) nulls the nearest nullable parent.
      expect(res.body.data).toEqual({ getItem: { id: 'deep', child: null } });
      expect(res.body.errors?.[0]).toMatchObject({
        path: ['getItem', 'child', 'id'],
        errorType: 'QueryDepthLimitExceeded',
      });
    });

    it('rejects a request body larger than the request size limit without reading it into a query', async () => {
      // Prepare: a valid query padded past 1 MB with a long string argument (issue "Trust", item 7)
      const query = `query { getItem(id: "${'x'.repeat(MAX_REQUEST_BYTES)}") { id } }`;
      // Act
      const res = await post({ query }, { 'x-api-key': apiKey });
      const small = await withKey('query { getItem(id: "i-1") { id } }');
      // Assess
      expect(res.status).toBe(413);
      expect(res.body).toEqual({
        errors: [
          {
            errorType: 'PayloadTooLargeException',
            message: `The request body is larger than the limit of ${MAX_REQUEST_BYTES} bytes.`,
          },
        ],
      });
      expect(small.status).toBe(200);
    });

    it('rejects values that are not valid AppSync scalars', async () => {
      // Act: "Scalar types in AWS AppSync" — AWSDateTime requires a time zone offset, AWSJSON valid JSON
      const badDate = await withKey('mutation P($i: ItemInput!) { putItem(input: $i) { id } }', {
        i: { id: 'x', createdAt: '2024-05-01T10:00:00' },
      });
      const badJson = await withKey('mutation { putItem(input: { id: "x", meta: "{not json" }) { id } }');
      // Assess
      expect(badDate.body.data ?? null).toBeNull();
      expect(String(badDate.body.errors?.[0]?.['message'])).toContain('AWSDateTime');
      expect(badJson.body.data ?? null).toBeNull();
      expect(String(badJson.body.errors?.[0]?.['message'])).toContain('AWSJSON');
    });

    it('turns an injected data-source fault into the resolver error', async () => {
      // Prepare
      const off = appsync.faults.inject({
        typeName: 'Query',
        fieldName: 'getItem',
        error: { message: 'boom', type: 'DynamoDB:InternalServerError' },
      });
      // Act
      const res = await withKey('query { getItem(id: "i-1") { id } }');
      off();
      // Assess
      expect(res.body).toMatchObject({
        data: { getItem: null },
        errors: [{ errorType: 'DynamoDB:InternalServerError', message: 'boom', path: ['getItem'] }],
      });
    });

    describe('subscriptions through aws-appsync-subscription-link', () => {
      type LinkAuth =
        { type: 'API_KEY'; apiKey: string } | { type: 'AMAZON_COGNITO_USER_POOLS'; jwtToken: string };
      const clientFor = (auth: LinkAuth) => {
        // The link ships CJS and ESM typings of @apollo/client; the object is the same ApolloLink.
        const link = createSubscriptionHandshakeLink({
          url,
          region: LOCAL_REGION,
          auth,
        } as never) as unknown as ApolloLink;
        return new ApolloClient({ link, cache: new InMemoryCache() });
      };

      it('delivers a mutation to a subscriber whose argument matches, restricted to what the mutation selected', async () => {
        // Prepare
        const client = clientFor({ type: 'API_KEY', apiKey });
        const received: unknown[] = [];
        const before = appsync.activeSubscriptions();
        const sub = client
          .subscribe({
            query: gql`
              subscription S($o: String) {
                onPutItem(owner: $o) {
                  id
                  name
                  priority
                }
              }
            `,
            variables: { o: 'ann' },
          })
          .subscribe({ next: (event) => received.push(event.data) });
        await waitFor(() => appsync.activeSubscriptions() > before, 'start_ack');
        // Act
        await withKey(
          'mutation { putItem(input: { id: "s-1", owner: "zed", name: "other" }) { id owner name } }',
        );
        await withKey(
          'mutation { putItem(input: { id: "s-2", owner: "ann", name: "mine", priority: 1 }) { id owner name } }',
        );
        await waitFor(() => received.length > 0, 'data');
        // Assess: "Using subscription arguments"; priority was not selected by the mutation, so it is null
        expect(received).toEqual([
          { onPutItem: { __typename: 'Item', id: 's-2', name: 'mine', priority: null } },
        ]);
        sub.unsubscribe();
        await waitFor(() => appsync.activeSubscriptions() === before, 'stop');
      });

      it('applies the enhanced filter the subscription resolver set', async () => {
        // Prepare
        const client = clientFor({ type: 'API_KEY', apiKey });
        const received: unknown[] = [];
        const before = appsync.activeSubscriptions();
        const sub = client
          .subscribe({
            query: gql`
              subscription {
                onPriority(min: 5) {
                  id
                  priority
                }
              }
            `,
          })
          .subscribe({ next: (event) => received.push(event.data) });
        await waitFor(() => appsync.activeSubscriptions() > before, 'start_ack');
        // Act
        await withKey('mutation { putItem(input: { id: "p-low", priority: 2 }) { id priority } }');
        await withKey('mutation { putItem(input: { id: "p-high", priority: 9 }) { id priority } }');
        await waitFor(() => received.length > 0, 'data');
        // Assess: "Defining enhanced subscriptions filters in AWS AppSync"
        expect(received).toEqual([{ onPriority: { __typename: 'Item', id: 'p-high', priority: 9 } }]);
        sub.unsubscribe();
        await waitFor(() => appsync.activeSubscriptions() === before, 'stop');
      });

      it('rejects a subscription the caller may not start with an error', async () => {
        // Prepare
        const client = clientFor({ type: 'AMAZON_COGNITO_USER_POOLS', jwtToken: tokens['bob']! });
        // Act
        const error = await new Promise<unknown>((resolve) => {
          // Apollo Client 4 hands link errors to `next` as `error`.
          client
            .subscribe({
              query: gql`
                subscription {
                  onAdminItem {
                    id
                  }
                }
              `,
            })
            .subscribe({ error: resolve, next: (r) => resolve(r.error ?? r) });
        });
        // Assess: the link reports AppSync's `error` message, which Apollo keeps as the cause
        expect(JSON.stringify((error as { cause?: unknown }).cause)).toContain(
          'Not Authorized to access onAdminItem on type Subscription',
        );
      });
    });
  },
);
