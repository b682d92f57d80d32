import { randomBytes, randomUUID } from 'node:crypto';
import { ulid } from 'ulid';
import type { HostFunctions } from './sandbox.js';

/**
 * The per-request state of one resolver evaluation: what the resolver sees as `ctx`, and what its
 * util/runtime/extensions calls leave behind (errors, early returns, subscription filters, headers).
 */

/** AppSync's authorization modes, as the GraphQL layer knows them. */
export type AuthorizationMode =
  'API_KEY' | 'AWS_IAM' | 'AMAZON_COGNITO_USER_POOLS' | 'OPENID_CONNECT' | 'AWS_LAMBDA';

/** What the GraphQL layer hands the engine for one field. */
export interface ResolveInput {
  typeName: string;
  fieldName: string;
  args: Record<string, unknown>;
  source: unknown;
  identity: unknown;
  request: { headers: Record<string, string>; domainName?: string | null };
  info: {
    fieldName: string;
    parentTypeName: string;
    variables: Record<string, unknown>;
    selectionSetList: string[];
    selectionSetGraphQL: string;
  };
  /** The mode that authorized the request; when absent util.authType() infers it from the identity. */
  authType?: AuthorizationMode;
  /** GraphQL API environment variables (`ctx.env`). */
  env?: Record<string, string>;
}

/** An error in AppSync's GraphQL shape; the GraphQL layer adds path and locations. */
export interface AppSyncError {
  message: string;
  errorType: string | null;
  data: unknown;
  errorInfo: unknown;
}

/** What extensions.* recorded during the request. */
export interface CollectedExtensions {
  subscriptionFilter?: unknown;
  invalidationFilter?: unknown;
  invalidations: { subscriptionField: string; payload: Record<string, unknown> }[];
  cacheEvictions: { typeName: string; fieldName: string; keys: Record<string, unknown> }[];
}

/** The `ctx` a data source sees: the JSON values of the handler that built its request. */
export interface ContextSnapshot {
  typeName: string;
  fieldName: string;
  arguments: Record<string, unknown>;
  identity: unknown;
  source: unknown;
  stash: Record<string, unknown>;
  prev: { result: unknown };
  request: ResolveInput['request'];
  info: ResolveInput['info'];
}

/** How a handler asked to stop early (runtime.earlyReturn). */
export interface EarlyReturn {
  value: unknown;
  skipTo: 'END' | 'NEXT' | undefined;
}

/** Mutable state of one executeResolver call, shared by the bridge functions of every handler. */
export class RequestScope {
  readonly errors: AppSyncError[] = [];
  readonly extensions: CollectedExtensions = { invalidations: [], cacheEvictions: [] };
  readonly responseHeaders: Record<string, string> = {};
  readonly logs: string[] = [];
  /** Set by util.error / util.unauthorized: the evaluation stops and the field resolves to null. */
  abort: AppSyncError | undefined;
  /** Set by runtime.earlyReturn for the handler currently running. */
  earlyReturn: EarlyReturn | undefined;

  constructor(
    readonly input: ResolveInput,
    readonly now: () => number = Date.now,
  ) {}
}

/** Builds an AppSync error, with null where AppSync reports null. */
export function appSyncError(
  message: unknown,
  errorType?: unknown,
  data?: unknown,
  errorInfo?: unknown,
): AppSyncError {
  return {
    message: typeof message === 'string' ? message : JSON.stringify(message ?? null),
    errorType: typeof errorType === 'string' ? errorType : null,
    data: data ?? null,
    errorInfo: errorInfo ?? null,
  };
}

/** The JSON `ctx` for one handler call; the sandbox parses it into its own realm's objects. */
export function handlerContext(
  input: ResolveInput,
  state: { stash: Record<string, unknown>; prev: { result: unknown }; result?: unknown; error?: unknown },
): Record<string, unknown> {
  return {
    arguments: input.args,
    identity: input.identity ?? null,
    source: input.source ?? null,
    stash: state.stash,
    prev: state.prev,
    result: state.result,
    error: state.error,
    request: { headers: input.request.headers, domainName: input.request.domainName ?? null },
    info: input.info,
    env: input.env ?? {},
  };
}

const SNAPSHOT_FIELDS = ['arguments', 'identity', 'source', 'stash', 'prev', 'request', 'info'] as const;

/**
 * The snapshot handed to the data-source port, JSON-cloned so the port cannot alias engine state. The
 * clone is made when a port first reads one of its fields: most ports (DynamoDB, the others but for
 * fault injection) never do, and cloning the identity, headers and selection lists on every data-source
 * call was a measurable share of a request. The clone holds the values of the moment of the call, since
 * the engine replaces (never mutates) the stash and prev it captured here.
 */
export function snapshot(
  input: ResolveInput,
  stash: Record<string, unknown>,
  prev: { result: unknown },
): ContextSnapshot {
  let cloned: ContextSnapshot | undefined;
  const clone = () =>
    (cloned ??= JSON.parse(
      JSON.stringify({
        arguments: input.args,
        identity: input.identity ?? null,
        source: input.source ?? null,
        stash,
        prev,
        request: input.request,
        info: input.info,
      }),
    ) as ContextSnapshot);
  const view = { typeName: input.typeName, fieldName: input.fieldName } as ContextSnapshot;
  for (const field of SNAPSHOT_FIELDS)
    Object.defineProperty(view, field, { enumerable: true, get: () => clone()[field] });
  return view;
}

const AUTH_TYPE_NAMES: Record<AuthorizationMode, string> = {
  API_KEY: 'API Key Authorization',
  AWS_IAM: 'IAM Authorization',
  AMAZON_COGNITO_USER_POOLS: 'User Pool Authorization',
  OPENID_CONNECT: 'Open ID Connect Authorization',
  AWS_LAMBDA: 'Lambda Authorization',
};

/** Reads the mode off the identity's shape when the caller did not say (AppSync's identity reference). */
export function inferAuthorizationMode(identity: unknown): AuthorizationMode {
  if (identity === null || typeof identity !== 'object') return 'API_KEY';
  const id = identity as Record<string, unknown>;
  if ('resolverContext' in id || Object.keys(id).length === 0) return 'AWS_LAMBDA';
  if ('userArn' in id && 'accountId' in id) return 'AWS_IAM';
  if ('defaultAuthStrategy' in id || ('sourceIp' in id && 'username' in id && 'claims' in id))
    return 'AMAZON_COGNITO_USER_POOLS';
  if ('sub' in id && 'issuer' in id && 'claims' in id) return 'OPENID_CONNECT';
  return 'API_KEY';
}

const KSUID_EPOCH_SECONDS = 1_400_000_000;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A KSUID: 4 bytes of seconds since the KSUID epoch and 16 random bytes, base62, 27 characters. */
export function ksuid(nowMs: number = Date.now()): string {
  const bytes = Buffer.alloc(20);
  bytes.writeUInt32BE(Math.max(0, Math.floor(nowMs / 1000) - KSUID_EPOCH_SECONDS) >>> 0, 0);
  randomBytes(16).copy(bytes, 4);
  let n = BigInt(`0x${bytes.toString('hex')}`);
  let out = '';
  while (n > 0n) {
    out = BASE62.charAt(Number(n % 62n)) + out;
    n /= 62n;
  }
  return out.padStart(27, '0');
}

/** Header names AppSync reserves for itself (util.http.addResponseHeader). */
const RESERVED_HEADER =
  /^(x-amzn-|x-amz-)|^(content-length|content-type|host|connection|date|server|via|x-cache)$/i;

/** The host side of util/runtime/extensions: every call records into `scope`. */
export function hostFunctions(scope: RequestScope): HostFunctions {
  const { input } = scope;
  return {
    now: () => scope.now(),
    autoId: () => randomUUID(),
    autoUlid: () => ulid(scope.now()),
    autoKsuid: () => ksuid(scope.now()),
    authType: () => AUTH_TYPE_NAMES[input.authType ?? inferAuthorizationMode(input.identity)],
    error: (message, errorType, data, errorInfo) => {
      scope.abort = appSyncError(message, errorType, data, errorInfo);
    },
    appendError: (message, errorType, data, errorInfo) => {
      scope.errors.push(appSyncError(message, errorType, data, errorInfo));
    },
    unauthorized: () => {
      // A field reports AppSync's field message; a handler evaluated on its own (no field, as
      // EvaluateCode runs it) reports the bare `Unauthorized` AWS gives there.
      const message =
        input.fieldName && input.typeName
          ? `Not Authorized to access ${input.fieldName} on type ${input.typeName}`
          : 'Unauthorized';
      scope.abort = appSyncError(message, 'Unauthorized');
    },
    earlyReturn: (value, skipTo) => {
      scope.earlyReturn = { value, skipTo: skipTo === 'END' || skipTo === 'NEXT' ? skipTo : undefined };
    },
    setSubscriptionFilter: (filter) => {
      scope.extensions.subscriptionFilter = filter;
    },
    setSubscriptionInvalidationFilter: (filter) => {
      scope.extensions.invalidationFilter = filter;
    },
    invalidateSubscriptions: (invalidation) => {
      const { subscriptionField, payload } = (invalidation ?? {}) as {
        subscriptionField?: unknown;
        payload?: unknown;
      };
      if (typeof subscriptionField !== 'string')
        throw new Error('invalidateSubscriptions needs a subscriptionField');
      scope.extensions.invalidations.push({
        subscriptionField,
        payload: (payload ?? {}) as Record<string, unknown>,
      });
    },
    evictFromApiCache: (typeName, fieldName, keys) => {
      scope.extensions.cacheEvictions.push({
        typeName: String(typeName),
        fieldName: String(fieldName),
        keys: (keys ?? {}) as Record<string, unknown>,
      });
    },
    addResponseHeader: (name, value) => {
      const header = String(name);
      if (RESERVED_HEADER.test(header)) throw new Error(`Response header ${header} is restricted`);
      scope.responseHeaders[header] = typeof value === 'string' ? value : JSON.stringify(value);
    },
    log: (...args) => {
      scope.logs.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    },
  };
}
