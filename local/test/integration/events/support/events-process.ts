/**
 * The events half of the local stack as a process of its own, for crash tests: serves the gateway on a
 * free loopback port, starts every function, bus and pipe of CDK_OUT over DYNAMODB_ENDPOINT with its
 * state in DATA_DIR, resumes what a killed predecessor left, and prints `READY <url>`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadAssembly } from '../../../../assembly/index.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../../aws-ids.js';
import { createTables } from '../../../../dynamodb/tables.js';
import { startLocalEvents } from '../../../../events/index.js';
import { createGateway, type HttpHandler } from '../../../../gateway.js';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

let handle: HttpHandler = async () => false;
const server = createServer((req, res) => {
  void handle(req, res).then((handled) => {
    if (!handled) res.writeHead(404).end();
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const gatewayUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const assembly = loadAssembly(env('CDK_OUT'));
const dynamodbEndpoint = env('DYNAMODB_ENDPOINT');
// Finds the existing tables and their stream ARNs, which the pipe reads from.
await createTables(
  assembly,
  new DynamoDBClient({ endpoint: dynamodbEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }),
);
const events = await startLocalEvents({
  assembly,
  dynamodbEndpoint,
  gatewayUrl,
  dataDir: env('DATA_DIR'),
  timing: { pipePollIntervalMs: 50, lambdaRetryDelaysMs: [20, 20], eventBridge: { backoff: () => 5 } },
});
handle = createGateway({ services: events.services, handlers: events.httpHandlers });
events.recover();
process.stdout.write(`READY ${gatewayUrl}\n`);
