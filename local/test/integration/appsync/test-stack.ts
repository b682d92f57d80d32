import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';

/** A small API that is not orderloop's: Cognito default auth plus API key and IAM, one table, a NONE source. */
export const TEST_SCHEMA = /* GraphQL */ `
  type Item @aws_api_key @aws_iam @aws_cognito_user_pools {
    id: ID!
    name: String
    priority: Int
    owner: String
    secret: String @aws_cognito_user_pools(cognito_groups: ["admins"])
    createdAt: AWSDateTime
    meta: AWSJSON
    child: Item
  }
  input ItemInput {
    id: ID!
    name: String
    priority: Int
    owner: String
    secret: String
    createdAt: AWSDateTime
    meta: AWSJSON
  }
  type Query {
    getItem(id: ID!): Item @aws_api_key @aws_iam @aws_cognito_user_pools
    whoami: String @aws_api_key @aws_iam @aws_cognito_user_pools
    adminNote: String @aws_cognito_user_pools(cognito_groups: ["admins"])
  }
  type Mutation {
    putItem(input: ItemInput!): Item @aws_api_key @aws_iam @aws_cognito_user_pools
    revoke(owner: String!): String @aws_iam
  }
  type Subscription {
    onPutItem(owner: String): Item @aws_subscribe(mutations: ["putItem"]) @aws_api_key @aws_cognito_user_pools
    onPriority(min: Int!): Item @aws_subscribe(mutations: ["putItem"]) @aws_api_key
    onAdminItem: Item
      @aws_subscribe(mutations: ["putItem"])
      @aws_cognito_user_pools(cognito_groups: ["admins"])
  }
`;

const PUT_ITEM = `import { util } from '@aws-appsync/utils';
export function request(ctx) {
  const { id, ...rest } = ctx.args.input;
  return { operation: 'PutItem', key: util.dynamodb.toMapValues({ id }), attributeValues: util.dynamodb.toMapValues(rest) };
}
export function response(ctx) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  return ctx.result;
}`;

const GET_ITEM = `import { util } from '@aws-appsync/utils';
export function request(ctx) { return { operation: 'GetItem', key: util.dynamodb.toMapValues({ id: ctx.args.id }) }; }
export function response(ctx) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  return ctx.result;
}`;

const WHOAMI = `import { util } from '@aws-appsync/utils';
export function request(ctx) { return { payload: null }; }
export function response(ctx) {
  const who = ctx.identity ? (ctx.identity.username ?? ctx.identity.userArn) : 'anonymous';
  return util.authType() + '|' + who + '|' + ctx.info.selectionSetList.length + '|' + ctx.request.headers['x-test'];
}`;

const ON_PRIORITY = `import { util, extensions } from '@aws-appsync/utils';
export function request(ctx) { return { payload: null }; }
export function response(ctx) {
  extensions.setSubscriptionFilter(util.transform.toSubscriptionFilter({ priority: { ge: ctx.args.min } }));
  return null;
}`;

const ON_PUT_ITEM = `import { util, extensions } from '@aws-appsync/utils';
export function request(ctx) { return { payload: null }; }
export function response(ctx) {
  extensions.setSubscriptionInvalidationFilter(util.transform.toSubscriptionFilter({ owner: { eq: ctx.args.owner } }));
  return null;
}`;

const REVOKE = `import { extensions } from '@aws-appsync/utils';
export function request(ctx) { return { payload: null }; }
export function response(ctx) {
  extensions.invalidateSubscriptions({ subscriptionField: 'onPutItem', payload: { owner: ctx.args.owner } });
  return ctx.args.owner;
}`;

/** The synthesized test app. */
export interface TestApp {
  readonly outdir: string;
  cleanup(): void;
}

/** Synthesizes the test stack into a temporary cdk.out. */
export function synthTestApp(): TestApp {
  const root = mkdtempSync(join(tmpdir(), 'orderloop-appsync-'));
  const outdir = join(root, 'cdk.out');
  const app = new App({ outdir });
  const stack = new Stack(app, 'AppSyncServerTest');
  const table = new dynamodb.Table(stack, 'Items', {
    partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
  });
  const pool = new cognito.UserPool(stack, 'Users');
  pool.addClient('Web', { authFlows: { userPassword: true } });
  new cognito.CfnUserPoolGroup(stack, 'Admins', { userPoolId: pool.userPoolId, groupName: 'admins' });
  const api = new appsync.GraphqlApi(stack, 'Api', {
    name: 'appsync-server-test',
    definition: appsync.Definition.fromSchema(appsync.SchemaFile.fromAsset(writeSchema(root))),
    authorizationConfig: {
      defaultAuthorization: {
        authorizationType: appsync.AuthorizationType.USER_POOL,
        userPoolConfig: { userPool: pool },
      },
      additionalAuthorizationModes: [
        { authorizationType: appsync.AuthorizationType.API_KEY },
        { authorizationType: appsync.AuthorizationType.IAM },
      ],
    },
    queryDepthLimit: 2,
  });
  const items = api.addDynamoDbDataSource('ItemsSource', table);
  const none = api.addNoneDataSource('NoneSource');
  const js = appsync.FunctionRuntime.JS_1_0_0;
  const unit = (
    id: string,
    typeName: string,
    fieldName: string,
    source: appsync.BaseDataSource,
    code: string,
  ) => source.createResolver(id, { typeName, fieldName, runtime: js, code: appsync.Code.fromInline(code) });
  unit('PutItem', 'Mutation', 'putItem', items, PUT_ITEM);
  unit('Revoke', 'Mutation', 'revoke', none, REVOKE);
  unit('OnPriority', 'Subscription', 'onPriority', none, ON_PRIORITY);
  unit('OnPutItem', 'Subscription', 'onPutItem', none, ON_PUT_ITEM);
  // getItem is a pipeline of one function, so PipelineConfig and FunctionConfiguration are read too.
  const getFn = new appsync.AppsyncFunction(stack, 'GetItemFn', {
    api,
    name: 'getItemFn',
    dataSource: items,
    runtime: js,
    code: appsync.Code.fromInline(GET_ITEM),
  });
  new appsync.Resolver(stack, 'GetItem', {
    api,
    typeName: 'Query',
    fieldName: 'getItem',
    runtime: js,
    pipelineConfig: [getFn],
    code: appsync.Code.fromInline(
      'export function request(ctx) { return {}; }\nexport function response(ctx) { return ctx.prev.result; }',
    ),
  });
  unit('Whoami', 'Query', 'whoami', none, WHOAMI);
  app.synth();
  return { outdir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

function writeSchema(root: string): string {
  const path = join(root, 'schema.graphql');
  writeFileSync(path, TEST_SCHEMA);
  return path;
}
