/**
 * Plain configuration of each AppSync GraphQL API in a cloud assembly: what the local server needs
 * (auth, schema, data sources, resolvers, limits), read from the AWS::AppSync::* resources alone.
 */
import type { Assembly, LoadedResource } from '../assembly/index.js';
import type { ApiAuthConfig } from '../auth/index.js';
import type { ApiKeyConfig } from '../auth/index.js';
import type { AuthMode } from '../auth/index.js';
import type { DataSourceConfig } from './datasources/index.js';
import type { ResolverSpec } from './runtime/index.js';

/** One resolver attached to `typeName.fieldName`. */
export interface ResolverConfig extends ResolverSpec {
  readonly typeName: string;
  readonly fieldName: string;
}

/** Everything the local AppSync serves for one AWS::AppSync::GraphQLApi. */
export interface AppSyncApiConfig {
  /** The API's logical id in its stack, stable across synths. */
  readonly logicalId: string;
  readonly stack: string;
  readonly name: string;
  readonly apiId: string;
  readonly auth: ApiAuthConfig;
  /** The schema SDL without AppSync's own directives and scalars. */
  readonly schema: string;
  readonly dataSources: readonly DataSourceConfig[];
  readonly resolvers: readonly ResolverConfig[];
  /** 0 or absent means no limit (QueryDepthLimit). */
  readonly queryDepthLimit: number;
  /** AppSync's default when unset is 10000 (ResolverCountLimit). */
  readonly resolverCountLimit: number;
  readonly introspection: boolean;
  readonly xrayEnabled: boolean;
  readonly logConfig?: { readonly fieldLogLevel?: string; readonly excludeVerboseContent?: boolean };
  /** GraphQL API environment variables (ctx.env). */
  readonly environmentVariables: Readonly<Record<string, string>>;
}

// Absent or 0 means 10000 resolvers per request (CreateGraphqlApi API reference, resolverCountLimit).
const DEFAULT_RESOLVER_COUNT_LIMIT = 10_000;

type Props = Record<string, unknown>;

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const num = (value: unknown): number | undefined =>
  typeof value === 'number' ? value : typeof value === 'string' && value !== '' ? Number(value) : undefined;

function userPoolOf(raw: unknown): ApiAuthConfig['userPool'] {
  if (!raw || typeof raw !== 'object') return undefined;
  const p = raw as Props;
  const userPoolId = str(p['UserPoolId']);
  if (!userPoolId) return undefined;
  const appIdClientRegex = str(p['AppIdClientRegex']);
  const defaultAction = str(p['DefaultAction']) as 'ALLOW' | 'DENY' | undefined;
  return {
    userPoolId,
    ...(appIdClientRegex ? { appIdClientRegex } : {}),
    ...(defaultAction ? { defaultAction } : {}),
  };
}

function authOf(props: Props, apiKeys: ApiKeyConfig[]): ApiAuthConfig {
  const defaultMode = (str(props['AuthenticationType']) ?? 'API_KEY') as AuthMode;
  const providers = Array.isArray(props['AdditionalAuthenticationProviders'])
    ? (props['AdditionalAuthenticationProviders'] as Props[])
    : [];
  const additionalModes = providers.map((p) => str(p['AuthenticationType']) as AuthMode);
  const userPool =
    userPoolOf(props['UserPoolConfig']) ??
    providers.map((p) => userPoolOf(p['UserPoolConfig'])).find(Boolean);
  const oidcRaw = (props['OpenIDConnectConfig'] ??
    providers.find((p) => p['OpenIDConnectConfig'])?.['OpenIDConnectConfig']) as Props | undefined;
  const issuer = str(oidcRaw?.['Issuer']);
  const clientId = str(oidcRaw?.['ClientId']);
  return {
    defaultMode,
    additionalModes,
    ...(userPool ? { userPool } : {}),
    ...(issuer ? { oidc: { issuer, ...(clientId ? { clientId } : {}) } } : {}),
    apiKeys,
  };
}

function dataSourceOf(resource: LoadedResource): DataSourceConfig {
  const p = resource.properties as Props;
  const name = String(p['Name']);
  const type = String(p['Type']);
  switch (type) {
    case 'AMAZON_DYNAMODB':
      return { name, type, tableName: String((p['DynamoDBConfig'] as Props)['TableName']) };
    case 'AWS_LAMBDA':
      return { name, type, functionArn: String((p['LambdaConfig'] as Props)['LambdaFunctionArn']) };
    case 'AMAZON_EVENTBRIDGE':
      return { name, type, eventBusArn: String((p['EventBridgeConfig'] as Props)['EventBusArn']) };
    case 'HTTP':
      return { name, type, endpoint: String((p['HttpConfig'] as Props)['Endpoint']) };
    case 'NONE':
      return { name, type };
    default:
      throw new Error(
        `${resource.stack}/${resource.logicalId}: data source ${name} has type ${type}; the local AppSync runs AMAZON_DYNAMODB, AWS_LAMBDA, AMAZON_EVENTBRIDGE, HTTP and NONE`,
      );
  }
}

function codeOf(assembly: Assembly, resource: LoadedResource): string {
  const runtime = (resource.properties as Props)['Runtime'] as Props | undefined;
  const code = assembly.readSource(resource, 'Code');
  if (code === undefined || (runtime && runtime['Name'] !== 'APPSYNC_JS')) {
    throw new Error(
      `${resource.stack}/${resource.logicalId}: only APPSYNC_JS code is supported locally (no VTL mapping templates), received runtime ${JSON.stringify(runtime ?? null)}`,
    );
  }
  return code;
}

function resolverOf(
  assembly: Assembly,
  resource: LoadedResource,
  functions: Map<string, LoadedResource>,
): ResolverConfig {
  const p = resource.properties as Props;
  const typeName = String(p['TypeName']);
  const fieldName = String(p['FieldName']);
  const kind = str(p['Kind']) === 'PIPELINE' ? 'PIPELINE' : 'UNIT';
  const maxBatchSize = num(p['MaxBatchSize']);
  const base = {
    typeName,
    fieldName,
    kind,
    code: codeOf(assembly, resource),
    ...(maxBatchSize ? { maxBatchSize } : {}),
  } as const;
  if (kind === 'UNIT') {
    const dataSource = str(p['DataSourceName']);
    return { ...base, ...(dataSource ? { dataSource } : {}) };
  }
  const ids = ((p['PipelineConfig'] as Props | undefined)?.['Functions'] ?? []) as unknown[];
  const steps = ids.map((id) => {
    const fn = functions.get(String(id));
    if (!fn)
      throw new Error(
        `${resource.stack}/${resource.logicalId}: pipeline function ${String(id)} is not in the assembly`,
      );
    const fp = fn.properties as Props;
    return { name: String(fp['Name']), code: codeOf(assembly, fn), dataSource: String(fp['DataSourceName']) };
  });
  return { ...base, functions: steps };
}

function apiKeyOf(resource: LoadedResource): ApiKeyConfig {
  const expires = num((resource.properties as Props)['Expires']);
  const key = resource.attributes['ApiKey'];
  return { id: resource.logicalId, ...(key ? { key } : {}), ...(expires !== undefined ? { expires } : {}) };
}

/**
 * Reads every AppSync GraphQL API of the assembly into plain config. Resources belong to the API whose
 * ApiId they resolve to, so any CDK app (ours or a test's) is served without knowing its names.
 */
export function appSyncConfigFromAssembly(assembly: Assembly): AppSyncApiConfig[] {
  const byApi = (type: string, apiId: string) =>
    assembly.resources(type).filter((r) => (r.properties as Props)['ApiId'] === apiId);
  return assembly.resources('AWS::AppSync::GraphQLApi').map((api) => {
    const props = api.properties as Props;
    const apiId = api.attributes['ApiId'] ?? api.logicalId;
    const schemaResource = byApi('AWS::AppSync::GraphQLSchema', apiId)[0];
    const schema = schemaResource ? assembly.readSource(schemaResource, 'Definition') : undefined;
    if (schema === undefined)
      throw new Error(`${api.stack}/${api.logicalId}: the API has no AWS::AppSync::GraphQLSchema`);
    const functions = new Map(
      byApi('AWS::AppSync::FunctionConfiguration', apiId).map((fn) => [
        fn.attributes['FunctionId'] ?? fn.logicalId,
        fn,
      ]),
    );
    const apiKeys = byApi('AWS::AppSync::ApiKey', apiId).map(apiKeyOf);
    const log = props['LogConfig'] as Props | undefined;
    const introspection = str(props['IntrospectionConfig']) !== 'DISABLED';
    return {
      logicalId: api.logicalId,
      stack: api.stack,
      name: str(props['Name']) ?? api.physicalName,
      apiId,
      auth: authOf(props, apiKeys),
      schema,
      dataSources: byApi('AWS::AppSync::DataSource', apiId).map(dataSourceOf),
      resolvers: byApi('AWS::AppSync::Resolver', apiId).map((r) => resolverOf(assembly, r, functions)),
      queryDepthLimit: num(props['QueryDepthLimit']) ?? 0,
      resolverCountLimit: num(props['ResolverCountLimit']) || DEFAULT_RESOLVER_COUNT_LIMIT,
      introspection,
      xrayEnabled: props['XrayEnabled'] === true || props['XrayEnabled'] === 'true',
      ...(log
        ? {
            logConfig: {
              ...(str(log['FieldLogLevel']) ? { fieldLogLevel: str(log['FieldLogLevel']) } : {}),
              ...(log['ExcludeVerboseContent'] !== undefined
                ? { excludeVerboseContent: Boolean(log['ExcludeVerboseContent']) }
                : {}),
            },
          }
        : {}),
      environmentVariables: (props['EnvironmentVariables'] as Record<string, string> | undefined) ?? {},
    };
  });
}
