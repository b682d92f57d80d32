import {
  executeResolver,
  type InvokeDataSource,
  type ResolveInput,
  type ResolveResult,
} from '../../../../appsync/runtime/index.js';

/** A field input with overridable parts, as the GraphQL layer would build it. */
export function fieldInput(overrides: Partial<ResolveInput> = {}): ResolveInput {
  return {
    typeName: 'Query',
    fieldName: 'getOrder',
    args: { id: 'o-1' },
    source: null,
    identity: null,
    request: { headers: { 'x-tenant': 't-1' }, domainName: null },
    info: {
      fieldName: 'getOrder',
      parentTypeName: 'Query',
      variables: {},
      selectionSetList: ['id', 'total'],
      selectionSetGraphQL: '{\n  id\n  total\n}',
    },
    ...overrides,
  };
}

/** A NONE data source: the request payload comes back as the result. */
export const noneDataSource: InvokeDataSource = async (_name, request) => ({ result: request });

/** Evaluates `expression` inside a resolver's request handler and returns its JSON value. */
export async function evaluate(
  expression: string,
  input: ResolveInput = fieldInput(),
  now?: () => number,
): Promise<unknown> {
  const result = await evaluateRaw(expression, input, now);
  if (result.errors.length > 0) throw new Error(JSON.stringify(result.errors));
  return (result.data as { value: unknown }).value;
}

/** Like evaluate, but returns the whole resolve result (errors included). */
export function evaluateRaw(
  expression: string,
  input: ResolveInput = fieldInput(),
  now?: () => number,
): Promise<ResolveResult> {
  const code = `import { util, runtime, extensions } from '@aws-appsync/utils';
export function request(ctx) { return { value: ${expression} }; }
export function response(ctx) { return ctx.result; }`;
  return executeResolver(
    { kind: 'UNIT', code, dataSource: 'NONE' },
    input,
    noneDataSource,
    now ? { now } : {},
  );
}
