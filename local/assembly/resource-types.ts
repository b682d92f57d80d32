/**
 * What Ref and Fn::GetAtt return for each resource type, following each type's "Return values" section in
 * the CloudFormation template reference, with local ids and ARNs from aws-ids.ts so every component agrees.
 */
import { createHash } from 'node:crypto';
import {
  eventBusArn,
  functionArn,
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  localArn,
  queueArn,
  tableArn,
  topicArn,
} from '../aws-ids.js';
import type { LocalEndpoints } from './types.js';

/** What a type rule may read about one resource. */
export interface ResourceFacts {
  readonly stack: string;
  readonly logicalId: string;
  readonly physicalName: string;
  readonly endpoints: LocalEndpoints;
  /** A resolved property, read only when the rule needs it. */
  prop(name: string): unknown;
  /** Whether the raw template sets the property. */
  has(name: string): boolean;
}

type Value = (f: ResourceFacts) => string | undefined;

/** How one resource type names itself and answers Ref and GetAtt. */
export interface TypeRule {
  /** The property holding an explicit physical name. */
  readonly nameProperty?: string;
  /** The longest name AWS accepts, so generated names stay valid. @default 255 */
  readonly maxNameLength?: number;
  /** Names AWS requires in lower case (S3 buckets). */
  readonly lowercase?: boolean;
  /** A suffix a generated name must keep (FIFO queues end in .fifo). */
  readonly nameSuffix?: (f: ResourceFacts) => string;
  readonly ref: (f: ResourceFacts) => string;
  readonly arn?: (f: ResourceFacts) => string;
  /** GetAtt attributes; a value of undefined means the attribute does not exist for this resource. */
  readonly attributes: Record<string, Value>;
}

/** A stable id derived from the resource identity: the same cdk.out always yields the same ids. */
export function stableId(
  seed: string,
  length: number,
  alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789',
): string {
  const bytes = createHash('sha256').update(seed).digest();
  let out = '';
  for (let i = 0; out.length < length; i++) out += alphabet[bytes[i % bytes.length]! % alphabet.length];
  return out;
}

const seed = (f: ResourceFacts, kind: string) => `${kind}:${f.stack}/${f.logicalId}`;
const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));

const appsyncArn = (resource: string) => localArn('appsync', `apis/${resource}`);
const graphqlApiId = (f: ResourceFacts) => stableId(seed(f, 'appsync-api'), 26);
const userPoolId = (f: ResourceFacts) =>
  `${LOCAL_REGION}_${stableId(seed(f, 'user-pool'), 9, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')}`;
const userPoolClientId = (f: ResourceFacts) => stableId(seed(f, 'user-pool-client'), 26);
const queueUrl = (f: ResourceFacts) =>
  `${(f.endpoints.awsEndpoint ?? `https://sqs.${LOCAL_REGION}.amazonaws.com`).replace(/\/$/, '')}/${LOCAL_ACCOUNT}/${f.physicalName}`;
const hostOf = (url: string) => new URL(url).host;
const graphqlUrl = (f: ResourceFacts) =>
  f.endpoints.graphqlUrl ?? `https://${graphqlApiId(f)}.appsync-api.${LOCAL_REGION}.amazonaws.com/graphql`;
const realtimeUrl = (f: ResourceFacts) =>
  f.endpoints.realtimeUrl ??
  `wss://${graphqlApiId(f)}.appsync-realtime-api.${LOCAL_REGION}.amazonaws.com/graphql`;
/** Until DynamoDB Local reports the real one (see setAttribute), the stream ARN has AWS's shape. */
const placeholderStreamArn = (f: ResourceFacts) =>
  f.has('StreamSpecification') ? `${tableArn(f.physicalName)}/stream/1970-01-01T00:00:00.000` : undefined;
const ruleBus = (f: ResourceFacts) => {
  const bus = str(f.prop('EventBusName'));
  // EventBusName may be a name or an ARN; the rule ARN and Ref use the name.
  return bus?.startsWith('arn:') ? bus.slice(bus.indexOf('/') + 1) : bus;
};

const table: TypeRule = {
  nameProperty: 'TableName',
  ref: (f) => f.physicalName,
  arn: (f) => tableArn(f.physicalName),
  attributes: { Arn: (f) => tableArn(f.physicalName), StreamArn: placeholderStreamArn },
};

const rules: Record<string, TypeRule> = {
  'AWS::DynamoDB::Table': table,
  'AWS::DynamoDB::GlobalTable': {
    ...table,
    attributes: { ...table.attributes, TableId: (f) => stableId(seed(f, 'table-id'), 36) },
  },
  // Ref of a queue is its URL, not its name.
  'AWS::SQS::Queue': {
    nameProperty: 'QueueName',
    maxNameLength: 80,
    nameSuffix: (f) => (f.prop('FifoQueue') === true || f.prop('FifoQueue') === 'true' ? '.fifo' : ''),
    ref: queueUrl,
    arn: (f) => queueArn(f.physicalName),
    attributes: {
      Arn: (f) => queueArn(f.physicalName),
      QueueName: (f) => f.physicalName,
      QueueUrl: queueUrl,
    },
  },
  'AWS::Lambda::Function': {
    nameProperty: 'FunctionName',
    maxNameLength: 64,
    ref: (f) => f.physicalName,
    arn: (f) => functionArn(f.physicalName),
    attributes: { Arn: (f) => functionArn(f.physicalName) },
  },
  'AWS::Lambda::EventSourceMapping': {
    ref: (f) => stableUuid(f),
    arn: (f) => localArn('lambda', `event-source-mapping:${stableUuid(f)}`),
    attributes: {
      Id: (f) => stableUuid(f),
      EventSourceMappingArn: (f) => localArn('lambda', `event-source-mapping:${stableUuid(f)}`),
    },
  },
  'AWS::Events::EventBus': {
    nameProperty: 'Name',
    ref: (f) => f.physicalName,
    arn: (f) => eventBusArn(f.physicalName),
    attributes: { Arn: (f) => eventBusArn(f.physicalName), Name: (f) => f.physicalName },
  },
  // Ref of a rule on a custom bus is "bus|rule" (what CloudFormation returns in practice, see
  // aws-cloudformation/cloudformation-coverage-roadmap#1131); on the default bus it is the rule name.
  'AWS::Events::Rule': {
    nameProperty: 'Name',
    maxNameLength: 64,
    ref: (f) => {
      const bus = ruleBus(f);
      return bus && bus !== 'default' ? `${bus}|${f.physicalName}` : f.physicalName;
    },
    arn: ruleArn,
    attributes: { Arn: ruleArn },
  },
  'AWS::SNS::Topic': {
    nameProperty: 'TopicName',
    nameSuffix: (f) => (f.prop('FifoTopic') === true || f.prop('FifoTopic') === 'true' ? '.fifo' : ''),
    ref: (f) => topicArn(f.physicalName),
    arn: (f) => topicArn(f.physicalName),
    attributes: { TopicArn: (f) => topicArn(f.physicalName), TopicName: (f) => f.physicalName },
  },
  'AWS::Pipes::Pipe': {
    nameProperty: 'Name',
    maxNameLength: 64,
    ref: (f) => f.physicalName,
    arn: (f) => localArn('pipes', `pipe/${f.physicalName}`),
    attributes: {
      Arn: (f) => localArn('pipes', `pipe/${f.physicalName}`),
      CurrentState: () => 'RUNNING',
      StateReason: () => '',
      CreationTime: () => '1970-01-01T00:00:00.000Z',
      LastModifiedTime: () => '1970-01-01T00:00:00.000Z',
    },
  },
  // Ref of a user pool is its id; the name is only a property.
  'AWS::Cognito::UserPool': {
    nameProperty: 'UserPoolName',
    maxNameLength: 128,
    ref: userPoolId,
    arn: (f) => localArn('cognito-idp', `userpool/${userPoolId(f)}`),
    attributes: {
      Arn: (f) => localArn('cognito-idp', `userpool/${userPoolId(f)}`),
      UserPoolId: userPoolId,
      ProviderName: (f) => `cognito-idp.${LOCAL_REGION}.amazonaws.com/${userPoolId(f)}`,
      ProviderURL: (f) => `https://cognito-idp.${LOCAL_REGION}.amazonaws.com/${userPoolId(f)}`,
    },
  },
  'AWS::Cognito::UserPoolClient': {
    nameProperty: 'ClientName',
    maxNameLength: 128,
    ref: userPoolClientId,
    attributes: {
      ClientId: userPoolClientId,
      Name: (f) => f.physicalName,
      ClientSecret: (f) =>
        f.prop('GenerateSecret') === true || f.prop('GenerateSecret') === 'true'
          ? stableId(seed(f, 'client-secret'), 51)
          : undefined,
    },
  },
  'AWS::Cognito::UserPoolGroup': { nameProperty: 'GroupName', ref: (f) => f.physicalName, attributes: {} },
  // Ref of a GraphQL API is its ARN (the template reference, AWS::AppSync::GraphQLApi "Return values").
  'AWS::AppSync::GraphQLApi': {
    nameProperty: 'Name',
    ref: (f) => appsyncArn(graphqlApiId(f)),
    arn: (f) => appsyncArn(graphqlApiId(f)),
    attributes: {
      ApiId: graphqlApiId,
      Arn: (f) => appsyncArn(graphqlApiId(f)),
      GraphQLUrl: graphqlUrl,
      GraphQLDns: (f) => hostOf(graphqlUrl(f)),
      RealtimeUrl: realtimeUrl,
      RealtimeDns: (f) => hostOf(realtimeUrl(f)),
      GraphQLEndpointArn: (f) => appsyncArn(graphqlApiId(f)),
    },
  },
  'AWS::AppSync::ApiKey': {
    ref: apiKeyArn,
    arn: apiKeyArn,
    attributes: { ApiKey: apiKeyValue, ApiKeyId: apiKeyValue, Arn: apiKeyArn },
  },
  'AWS::AppSync::DataSource': {
    nameProperty: 'Name',
    ref: dataSourceArn,
    arn: dataSourceArn,
    attributes: { DataSourceArn: dataSourceArn, Name: (f) => f.physicalName },
  },
  'AWS::AppSync::Resolver': {
    ref: resolverArn,
    arn: resolverArn,
    attributes: {
      ResolverArn: resolverArn,
      TypeName: (f) => str(f.prop('TypeName')),
      FieldName: (f) => str(f.prop('FieldName')),
    },
  },
  'AWS::AppSync::FunctionConfiguration': {
    nameProperty: 'Name',
    ref: functionConfigurationArn,
    arn: functionConfigurationArn,
    attributes: {
      FunctionArn: functionConfigurationArn,
      FunctionId: (f) => stableId(seed(f, 'appsync-function'), 26),
      Name: (f) => f.physicalName,
      DataSourceName: (f) => str(f.prop('DataSourceName')),
    },
  },
  'AWS::IAM::Role': {
    nameProperty: 'RoleName',
    maxNameLength: 64,
    ref: (f) => f.physicalName,
    arn: roleArn,
    attributes: {
      Arn: roleArn,
      RoleId: (f) => `AROA${stableId(seed(f, 'role'), 17, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`,
    },
  },
  'AWS::Logs::LogGroup': {
    nameProperty: 'LogGroupName',
    maxNameLength: 512,
    ref: (f) => f.physicalName,
    arn: (f) => localArn('logs', `log-group:${f.physicalName}:*`),
    attributes: { Arn: (f) => localArn('logs', `log-group:${f.physicalName}:*`) },
  },
  'AWS::S3::Bucket': {
    nameProperty: 'BucketName',
    maxNameLength: 63,
    lowercase: true,
    ref: (f) => f.physicalName,
    arn: (f) => `arn:aws:s3:::${f.physicalName}`,
    attributes: {
      Arn: (f) => `arn:aws:s3:::${f.physicalName}`,
      DomainName: (f) => `${f.physicalName}.s3.amazonaws.com`,
      RegionalDomainName: (f) => `${f.physicalName}.s3.${LOCAL_REGION}.amazonaws.com`,
    },
  },
  'AWS::SSM::Parameter': {
    nameProperty: 'Name',
    ref: (f) => f.physicalName,
    attributes: { Type: (f) => str(f.prop('Type')), Value: (f) => str(f.prop('Value')) },
  },
};

/** Types the loader has no table for: Ref is the physical name, and only patched attributes exist. */
const generic: TypeRule = { ref: (f) => f.physicalName, attributes: {} };

/** The Ref/GetAtt rule of a resource type. */
export function ruleFor(type: string): TypeRule {
  return rules[type] ?? generic;
}

/** Whether the loader knows how this type answers Ref and GetAtt. */
export function isKnownType(type: string): boolean {
  return type in rules;
}

function stableUuid(f: ResourceFacts): string {
  const h = stableId(seed(f, 'uuid'), 32, '0123456789abcdef');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function ruleArn(f: ResourceFacts): string {
  const bus = ruleBus(f);
  return localArn(
    'events',
    bus && bus !== 'default' ? `rule/${bus}/${f.physicalName}` : `rule/${f.physicalName}`,
  );
}

function roleArn(f: ResourceFacts): string {
  const path = str(f.prop('Path')) ?? '/';
  // IAM is global: its ARNs carry no region.
  return `arn:aws:iam::${LOCAL_ACCOUNT}:role${path}${f.physicalName}`;
}

function apiIdProp(f: ResourceFacts): string {
  return str(f.prop('ApiId')) ?? 'unknown-api';
}

function apiKeyValue(f: ResourceFacts): string {
  return `da2-${stableId(seed(f, 'api-key'), 26)}`;
}

function apiKeyArn(f: ResourceFacts): string {
  return appsyncArn(`${apiIdProp(f)}/apikeys/${apiKeyValue(f)}`);
}

function dataSourceArn(f: ResourceFacts): string {
  return appsyncArn(`${apiIdProp(f)}/datasources/${f.physicalName}`);
}

function resolverArn(f: ResourceFacts): string {
  return appsyncArn(`${apiIdProp(f)}/types/${str(f.prop('TypeName'))}/resolvers/${str(f.prop('FieldName'))}`);
}

function functionConfigurationArn(f: ResourceFacts): string {
  return appsyncArn(`${apiIdProp(f)}/functions/${stableId(seed(f, 'appsync-function'), 26)}`);
}
