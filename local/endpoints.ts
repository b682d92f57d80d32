/**
 * The endpoints file (.orderloop/endpoints.json): how tools outside the process (the replay CLI, the
 * demo, a shell with the AWS CLI) find the running local stack.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LocalPipeConfig } from './events/config-from-assembly.js';

/** Where `npm start` writes the endpoints file, relative to the repository root. */
export const ENDPOINTS_FILE = '.orderloop/endpoints.json';

/** A demo user as the endpoints file lists it. */
export interface EndpointsUser {
  readonly username: string;
  readonly password: string;
  readonly groups: readonly string[];
  readonly vendorId?: string;
}

/** The content of the endpoints file. */
export interface LocalStackEndpoints {
  readonly graphqlUrl: string;
  readonly realtimeUrl: string;
  readonly region: string;
  readonly cognito: {
    /** The Cognito user pools API endpoint (pass it as `endpoint` / `--endpoint-url`). */
    readonly endpoint: string;
    readonly userPoolId: string;
    readonly clientId: string;
    readonly issuer: string;
  };
  readonly apiKey?: string;
  /**
   * The same services over HTTPS and WSS (what Amplify JS needs: it derives `wss://<graphql>/realtime`).
   * Trust `caFile`: NODE_EXTRA_CA_CERTS=<caFile> for Node, the browser's certificate authorities for a browser.
   */
  readonly https?: {
    readonly graphqlUrl: string;
    readonly realtimeUrl: string;
    /** Cognito and the other AWS APIs (Amplify's `Auth.Cognito.userPoolEndpoint`). */
    readonly awsEndpoint: string;
    readonly caFile: string;
    /** How to trust caFile, for a reader of the file. */
    readonly trust: { readonly node: string; readonly browser: string };
  };
  readonly iam: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly users: readonly EndpointsUser[];
  /** DynamoDB (and DynamoDB Streams) on the gateway, which checks SigV4 and proxies to DynamoDB Local. */
  readonly dynamodb: string;
  /** The gateway URL, for each service it serves. */
  readonly sqs: string;
  readonly events: string;
  readonly sns: string;
  readonly lambda: string;
  /** DLQ ARN → the function whose failed events it holds, for the replay CLI. */
  readonly lambdaDeadLetterQueues: Readonly<Record<string, string>>;
  /** Pipe ARN → its filters, enrichment and target, so the replay CLI can send dead letters through it. */
  readonly pipes?: Readonly<Record<string, LocalPipeConfig>>;
}

/** Writes the endpoints file, creating its folder. */
export function writeEndpointsFile(path: string, endpoints: LocalStackEndpoints): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(endpoints, null, 2)}\n`);
}
