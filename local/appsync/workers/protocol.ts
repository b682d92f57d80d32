/**
 * What the main thread and the API's worker threads say to each other (./pool.ts, ./worker.ts). Every
 * message is plain data: it crosses the thread boundary by structured clone.
 */
import type { JwksLike, SigV4Options } from '../../auth/index.js';
import type { TransactionImages } from '../../meter/dynamodb-calls.js';
import type { AppSyncApiConfig } from '../config.js';
import type { DataSourceDynamoDbClientConfig } from '../datasources/index.js';
import type { GraphqlAnswer, GraphqlHttpRequest } from '../server/index.js';

/** What a worker is started with: everything it needs to answer requests without asking the main thread. */
export interface ApiWorkerData {
  readonly config: AppSyncApiConfig;
  /** The data sources' DynamoDB Local; the worker has a client of its own. */
  readonly dynamodb: DataSourceDynamoDbClientConfig;
  /** Whether the worker posts its DynamoDB calls to the main thread's meter. */
  readonly meterDynamoDb: boolean;
  /** DynamoDB Local endpoint the meter reads transaction items from (before and after), when it sizes them. */
  readonly transactionImages?: string;
  /** The user pools' issuers and public keys, by pool id (the local Cognito's keys do not change while it runs). */
  readonly userPools: Readonly<Record<string, { readonly issuer: string; readonly jwks: JwksLike }>>;
  readonly sigv4?: Omit<SigV4Options, 'now'>;
  /** The key that seals DynamoDB nextTokens: one for all threads, so a token from one is good on another. */
  readonly pageTokenKey: Uint8Array;
  /** The `Type.field`s with an injected fault at the worker's start. */
  readonly armedFaults: readonly string[];
}

/** What the worker asks the main thread to do, and waits for. */
export type ApiWorkerCall =
  | { readonly method: 'invokeLambda'; readonly args: readonly [functionArn: string, payload: unknown] }
  | { readonly method: 'putEvents'; readonly args: readonly [busArn: string, entries: unknown[]] }
  | { readonly method: 'takeFault'; readonly args: readonly [typeName: string, fieldName: string] };

/** Main thread → worker. */
export type ToApiWorker =
  | { readonly type: 'request'; readonly id: number; readonly request: GraphqlHttpRequest }
  | {
      readonly type: 'reply';
      readonly id: number;
      readonly ok: boolean;
      readonly value?: unknown;
      readonly error?: { readonly name: string; readonly message: string };
    }
  | { readonly type: 'faults'; readonly armed: readonly string[] };

/** One DynamoDB call of the worker's data sources, with what the meter reads of its answer. */
export interface ApiWorkerDynamoDbCall {
  readonly operation: string;
  readonly input: Record<string, unknown>;
  readonly status: number;
  /** Only `ConsumedCapacity` and `__type`: the items stay in the worker. */
  readonly output: Record<string, unknown>;
  readonly images?: TransactionImages;
}

/**
 * Worker → main thread. DynamoDB calls ride on the next answer (recorded before it is sent, as in one
 * thread) or, with none due, on a message of their own at the end of the worker's turn.
 */
export type FromApiWorker =
  | { readonly type: 'ready' }
  | {
      readonly type: 'answer';
      readonly id: number;
      readonly answer: GraphqlAnswer;
      readonly dynamodb?: readonly ApiWorkerDynamoDbCall[];
    }
  | {
      readonly type: 'failed';
      readonly id: number;
      readonly message: string;
      readonly dynamodb?: readonly ApiWorkerDynamoDbCall[];
    }
  | ({ readonly type: 'call'; readonly id: number } & ApiWorkerCall)
  | { readonly type: 'dynamodb'; readonly dynamodb: readonly ApiWorkerDynamoDbCall[] };
