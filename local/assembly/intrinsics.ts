/**
 * CloudFormation intrinsic functions, evaluated against a scope that knows the stack's resources,
 * parameters, conditions and exports. Pure: the scope decides what a Ref or GetAtt means locally.
 */
import { LOCAL_REGION } from '../aws-ids.js';

/** What AWS::NoValue evaluates to; removed from the enclosing object or list. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

/** What an intrinsic needs to know about the stack it is evaluated in. */
export interface IntrinsicScope {
  /** Stack name, for error messages. */
  readonly stack: string;
  /** Logical id (or `Outputs.X`) being resolved, for error messages. */
  readonly where: string;
  /** Ref of a parameter, pseudo parameter or resource. */
  ref(name: string): unknown;
  /** Fn::GetAtt of a resource attribute. */
  getAtt(logicalId: string, attribute: string): unknown;
  /** Fn::ImportValue of an export name. */
  importValue(name: string): unknown;
  /** The value of a named condition. */
  condition(name: string): boolean;
  /** Fn::FindInMap. */
  findInMap(map: string, topKey: string, secondKey: string): unknown;
}

/** An intrinsic the loader cannot evaluate, or one used wrongly; names the stack and the logical id. */
export class IntrinsicError extends Error {
  constructor(scope: Pick<IntrinsicScope, 'stack' | 'where'>, message: string) {
    super(`${message} (stack ${scope.stack}, ${scope.where})`);
    this.name = 'IntrinsicError';
  }
}

type Json = unknown;
type Handler = (arg: Json, scope: IntrinsicScope) => Json;

/** The availability zones Fn::GetAZs returns locally. */
export const LOCAL_AZS = [`${LOCAL_REGION}a`, `${LOCAL_REGION}b`, `${LOCAL_REGION}c`];

const handlers: Record<string, Handler> = {
  Ref: (arg, scope) => scope.ref(asString(evaluate(arg, scope), scope, 'Ref')),
  'Fn::GetAtt': (arg, scope) => {
    const [id, attr] = getAttArgs(arg, scope);
    return scope.getAtt(id, attr);
  },
  'Fn::Join': (arg, scope) => {
    const [delimiter, list] = tuple(arg, 2, scope, 'Fn::Join');
    const items = asList(evaluate(list, scope), scope, 'Fn::Join');
    return items.map((i) => stringify(i, scope, 'Fn::Join')).join(asString(delimiter, scope, 'Fn::Join'));
  },
  'Fn::Sub': (arg, scope) => {
    const [template, vars] = typeof arg === 'string' ? [arg, {}] : tuple(arg, 2, scope, 'Fn::Sub');
    const values = Object.fromEntries(
      Object.entries((vars ?? {}) as Record<string, Json>).map(([k, v]) => [k, evaluate(v, scope)]),
    );
    return substitute(asString(template, scope, 'Fn::Sub'), values, scope);
  },
  'Fn::Select': (arg, scope) => {
    const [index, list] = tuple(arg, 2, scope, 'Fn::Select');
    const i = Number(evaluate(index, scope));
    const items = asList(evaluate(list, scope), scope, 'Fn::Select');
    if (!Number.isInteger(i) || i < 0 || i >= items.length) {
      throw new IntrinsicError(
        scope,
        `Fn::Select index ${String(index)} is out of range for ${items.length} items`,
      );
    }
    return items[i];
  },
  'Fn::Split': (arg, scope) => {
    const [delimiter, source] = tuple(arg, 2, scope, 'Fn::Split');
    return asString(evaluate(source, scope), scope, 'Fn::Split').split(
      asString(delimiter, scope, 'Fn::Split'),
    );
  },
  'Fn::If': (arg, scope) => {
    const [name, whenTrue, whenFalse] = tuple(arg, 3, scope, 'Fn::If');
    return evaluate(scope.condition(asString(name, scope, 'Fn::If')) ? whenTrue : whenFalse, scope);
  },
  'Fn::Equals': (arg, scope) => {
    const [a, b] = tuple(arg, 2, scope, 'Fn::Equals');
    return JSON.stringify(evaluate(a, scope)) === JSON.stringify(evaluate(b, scope));
  },
  'Fn::Not': (arg, scope) => !evaluateCondition(tuple(arg, 1, scope, 'Fn::Not')[0], scope),
  'Fn::And': (arg, scope) => asList(arg, scope, 'Fn::And').every((c) => evaluateCondition(c, scope)),
  'Fn::Or': (arg, scope) => asList(arg, scope, 'Fn::Or').some((c) => evaluateCondition(c, scope)),
  Condition: (arg, scope) => scope.condition(asString(arg, scope, 'Condition')),
  'Fn::ImportValue': (arg, scope) =>
    scope.importValue(asString(evaluate(arg, scope), scope, 'Fn::ImportValue')),
  'Fn::GetAZs': () => [...LOCAL_AZS],
  'Fn::Base64': (arg, scope) =>
    Buffer.from(asString(evaluate(arg, scope), scope, 'Fn::Base64'), 'utf8').toString('base64'),
  'Fn::FindInMap': (arg, scope) => {
    const [map, top, second] = tuple(arg, 3, scope, 'Fn::FindInMap').map((a) =>
      asString(evaluate(a, scope), scope, 'Fn::FindInMap'),
    ) as [string, string, string];
    return scope.findInMap(map, top, second);
  },
  'Fn::Length': (arg, scope) => asList(evaluate(arg, scope), scope, 'Fn::Length').length,
  'Fn::ToJsonString': (arg, scope) => JSON.stringify(evaluate(arg, scope)),
};

/** Evaluates a template value: intrinsics are replaced by their local values, NO_VALUE entries dropped. */
export function evaluate(value: Json, scope: IntrinsicScope): Json {
  if (Array.isArray(value)) {
    return value.map((v) => evaluate(v, scope)).filter((v) => v !== NO_VALUE);
  }
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  const only = keys.length === 1 ? keys[0]! : undefined;
  // Condition is an intrinsic only inside condition functions; as a plain key it is data (IAM policies).
  if (only && (only === 'Ref' || only.startsWith('Fn::'))) {
    const handler = handlers[only];
    if (!handler) throw new IntrinsicError(scope, `unsupported intrinsic function ${only}`);
    return handler((value as Record<string, Json>)[only], scope);
  }
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(value)) {
    const resolved = evaluate(v, scope);
    if (resolved !== NO_VALUE) out[k] = resolved;
  }
  return out;
}

/** Evaluates a condition expression (a Conditions entry, or an argument of Fn::And/Or/Not). */
export function evaluateCondition(value: Json, scope: IntrinsicScope): boolean {
  if (value && typeof value === 'object' && !Array.isArray(value) && 'Condition' in value) {
    return scope.condition(asString((value as { Condition: Json }).Condition, scope, 'Condition'));
  }
  const result = evaluate(value, scope);
  if (typeof result === 'boolean') return result;
  if (result === 'true' || result === 'false') return result === 'true';
  throw new IntrinsicError(scope, `a condition must evaluate to a boolean, got ${JSON.stringify(result)}`);
}

/** Replaces ${Name}, ${Res.Attr} and ${AWS::Region} in a Fn::Sub template; ${!Literal} stays literal. */
function substitute(template: string, vars: Record<string, Json>, scope: IntrinsicScope): string {
  return template.replace(/\$\{([^}]*)\}/g, (_match, expr: string) => {
    if (expr.startsWith('!')) return `\${${expr.slice(1)}}`;
    const name = expr.trim();
    if (name in vars) return stringify(vars[name], scope, 'Fn::Sub');
    const dot = name.indexOf('.');
    if (dot > 0 && !name.startsWith('AWS::')) {
      return stringify(scope.getAtt(name.slice(0, dot), name.slice(dot + 1)), scope, 'Fn::Sub');
    }
    return stringify(scope.ref(name), scope, 'Fn::Sub');
  });
}

function getAttArgs(arg: Json, scope: IntrinsicScope): [string, string] {
  if (typeof arg === 'string') {
    const dot = arg.indexOf('.');
    if (dot <= 0) throw new IntrinsicError(scope, `Fn::GetAtt expects "LogicalId.Attribute", got "${arg}"`);
    return [arg.slice(0, dot), arg.slice(dot + 1)];
  }
  const [id, attr] = tuple(arg, 2, scope, 'Fn::GetAtt');
  return [asString(id, scope, 'Fn::GetAtt'), asString(evaluate(attr, scope), scope, 'Fn::GetAtt')];
}

function tuple(arg: Json, min: number, scope: IntrinsicScope, fn: string): Json[] {
  if (!Array.isArray(arg) || arg.length < min) {
    throw new IntrinsicError(scope, `${fn} expects a list of ${min} arguments, got ${JSON.stringify(arg)}`);
  }
  return arg;
}

function asList(value: Json, scope: IntrinsicScope, fn: string): Json[] {
  if (!Array.isArray(value))
    throw new IntrinsicError(scope, `${fn} expects a list, got ${JSON.stringify(value)}`);
  return value;
}

function asString(value: Json, scope: IntrinsicScope, fn: string): string {
  if (typeof value !== 'string')
    throw new IntrinsicError(scope, `${fn} expects a string, got ${JSON.stringify(value)}`);
  return value;
}

function stringify(value: Json, scope: IntrinsicScope, fn: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new IntrinsicError(scope, `${fn} can only join strings and numbers, got ${JSON.stringify(value)}`);
}
