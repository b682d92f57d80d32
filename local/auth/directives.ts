import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { valueFromASTUntyped, type ConstDirectiveNode, type GraphQLSchema } from 'graphql';
import type { AuthMode } from './identity.js';

/**
 * The directives and scalars AppSync defines for every schema, so graphql-js can build an AppSync
 * schema (prepend this to the schema SDL before buildSchema). The runtime's own copy: an app keeps
 * whatever copy its codegen reads, and AppSync's definitions are the same for every app.
 */
export const APPSYNC_DIRECTIVES_SDL = readFileSync(
  fileURLToPath(new URL('./appsync.graphql', import.meta.url)),
  'utf8',
);

const DIRECTIVE_MODES: Record<string, AuthMode> = {
  aws_api_key: 'API_KEY',
  aws_iam: 'AWS_IAM',
  aws_oidc: 'OPENID_CONNECT',
  aws_lambda: 'AWS_LAMBDA',
  aws_cognito_user_pools: 'AMAZON_COGNITO_USER_POOLS',
  aws_auth: 'AMAZON_COGNITO_USER_POOLS',
};

/** Who may resolve a field: the modes, and for Cognito callers the groups. */
export interface FieldAuthRule {
  readonly modes: readonly AuthMode[];
  /** Groups a Cognito caller must be in one of; undefined when any user of the pool qualifies. */
  readonly cognitoGroups?: readonly string[];
  /** Where the rule came from: the field's directives, its type's, or the API's default mode. */
  readonly source: 'field' | 'type' | 'default';
}

function authDirectives(nodes: readonly (readonly ConstDirectiveNode[] | undefined)[]): ConstDirectiveNode[] {
  return nodes.flatMap((list) => (list ?? []).filter((d) => d.name.value in DIRECTIVE_MODES));
}

function ruleFrom(directives: ConstDirectiveNode[], source: FieldAuthRule['source']): FieldAuthRule {
  const modes = [...new Set(directives.map((d) => DIRECTIVE_MODES[d.name.value]!))];
  const cognito = directives.filter((d) => DIRECTIVE_MODES[d.name.value] === 'AMAZON_COGNITO_USER_POOLS');
  const groupLists = cognito.map((d) => {
    const arg = d.arguments?.find((a) => a.name.value === 'cognito_groups');
    const value: unknown = arg ? valueFromASTUntyped(arg.value) : undefined;
    return Array.isArray(value) ? value.map(String) : undefined;
  });
  // A Cognito directive without groups admits every user, so it wins over a sibling that lists groups.
  const cognitoGroups =
    groupLists.length > 0 && groupLists.every((g) => g !== undefined)
      ? [...new Set(groupLists.flat())]
      : undefined;
  return cognitoGroups ? { modes, cognitoGroups, source } : { modes, source };
}

/**
 * The authorization rule of `typeName.fieldName` per AppSync's rules: directives on the field override
 * the type's; with neither, only the API's default mode may resolve it (also when additional modes exist).
 */
export function allowedModes(
  schema: GraphQLSchema,
  typeName: string,
  fieldName: string,
  defaultMode: AuthMode,
): FieldAuthRule {
  const type = schema.getType(typeName);
  if (!type || !('getFields' in type))
    throw new Error(`type ${typeName} is not an object type of the schema`);
  const field = type.getFields()[fieldName];
  if (!field) throw new Error(`field ${fieldName} is not on type ${typeName}`);
  const onField = authDirectives([field.astNode?.directives]);
  if (onField.length > 0) return ruleFrom(onField, 'field');
  const onType = authDirectives([
    type.astNode?.directives,
    ...type.extensionASTNodes.map((n) => n.directives),
  ]);
  if (onType.length > 0) return ruleFrom(onType, 'type');
  return { modes: [defaultMode], source: 'default' };
}

/** The caller as field authorization sees it. */
export interface FieldCaller {
  readonly mode: AuthMode;
  /** The Cognito caller's cognito:groups. */
  readonly cognitoGroups?: readonly string[] | null;
}

/** The error AppSync puts in `errors` (with data null for the field) when a caller may not resolve it. */
export interface FieldAuthError {
  readonly errorType: 'Unauthorized';
  readonly message: string;
}

/** Whether the caller may resolve the field, or the error AppSync answers with. */
export type FieldAuthResult = { readonly ok: true } | { readonly ok: false; readonly error: FieldAuthError };

/** Everything a field authorization decision depends on. */
export interface AuthorizeFieldInput {
  readonly schema: GraphQLSchema;
  readonly typeName: string;
  readonly fieldName: string;
  readonly defaultMode: AuthMode;
  readonly caller: FieldCaller;
  /** The user pool's default action; only meaningful when Cognito is the default mode. @default 'ALLOW' */
  readonly userPoolDefaultAction?: 'ALLOW' | 'DENY';
}

/**
 * Decides whether a caller may resolve a field: the request's mode must be allowed for it, a Cognito
 * caller must be in one of the listed groups, and with default action DENY a Cognito caller needs a
 * directive that lists one of their groups.
 */
export function authorizeField(input: AuthorizeFieldInput): FieldAuthResult {
  const rule = allowedModes(input.schema, input.typeName, input.fieldName, input.defaultMode);
  const denied: FieldAuthResult = {
    ok: false,
    error: {
      errorType: 'Unauthorized',
      message: `Not Authorized to access ${input.fieldName} on type ${input.typeName}`,
    },
  };
  if (!rule.modes.includes(input.caller.mode)) return denied;
  if (input.caller.mode !== 'AMAZON_COGNITO_USER_POOLS') return { ok: true };
  const groups = input.caller.cognitoGroups ?? [];
  if (rule.cognitoGroups) return rule.cognitoGroups.some((g) => groups.includes(g)) ? { ok: true } : denied;
  const denyByDefault =
    input.defaultMode === 'AMAZON_COGNITO_USER_POOLS' && input.userPoolDefaultAction === 'DENY';
  return denyByDefault ? denied : { ok: true };
}
