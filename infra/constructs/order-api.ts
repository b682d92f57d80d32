import { Duration, Expiration } from 'aws-cdk-lib';
import {
  AuthorizationType,
  Code,
  Definition,
  FieldLogLevel,
  FunctionRuntime,
  GraphqlApi,
  IntrospectionConfig,
  type AppsyncFunction,
  type BaseDataSource,
} from 'aws-cdk-lib/aws-appsync';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { readFileSync } from 'node:fs';
import { bundleAppSyncCode } from '../bundling.js';
import { assertManifestMatchesSchema } from '../manifest-check.js';
import type { DataSourceName, ResolverEntry } from '../../resolvers/manifest.js';
import { assertIntegerInRange } from './validation.js';

/** Props for the orderloop GraphQL API. */
export interface OrderApiProps {
  /** Path of schema.graphql. */
  readonly schemaFile: string;
  /** The single table the resolvers read and write. */
  readonly table: ITable;
  /** The user pool that signs customers, vendors and admins in (the default auth mode). */
  readonly userPool: IUserPool;
  /** Every resolver, from resolvers/manifest.ts. */
  readonly resolvers: readonly ResolverEntry[];
  /** Pipeline functions by name, from resolvers/manifest.ts. */
  readonly functions: Readonly<
    Record<string, { readonly code: string; readonly dataSource: DataSourceName }>
  >;
  /** The Lambda behind the `assistant` data source. @default no assistant data source */
  readonly assistantFunction?: IFunction;
  /** Deepest nesting a query may have, 1 to 75. @default 10 */
  readonly queryDepthLimit?: number;
  /** Most resolvers one request may run, 1 to 10000. @default 200 */
  readonly resolverCountLimit?: number;
  /** Whether introspection queries are answered. @default true */
  readonly introspection?: boolean;
  /** How long the public catalog API key lives, 1 to 365 days. @default 365 */
  readonly apiKeyDays?: number;
}

/**
 * The GraphQL API: Cognito user pools by default, IAM for the backend, an API key for the catalog;
 * resolvers built from the manifest and checked against the schema at synth.
 */
export class OrderApi extends Construct {
  /** The AppSync API. */
  readonly api: GraphqlApi;
  /** Data sources by logical name. */
  readonly dataSources: Readonly<Partial<Record<DataSourceName, BaseDataSource>>>;

  constructor(scope: Construct, id: string, props: OrderApiProps) {
    super(scope, id);
    assertIntegerInRange('queryDepthLimit', props.queryDepthLimit, 1, 75);
    assertIntegerInRange('resolverCountLimit', props.resolverCountLimit, 1, 10_000);
    assertIntegerInRange('apiKeyDays', props.apiKeyDays, 1, 365);
    const schemaText = readFileSync(props.schemaFile, 'utf8');
    assertManifestMatchesSchema(schemaText, props.resolvers, props.functions);

    this.api = new GraphqlApi(this, 'Api', {
      name: 'orderloop',
      definition: Definition.fromFile(props.schemaFile),
      authorizationConfig: {
        defaultAuthorization: {
          authorizationType: AuthorizationType.USER_POOL,
          userPoolConfig: { userPool: props.userPool },
        },
        additionalAuthorizationModes: [
          { authorizationType: AuthorizationType.IAM },
          {
            authorizationType: AuthorizationType.API_KEY,
            apiKeyConfig: {
              description: 'Public catalog reads',
              expires: Expiration.after(Duration.days(props.apiKeyDays ?? 365)),
            },
          },
        ],
      },
      // Retention is set by CDK's LogRetention provider, because AppSync creates its log group itself.
      logConfig: {
        fieldLogLevel: FieldLogLevel.ERROR,
        excludeVerboseContent: true,
        retention: RetentionDays.ONE_MONTH,
      },
      xrayEnabled: true,
      // Resolvers that write transactions or batches name the table themselves (resolvers/manifest.ts).
      environmentVariables: { TABLE_NAME: props.table.tableName },
      queryDepthLimit: props.queryDepthLimit ?? 10,
      resolverCountLimit: props.resolverCountLimit ?? 200,
      introspectionConfig:
        props.introspection === false ? IntrospectionConfig.DISABLED : IntrospectionConfig.ENABLED,
    });

    const dataSources: Partial<Record<DataSourceName, BaseDataSource>> = {
      table: this.api.addDynamoDbDataSource('TableDataSource', props.table),
      none: this.api.addNoneDataSource('NoneDataSource'),
    };
    if (props.assistantFunction) {
      dataSources.assistant = this.api.addLambdaDataSource('AssistantDataSource', props.assistantFunction);
    }
    this.dataSources = dataSources;
    const dataSource = (name: DataSourceName): BaseDataSource => {
      const found = dataSources[name];
      if (!found) throw new Error(`data source '${name}' is not configured on OrderApi ${id}`);
      return found;
    };

    const functions = new Map<string, AppsyncFunction>();
    for (const [name, fn] of Object.entries(props.functions)) {
      functions.set(
        name,
        dataSource(fn.dataSource).createFunction(`Fn${name}`, {
          name,
          runtime: FunctionRuntime.JS_1_0_0,
          code: Code.fromInline(bundleAppSyncCode(fn.code)),
        }),
      );
    }
    for (const entry of props.resolvers) {
      const code = Code.fromInline(bundleAppSyncCode(entry.code));
      const common = {
        typeName: entry.typeName,
        fieldName: entry.fieldName,
        runtime: FunctionRuntime.JS_1_0_0,
        code,
      };
      if (entry.kind === 'unit') {
        dataSource(entry.dataSource).createResolver(`${entry.typeName}${entry.fieldName}Resolver`, common);
      } else {
        this.api.createResolver(`${entry.typeName}${entry.fieldName}Resolver`, {
          ...common,
          pipelineConfig: entry.functions.map((name) => functions.get(name)!),
        });
      }
    }
  }
}
