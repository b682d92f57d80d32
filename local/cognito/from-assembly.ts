import type { Assembly, LoadedResource } from '../assembly/index.js';
import { STANDARD_ATTRIBUTES, type UserPoolConfig, type UserPoolTriggerConfig } from './config.js';

type Props = Record<string, unknown>;

const record = (value: unknown): Props =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Props) : {};
const strings = (value: unknown): string[] | undefined =>
  Array.isArray(value) ? value.map(String) : undefined;

/**
 * The template's user pools, app clients and groups as the local Cognito's plain config, with the
 * settings the local Cognito enforces: AllowAdminCreateUserOnly, the attribute schema (custom and
 * immutable attributes), the clients' WriteAttributes and the pre token generation trigger.
 */
export function userPoolsOf(assembly: Assembly): UserPoolConfig[] {
  const ofPool = (r: LoadedResource) => String(r.properties.UserPoolId);
  return assembly.resources('AWS::Cognito::UserPool').map((pool) => {
    const schema: Props[] = (
      Array.isArray(pool.properties.Schema) ? (pool.properties.Schema as unknown[]) : []
    ).map(record);
    // Schema names custom attributes without their prefix; anything not standard is custom.
    const attributeName = (name: string) =>
      STANDARD_ATTRIBUTES.includes(name) || name === 'sub' ? name : `custom:${name}`;
    const trigger = preTokenGeneration(record(pool.properties.LambdaConfig));
    return {
      userPoolId: pool.ref,
      ...(pool.properties.UserPoolName ? { name: String(pool.properties.UserPoolName) } : {}),
      allowAdminCreateUserOnly:
        record(pool.properties.AdminCreateUserConfig)['AllowAdminCreateUserOnly'] === true,
      customAttributes: schema
        .map((a) => attributeName(String(a['Name'])))
        .filter((n) => n.startsWith('custom:')),
      // CloudFormation's Mutable defaults to true when a schema entry leaves it out.
      immutableAttributes: schema
        .filter((a) => a['Mutable'] === false)
        .map((a) => attributeName(String(a['Name']))),
      ...(trigger ? { preTokenGeneration: trigger } : {}),
      clients: assembly
        .resources('AWS::Cognito::UserPoolClient')
        .filter((c) => ofPool(c) === pool.ref)
        .map((c) => {
          const flows = strings(c.properties.ExplicitAuthFlows);
          const writeAttributes = strings(c.properties.WriteAttributes);
          return {
            clientId: c.ref,
            ...(c.properties.ClientName ? { name: String(c.properties.ClientName) } : {}),
            ...(flows ? { explicitAuthFlows: flows } : {}),
            ...(writeAttributes ? { writeAttributes } : {}),
          };
        }),
      groups: assembly
        .resources('AWS::Cognito::UserPoolGroup')
        .filter((g) => ofPool(g) === pool.ref)
        .map((g) => ({
          name: String(g.properties.GroupName ?? g.physicalName),
          ...(typeof g.properties.Precedence === 'number' ? { precedence: g.properties.Precedence } : {}),
        })),
    };
  });
}

/** LambdaConfig.PreTokenGenerationConfig, or the older PreTokenGeneration ARN (a V1_0 trigger). */
function preTokenGeneration(lambdaConfig: Props): UserPoolTriggerConfig | undefined {
  const config = record(lambdaConfig['PreTokenGenerationConfig']);
  if (typeof config['LambdaArn'] === 'string') {
    const version = config['LambdaVersion'];
    return {
      lambdaArn: config['LambdaArn'],
      ...(version === 'V1_0' || version === 'V2_0' || version === 'V3_0' ? { lambdaVersion: version } : {}),
    };
  }
  const legacy = lambdaConfig['PreTokenGeneration'];
  return typeof legacy === 'string' ? { lambdaArn: legacy, lambdaVersion: 'V1_0' } : undefined;
}
