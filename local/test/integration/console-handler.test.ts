import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole, createConsoleHandler, isLoopbackHost } from '../../console/index.js';
import type { LocalStackEndpoints } from '../../endpoints.js';

const ROOT = resolve(import.meta.dirname, '../../..');

const endpoints = {
  graphqlUrl: 'http://127.0.0.1:1/graphql',
  realtimeUrl: 'ws://127.0.0.1:1/graphql/realtime',
  region: 'us-east-1',
  cognito: { endpoint: 'http://127.0.0.1:1', userPoolId: 'us-east-1_pool', clientId: 'client', issuer: 'x' },
  apiKey: 'da2-key</script><script>alert(1)</script>',
  iam: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'secret' },
  users: [{ username: 'customer@orderloop.local', password: 'Orderloop!2026', groups: ['customer'] }],
  dynamodb: 'http://127.0.0.1:2',
  sqs: '',
  events: '',
  sns: '',
  lambda: '',
  lambdaDeadLetterQueues: {},
} satisfies LocalStackEndpoints;

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

describe('the console route', () => {
  let server: Server;
  let port: number;
  const get = (path: string, host = `localhost:${port}`, method = 'GET') =>
    new Promise<Answer>((done, fail) => {
      request({ host: '127.0.0.1', port, path, method, headers: { host } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
        .on('error', fail)
        .end();
    });

  beforeAll(async () => {
    // Built up front (what the first page load would do), so no request below waits for a cold build.
    await buildConsole({ root: ROOT });
    const handle = createConsoleHandler({ root: ROOT, endpoints: () => endpoints });
    server = createServer((req, res) => {
      void handle(req, res).then((handled) => {
        if (!handled) res.writeHead(418).end('not mine');
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((done) => server.close(done));
  });

  it('serves the page with the connection details inlined, unable to close its script element', async () => {
    // Act
    const page = await get('/');
    // Assess
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const config = /<script id="console-config" type="application\/json">(.*)<\/script>/.exec(page.body)?.[1];
    expect(JSON.parse(config ?? 'null')).toMatchObject({ clientId: 'client', apiKey: endpoints.apiKey });
    expect(page.body).not.toContain('<script>alert(1)');
  });

  it('serves the bundle that the page loads', async () => {
    // Act
    const script = await get('/console/main.js');
    const worker = await get('/console/graphql.worker.js', `127.0.0.1:${port}`, 'HEAD');
    // Assess
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.body.length).toBeGreaterThan(0);
    expect(worker.status).toBe(200);
  });

  it('rejects paths outside the bundle folder', async () => {
    // Act
    const answers = await Promise.all(
      ['/console/../../package.json', '/console/%2e%2e%2fpackage.json', '/console/.hidden.js'].map((p) =>
        get(p),
      ),
    );
    // Assess
    expect(answers.map((a) => a.status)).toEqual([418, 404, 404]);
  });

  it('refuses hosts that are not loopback names, which is what a DNS-rebinding page would send', async () => {
    // Act
    const answer = await get('/', 'orderloop.attacker.example');
    // Assess
    expect(answer.status).toBe(403);
    expect(answer.body).not.toContain('Orderloop!2026');
    expect(['localhost:20002', '127.0.0.1', '[::1]:1', 'app.localhost'].every(isLoopbackHost)).toBe(true);
    expect(['localhost.attacker.example', '127.0.0.1.nip.io', ''].some(isLoopbackHost)).toBe(false);
  });

  it('leaves other requests to the services: AWS query GETs, POSTs and other paths', async () => {
    // Act
    const answers = await Promise.all([
      get('/?Action=ListQueues'),
      get('/', `localhost:${port}`, 'POST'),
      get('/graphql'),
    ]);
    // Assess
    expect(answers.map((a) => a.status)).toEqual([418, 418, 418]);
  });
});
