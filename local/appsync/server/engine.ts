/**
 * The GraphQL layer of one local AppSync API: graphql-js parses, validates and executes; every field
 * with a resolver in the config runs through the APPSYNC_JS engine, every other field reads the
 * property of its parent. Field authorization, the depth and resolver-count limits and AppSync's
 * error shape are applied here, so HTTP and the real-time endpoint share them.
 */
import {
  buildSchema,
  createSourceEventStream,
  execute,
  GraphQLError,
  Kind,
  responsePathAsArray,
  valueFromASTUntyped,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { APPSYNC_DIRECTIVES_SDL, authorizeField, type Authorized } from '../../auth/index.js';
import { executeResolver, type CollectedExtensions, type InvokeDataSource } from '../runtime/index.js';
import { validateSubscriptionFilter, type SubscriptionFilterObject } from '../subscriptions/filter.js';
import type { AppSyncApiConfig, ResolverConfig } from '../config.js';
import {
  depthLimitError,
  fieldError,
  formatError,
  resolverLimitError,
  validationEntry,
  type AppSyncErrorEntry,
} from './errors.js';
import { DocumentCache } from './documents.js';
import { installAppSyncScalars } from './scalars.js';
import { projectByFieldName, selectionSetGraphQL, selectionSetList } from './selection.js';

/** A GraphQL response as AppSync sends it. */
export interface GraphQLResponse {
  data?: unknown;
  errors?: AppSyncErrorEntry[];
}

/** A mutation result that subscriptions listening to that mutation receive. */
export interface PublishEvent {
  readonly subscriptionField: string;
  readonly mutationField: string;
  /** The mutation's result, keyed by field name, holding only what the mutation selected. */
  readonly payload: unknown;
}

/** What executing a query or mutation produced besides the response. */
export interface OperationOutcome {
  readonly kind: 'query' | 'mutation' | 'subscription' | 'invalid';
  readonly response: GraphQLResponse;
  readonly published: PublishEvent[];
  readonly invalidations: CollectedExtensions['invalidations'];
}

/** One GraphQL request, already authorized. */
export interface OperationRequest {
  readonly query: string;
  readonly variables?: Record<string, unknown> | null;
  readonly operationName?: string | null;
  readonly auth: Authorized;
  readonly headers: Record<string, string>;
}

/** A validated subscription, ready to receive events. */
export interface PreparedSubscription {
  readonly document: DocumentNode;
  readonly operationName: string | null;
  readonly variables: Record<string, unknown>;
  readonly fieldName: string;
  readonly args: Record<string, unknown>;
  readonly auth: Authorized;
  readonly filter?: SubscriptionFilterObject;
  readonly invalidationFilter?: SubscriptionFilterObject;
}

/** Why a subscription could not start: the errors of AppSync's `error` message. */
export interface SubscriptionFailure {
  readonly errors: { errorType: string | null; message: string }[];
}

/** What authorizeField decided for one field and one kind of caller. */
type FieldRule = ReturnType<typeof authorizeField>;

interface RequestState {
  readonly auth: Authorized;
  readonly headers: Record<string, string>;
  readonly variables: Record<string, unknown>;
  readonly fragments: Record<string, FragmentDefinitionNode>;
  readonly mode: 'execute' | 'subscribe' | 'deliver';
  resolverCount: number;
  /** The field rules of this caller's mode and groups, by type and field (see GraphQLEngine.rulesFor). */
  readonly rules: Map<string, FieldRule>;
  readonly extraErrors: GraphQLError[];
  readonly invalidations: CollectedExtensions['invalidations'];
  subscription?: { fieldName: string; args: Record<string, unknown>; extensions?: CollectedExtensions };
}

/** The engine's dependencies: the data-source port and an optional fault switch. */
export interface EngineDeps {
  readonly invoke: InvokeDataSource;
  /** Resolver time limit and clock. @default the runtime's defaults */
  readonly resolverOptions?: { timeoutMs?: number; now?: () => number };
}

function pathDepth(path: GraphQLResolveInfo['path']): number {
  let depth = 0;
  for (let at: GraphQLResolveInfo['path'] | undefined = path; at; at = at.prev)
    if (typeof at.key === 'string') depth += 1;
  return depth;
}

function fragmentsOf(document: DocumentNode): Record<string, FragmentDefinitionNode> {
  const out: Record<string, FragmentDefinitionNode> = {};
  for (const def of document.definitions)
    if (def.kind === Kind.FRAGMENT_DEFINITION) out[def.name.value] = def;
  return out;
}

function operationOf(document: DocumentNode, name?: string | null): OperationDefinitionNode | undefined {
  const ops = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  return name ? ops.find((o) => o.name?.value === name) : ops.length === 1 ? ops[0] : undefined;
}

/** `mutation name → subscription fields` from the @aws_subscribe directives of the schema. */
function subscribeMap(schema: GraphQLSchema): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const field of Object.values(schema.getSubscriptionType()?.getFields() ?? {})) {
    const directive = field.astNode?.directives?.find((d) => d.name.value === 'aws_subscribe');
    const arg = directive?.arguments?.find((a) => a.name.value === 'mutations');
    const mutations = arg ? valueFromASTUntyped(arg.value) : [];
    for (const mutation of Array.isArray(mutations) ? mutations.map(String) : []) {
      map.set(mutation, [...(map.get(mutation) ?? []), field.name]);
    }
  }
  return map;
}

function locationOf(node: FieldNode | undefined): AppSyncErrorEntry['locations'] {
  return node?.loc
    ? [{ line: node.loc.startToken.line, column: node.loc.startToken.column, sourceName: null }]
    : null;
}

/** A limit the whole request broke before it ran: no data, one error in AppSync's shape. */
function limitEntry(
  e: { errorType: string; message: string },
  locations: AppSyncErrorEntry['locations'],
): AppSyncErrorEntry {
  return { path: null, data: null, errorType: e.errorType, errorInfo: null, locations, message: e.message };
}

/** One API's GraphQL engine. */
export class GraphQLEngine {
  readonly schema: GraphQLSchema;
  /** mutation field → subscription fields that listen to it. */
  readonly subscriptionsOf: ReadonlyMap<string, string[]>;
  private readonly resolvers = new Map<string, ResolverConfig>();
  /** Parsed and validated documents by query text. */
  readonly documents: DocumentCache;
  /** Field rules per caller kind (mode and groups), then per `Type.field`. */
  private readonly fieldRules = new Map<string, Map<string, FieldRule>>();
  /** ctx.info's selection views per field node; cached documents hand out the same nodes every time. */
  private readonly selections = new WeakMap<
    FieldNode,
    { selectionSetList: string[]; selectionSetGraphQL: string }
  >();

  constructor(
    readonly api: AppSyncApiConfig,
    private readonly deps: EngineDeps,
  ) {
    this.schema = buildSchema(`${APPSYNC_DIRECTIVES_SDL}\n${api.schema}`);
    installAppSyncScalars(this.schema);
    for (const r of api.resolvers) this.resolvers.set(`${r.typeName}.${r.fieldName}`, r);
    this.subscriptionsOf = subscribeMap(this.schema);
    this.documents = new DocumentCache(this.schema);
  }

  /**
   * Parses and validates (once per query text, then from the cache), picks the operation and applies
   * the limits that must hold before anything runs: introspection off, and the depth and resolver-count
   * limits over the introspection selections, which graphql-js answers without calling our resolvers.
   */
  private check(
    query: string,
    operationName?: string | null,
  ):
    | {
        document: DocumentNode;
        operation: OperationDefinitionNode;
        fragments: Record<string, FragmentDefinitionNode>;
        introspectionCount: number;
      }
    | AppSyncErrorEntry[] {
    const checked = this.documents.get(query);
    if (!checked.ok) return checked.errors;
    const { document, fragments } = checked;
    const operation = operationOf(document, operationName);
    if (!operation)
      return [validationEntry('UnknownOperation', `Unknown operation named '${operationName ?? ''}'.`)];
    const use = this.documents.introspection(query, operation, fragments);
    if (use.count > 0) {
      const at = locationOf(use.first);
      if (!this.api.introspection) {
        // With introspection disabled AppSync answers as if the field did not exist (configuration-limits).
        const name = use.first?.name.value ?? '__schema';
        const typeName = this.schema.getQueryType()?.name ?? 'Query';
        return [
          {
            ...validationEntry(
              'FieldUndefined',
              `Field '${name}' in type '${typeName}' is undefined @ '${name}'`,
            ),
            locations: at,
          },
        ];
      }
      if (this.api.queryDepthLimit > 0 && use.depth > this.api.queryDepthLimit) {
        const e = depthLimitError(this.api.queryDepthLimit);
        return [limitEntry(e, at)];
      }
      if (use.count > this.api.resolverCountLimit) {
        const e = resolverLimitError(this.api.resolverCountLimit);
        return [limitEntry(e, at)];
      }
    }
    return { document, operation, fragments, introspectionCount: use.count };
  }

  private state(
    req: {
      auth: Authorized;
      headers: Record<string, string>;
      variables: Record<string, unknown>;
      document: DocumentNode;
      fragments?: Record<string, FragmentDefinitionNode>;
      /** Introspection fields count toward the resolver-count limit like resolvers. @default 0 */
      introspectionCount?: number;
    },
    mode: RequestState['mode'],
  ): RequestState {
    return {
      auth: req.auth,
      headers: req.headers,
      variables: req.variables,
      fragments: req.fragments ?? fragmentsOf(req.document),
      mode,
      resolverCount: req.introspectionCount ?? 0,
      rules: this.rulesFor(req.auth),
      extraErrors: [],
      invalidations: [],
    };
  }

  private selectionOf(
    fieldNodes: readonly FieldNode[],
    fragments: Record<string, FragmentDefinitionNode>,
  ): { selectionSetList: string[]; selectionSetGraphQL: string } {
    const compute = () => ({
      selectionSetList: selectionSetList(fieldNodes, fragments),
      selectionSetGraphQL: selectionSetGraphQL(fieldNodes),
    });
    const node = fieldNodes[0];
    if (!node || fieldNodes.length !== 1) return compute();
    let found = this.selections.get(node);
    if (!found) {
      found = compute();
      this.selections.set(node, found);
    }
    // A copy: the list reaches the resolver as JSON anyway, and nobody may change the cached one.
    return { selectionSetList: [...found.selectionSetList], selectionSetGraphQL: found.selectionSetGraphQL };
  }

  /**
   * The rule of a field depends only on the field, the caller's mode and its groups, so it is worked out
   * once per such triple; a request looks up its caller kind's rules once, then each field by name.
   */
  private rulesFor(auth: Authorized): Map<string, FieldRule> {
    const groups = (auth.identity as { groups?: string[] | null } | null)?.groups ?? null;
    const kind = `${auth.mode}|${groups ? JSON.stringify(groups) : '-'}`;
    let rules = this.fieldRules.get(kind);
    if (!rules) {
      if (this.fieldRules.size >= 1_000) this.fieldRules.clear();
      rules = new Map();
      this.fieldRules.set(kind, rules);
    }
    return rules;
  }

  private authorize(state: RequestState, info: GraphQLResolveInfo): void {
    const field = `${info.parentType.name}.${info.fieldName}`;
    let rule = state.rules.get(field);
    if (!rule) {
      const identity = state.auth.identity as { groups?: string[] | null } | null;
      rule = authorizeField({
        schema: this.schema,
        typeName: info.parentType.name,
        fieldName: info.fieldName,
        defaultMode: this.api.auth.defaultMode,
        caller: { mode: state.auth.mode, cognitoGroups: identity?.groups ?? null },
        userPoolDefaultAction: this.api.auth.userPool?.defaultAction ?? 'ALLOW',
      });
      state.rules.set(field, rule);
    }
    if (!rule.ok) throw fieldError(rule.error.message, rule.error.errorType);
    if (state.auth.deniedFields?.includes(field))
      throw fieldError(
        `Not Authorized to access ${info.fieldName} on type ${info.parentType.name}`,
        'Unauthorized',
      );
  }

  private async runResolver(
    resolver: ResolverConfig,
    source: unknown,
    args: Record<string, unknown>,
    state: RequestState,
    info: GraphQLResolveInfo,
  ) {
    state.resolverCount += 1;
    if (state.resolverCount > this.api.resolverCountLimit) {
      const e = resolverLimitError(this.api.resolverCountLimit);
      throw fieldError(e.message, e.errorType);
    }
    const result = await executeResolver(
      resolver,
      {
        typeName: info.parentType.name,
        fieldName: info.fieldName,
        args,
        source: source ?? null,
        identity: state.auth.identity,
        request: { headers: state.headers, domainName: null },
        info: {
          fieldName: info.fieldName,
          parentTypeName: info.parentType.name,
          variables: state.variables,
          ...this.selectionOf(info.fieldNodes, state.fragments),
        },
        authType: state.auth.mode,
        env: { ...this.api.environmentVariables },
      },
      this.deps.invoke,
      this.deps.resolverOptions ?? {},
    );
    state.invalidations.push(...result.extensions.invalidations);
    const path = responsePathAsArray(info.path);
    const toError = (e: (typeof result.errors)[number]) =>
      fieldError(e.message, e.errorType, {
        data: e.data,
        errorInfo: e.errorInfo,
        nodes: info.fieldNodes,
        path,
      });
    if (result.data === null && result.errors.length > 0) {
      // The error that stopped the resolver nulls the field; appended ones are reported beside it.
      const errors = result.errors.map(toError);
      state.extraErrors.push(...errors.slice(0, -1));
      throw errors[errors.length - 1]!;
    }
    state.extraErrors.push(...result.errors.map(toError));
    return result;
  }

  // Synchronous for the fields without a resolver (most of a response): a promise per plain property
  // would cost graphql-js a microtask round per field.
  private readonly fieldResolver: GraphQLFieldResolver<unknown, RequestState> = (
    source,
    args,
    state,
    info,
  ) => {
    const depth = pathDepth(info.path);
    if (this.api.queryDepthLimit > 0 && depth > this.api.queryDepthLimit) {
      const e = depthLimitError(this.api.queryDepthLimit);
      throw fieldError(e.message, e.errorType);
    }
    this.authorize(state, info);
    const value = (source as Record<string, unknown> | null)?.[info.fieldName];
    if (state.mode === 'deliver') return value ?? null;
    const resolver = this.resolvers.get(`${info.parentType.name}.${info.fieldName}`);
    if (!resolver) return value;
    return this.runResolver(resolver, source, args, state, info).then((result) => result.data);
  };

  private readonly subscribeResolver: GraphQLFieldResolver<unknown, RequestState> = async (
    source,
    args,
    state,
    info,
  ) => {
    this.authorize(state, info);
    state.subscription = { fieldName: info.fieldName, args };
    const resolver = this.resolvers.get(`${info.parentType.name}.${info.fieldName}`);
    if (resolver)
      state.subscription.extensions = (
        await this.runResolver(resolver, source, args, state, info)
      ).extensions;
    return {
      [Symbol.asyncIterator]: () => ({ next: () => Promise.resolve({ done: true, value: undefined }) }),
    };
  };

  private respond(result: ExecutionResult, state: RequestState): GraphQLResponse {
    const errors = [...(result.errors ?? []), ...state.extraErrors].map(formatError);
    return { data: result.data ?? null, ...(errors.length > 0 ? { errors } : {}) };
  }

  /** Executes a query or mutation; a mutation's non-null root results become publish events. */
  async execute(request: OperationRequest): Promise<OperationOutcome> {
    const checked = this.check(request.query, request.operationName);
    if (Array.isArray(checked))
      return { kind: 'invalid', response: { data: null, errors: checked }, published: [], invalidations: [] };
    const { document, operation, fragments, introspectionCount } = checked;
    const kind = operation.operation;
    if (kind === 'subscription') {
      const entry = validationEntry(
        'SubscriptionOverHttp',
        'Subscriptions are served by the real-time endpoint (/graphql/realtime).',
      );
      return { kind, response: { data: null, errors: [entry] }, published: [], invalidations: [] };
    }
    const variables = request.variables ?? {};
    const state = this.state({ ...request, variables, document, fragments, introspectionCount }, 'execute');
    const result = await execute({
      schema: this.schema,
      document,
      variableValues: variables,
      operationName: request.operationName ?? null,
      contextValue: state,
      fieldResolver: this.fieldResolver,
    });
    const response = this.respond(result, state);
    const published = kind === 'mutation' ? this.publishEvents(operation, result, state) : [];
    return { kind, response, published, invalidations: state.invalidations };
  }

  private publishEvents(
    operation: OperationDefinitionNode,
    result: ExecutionResult,
    state: RequestState,
  ): PublishEvent[] {
    const data = (result.data ?? {}) as Record<string, unknown>;
    const events: PublishEvent[] = [];
    for (const sel of operation.selectionSet.selections) {
      if (sel.kind !== Kind.FIELD) continue;
      const value = data[sel.alias?.value ?? sel.name.value];
      if (value === null || value === undefined) continue;
      const payload = projectByFieldName(value, sel.selectionSet, state.fragments);
      for (const subscriptionField of this.subscriptionsOf.get(sel.name.value) ?? []) {
        events.push({ subscriptionField, mutationField: sel.name.value, payload });
      }
    }
    return events;
  }

  /**
   * Validates a subscription, authorizes its field for the caller and runs its resolver (which may set
   * enhanced and invalidation filters), as AppSync does when it receives `start`.
   */
  async subscribe(request: OperationRequest): Promise<PreparedSubscription | SubscriptionFailure> {
    const checked = this.check(request.query, request.operationName);
    if (Array.isArray(checked))
      return { errors: checked.map((e) => ({ errorType: e.errorType, message: e.message })) };
    const { document, operation, fragments } = checked;
    if (operation.operation !== 'subscription') {
      // What AppSync answers when a query or mutation is sent as `start` on the real-time endpoint.
      return {
        errors: [
          {
            errorType: 'UnsupportedOperation',
            message: `${operation.operation} not supported through the realtime channel`,
          },
        ],
      };
    }
    const variables = request.variables ?? {};
    const state = this.state({ ...request, variables, document, fragments }, 'subscribe');
    const stream = await createSourceEventStream({
      schema: this.schema,
      document,
      variableValues: variables,
      operationName: request.operationName ?? null,
      contextValue: state,
      subscribeFieldResolver: this.subscribeResolver,
    });
    const errors = [...(('errors' in stream && stream.errors) || []), ...state.extraErrors].map(formatError);
    if (errors.length > 0 || !state.subscription) {
      return { errors: errors.map((e) => ({ errorType: e.errorType, message: e.message })) };
    }
    const { fieldName, args, extensions } = state.subscription;
    const filters: { filter?: SubscriptionFilterObject; invalidationFilter?: SubscriptionFilterObject } = {};
    try {
      if (extensions?.subscriptionFilter !== undefined) {
        validateSubscriptionFilter(extensions.subscriptionFilter);
        filters.filter = extensions.subscriptionFilter;
      }
      if (extensions?.invalidationFilter !== undefined) {
        validateSubscriptionFilter(extensions.invalidationFilter);
        filters.invalidationFilter = extensions.invalidationFilter;
      }
    } catch (err) {
      return { errors: [{ errorType: 'BadRequestException', message: (err as Error).message }] };
    }
    return {
      document,
      operationName: request.operationName ?? null,
      variables,
      fieldName,
      args,
      auth: request.auth,
      ...filters,
    };
  }

  /**
   * Shapes an event for one subscriber: its own selection set over the published payload (fields the
   * mutation did not select are null), with its own field-level authorization.
   */
  async render(
    subscription: PreparedSubscription,
    payload: unknown,
    headers: Record<string, string> = {},
  ): Promise<GraphQLResponse> {
    const state = this.state(
      {
        auth: subscription.auth,
        headers,
        variables: subscription.variables,
        document: subscription.document,
      },
      'deliver',
    );
    const result = await execute({
      schema: this.schema,
      document: subscription.document,
      rootValue: { [subscription.fieldName]: payload },
      variableValues: subscription.variables,
      operationName: subscription.operationName,
      contextValue: state,
      fieldResolver: this.fieldResolver,
    });
    return this.respond(result, state);
  }

  /** The root field nodes of an operation, for callers that need them. */
  static rootFields(operation: OperationDefinitionNode): FieldNode[] {
    return operation.selectionSet.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD);
  }
}
