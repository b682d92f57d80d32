import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  App,
  Aws,
  CfnCondition,
  CfnMapping,
  CfnOutput,
  Duration,
  Fn,
  Stack,
  Token,
  type CfnElement,
} from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as pipes from 'aws-cdk-lib/aws-pipes';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as sqs from 'aws-cdk-lib/aws-sqs';

/** The schema the sample API serves, so tests can compare what the loader reads back. */
export const SAMPLE_SCHEMA = `type Order { id: ID! status: String }
type Query { getOrder(id: ID!): Order }
type Mutation { placeOrder(id: ID!): Order }
schema { query: Query mutation: Mutation }
`;

/** The inline APPSYNC_JS code of the getOrder resolver. */
export const INLINE_RESOLVER_CODE = `export function request(ctx) { return { operation: 'GetItem', key: { pk: { S: ctx.args.id } } }; }
export function response(ctx) { return ctx.result; }
`;

/** The code of the placeOrder resolver, shipped as a file asset (CodeS3Location). */
export const ASSET_RESOLVER_CODE = `export function request(ctx) { return { operation: 'PutItem', key: { pk: { S: ctx.args.id } } }; }
export function response(ctx) { return ctx.result; }
`;

/** The Lambda handler shipped as a directory asset. */
export const HANDLER_CODE = `export const handler = async (event) => ({ ok: true, event });\n`;

/** A synthesized two-stack sample app and the folder it lives in. */
export interface SampleApp {
  /** The cdk.out folder. */
  readonly outdir: string;
  /** Deletes the folders the sample was built in. */
  cleanup(): void;
}

/**
 * Synthesizes a stateful stack (a table with a stream and a GSI) and an API stack that uses it across
 * stacks, shaped like orderloop's own infra: queue + DLQ, asset Lambda, bus + rule, AppSync API with an
 * inline and an asset resolver, a pipe from the table stream to the bus, and a Cognito pool.
 */
export function synthSampleApp(): SampleApp {
  const root = mkdtempSync(join(tmpdir(), 'orderloop-assembly-'));
  const outdir = join(root, 'cdk.out');
  const src = join(root, 'src');
  mkdirSync(join(src, 'handler'), { recursive: true });
  writeFileSync(join(src, 'handler', 'index.mjs'), HANDLER_CODE);
  writeFileSync(join(src, 'Mutation.placeOrder.js'), ASSET_RESOLVER_CODE);

  // The same context `cdk synth` sets: construct paths in templates, and version reporting (whose
  // CDKMetadata resource carries a Condition the loader must evaluate). CDK's built-in CloudFormation
  // validation stays off: it only writes warnings to a report the loader never reads, and its WebAssembly
  // engine costs about 4 s of CPU per worker to create.
  const app = new App({
    outdir,
    analyticsReporting: true,
    context: { 'aws:cdk:enable-path-metadata': true },
    builtinCloudFormationValidation: false,
  });

  // Environment-agnostic, like orderloop's stacks: asset buckets carry ${AWS::AccountId} placeholders.
  const stateful = new Stack(app, 'SampleStateful');
  const table = new dynamodb.Table(stateful, 'Orders', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    timeToLiveAttribute: 'expiresAt',
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
  });
  table.addGlobalSecondaryIndex({
    indexName: 'byStatus',
    partitionKey: { name: 'status', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'createdAt', type: dynamodb.AttributeType.NUMBER },
    projectionType: dynamodb.ProjectionType.KEYS_ONLY,
  });
  table.addLocalSecondaryIndex({
    indexName: 'byVendor',
    sortKey: { name: 'vendorId', type: dynamodb.AttributeType.STRING },
  });
  new dynamodb.Table(stateful, 'Idempotency', {
    tableName: 'sample-idempotency',
    partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PROVISIONED,
    readCapacity: 2,
    writeCapacity: 3,
  });

  const api = new Stack(app, 'SampleApi');
  const dlq = new sqs.Queue(api, 'ConsumerDlq', { retentionPeriod: Duration.days(14) });
  const queue = new sqs.Queue(api, 'Consumer', {
    queueName: 'sample-consumer',
    deadLetterQueue: { queue: dlq, maxReceiveCount: 3 },
  });
  const fn = new lambda.Function(api, 'Processor', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(join(src, 'handler')),
    environment: {
      TABLE_NAME: table.tableName,
      QUEUE_URL: queue.queueUrl,
      STACK_REGION: Fn.sub('${AWS::StackName}/${AWS::Region}'),
    },
  });
  const bus = new events.EventBus(api, 'Bus', { eventBusName: 'sample-bus' });
  new events.Rule(api, 'OrderPlaced', {
    eventBus: bus,
    eventPattern: { source: ['orderloop.orders'], detailType: ['OrderPlaced'] },
    targets: [new targets.LambdaFunction(fn)],
  });

  const userPool = new cognito.UserPool(api, 'Users', { userPoolName: 'sample-users' });
  const client = userPool.addClient('WebClient', { authFlows: { userPassword: true } });
  new cognito.CfnUserPoolGroup(api, 'Vendors', { userPoolId: userPool.userPoolId, groupName: 'vendors' });

  const schemaFile = join(src, 'schema.graphql');
  writeFileSync(schemaFile, SAMPLE_SCHEMA);
  const gql = new appsync.GraphqlApi(api, 'Graphql', {
    name: 'sample-api',
    definition: appsync.Definition.fromFile(schemaFile),
    authorizationConfig: {
      defaultAuthorization: {
        authorizationType: appsync.AuthorizationType.USER_POOL,
        userPoolConfig: { userPool },
      },
      additionalAuthorizationModes: [{ authorizationType: appsync.AuthorizationType.API_KEY }],
    },
  });
  const tableSource = gql.addDynamoDbDataSource('OrdersSource', table);
  tableSource.createResolver('GetOrder', {
    typeName: 'Query',
    fieldName: 'getOrder',
    runtime: appsync.FunctionRuntime.JS_1_0_0,
    code: appsync.Code.fromInline(INLINE_RESOLVER_CODE),
  });
  tableSource.createResolver('PlaceOrder', {
    typeName: 'Mutation',
    fieldName: 'placeOrder',
    runtime: appsync.FunctionRuntime.JS_1_0_0,
    code: appsync.Code.fromAsset(join(src, 'Mutation.placeOrder.js')),
  });

  const pipeRole = new iam.Role(api, 'PipeRole', {
    assumedBy: new iam.ServicePrincipal('pipes.amazonaws.com'),
  });
  table.grantStreamRead(pipeRole);
  bus.grantPutEventsTo(pipeRole);
  new pipes.CfnPipe(api, 'OrdersPipe', {
    roleArn: pipeRole.roleArn,
    source: table.tableStreamArn!,
    sourceParameters: {
      dynamoDbStreamParameters: { startingPosition: 'LATEST', batchSize: 10 },
      filterCriteria: { filters: [{ pattern: JSON.stringify({ eventName: ['INSERT'] }) }] },
    },
    target: bus.eventBusArn,
    targetParameters: {
      eventBridgeEventBusParameters: { source: 'orderloop.orders', detailType: 'OrderPlaced' },
    },
  });

  // A schema shipped as an S3 asset (DefinitionS3Location) rather than inline.
  const schemaAsset = new s3assets.Asset(api, 'SchemaAsset', { path: schemaFile });
  const rawApi = new appsync.CfnGraphQLApi(api, 'RawApi', {
    name: 'sample-raw',
    authenticationType: 'API_KEY',
  });
  new appsync.CfnGraphQLSchema(api, 'RawSchema', {
    apiId: rawApi.attrApiId,
    definitionS3Location: schemaAsset.s3ObjectUrl,
  });

  const never = new CfnCondition(api, 'Never', {
    expression: Fn.conditionNot(Fn.conditionEquals(Aws.REGION, 'us-east-1')),
  });
  new CfnCondition(api, 'InUsEast1', { expression: Fn.conditionEquals(Aws.REGION, 'us-east-1') });
  new sqs.CfnQueue(api, 'Skipped').cfnOptions.condition = never;
  const sizes = new CfnMapping(api, 'Sizes', { mapping: { 'us-east-1': { memory: '256' } } });
  const queueId = api.resolve(api.getLogicalId(queue.node.defaultChild as CfnElement)) as string;

  new CfnOutput(api, 'GraphqlUrl', { value: gql.graphqlUrl });
  new CfnOutput(api, 'RealtimeUrl', {
    value: (gql.node.defaultChild as appsync.CfnGraphQLApi).attrRealtimeUrl,
  });
  new CfnOutput(api, 'Region', { value: Fn.conditionIf('InUsEast1', 'local', 'elsewhere').toString() });
  new CfnOutput(api, 'Memory', { value: sizes.findInMap(Aws.REGION, 'memory') });
  new CfnOutput(api, 'ArnPart', { value: Fn.select(5, Fn.split(':', bus.eventBusArn)) });
  new CfnOutput(api, 'FirstAz', { value: Fn.select(0, Fn.getAzs()) });
  new CfnOutput(api, 'Encoded', { value: Fn.base64(queue.queueName) });
  new CfnOutput(api, 'SubForms', {
    value: Token.asString({
      'Fn::Sub': [`\${${queueId}.QueueName}/\${Where}/\${!Literal}`, { Where: Aws.REGION }],
    }),
  });
  new CfnOutput(api, 'UserPoolClientId', { value: client.userPoolClientId });
  new CfnOutput(api, 'Joined', { value: Fn.join(':', [bus.eventBusName, queue.queueName]) });

  app.synth();
  return { outdir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
