import { cidrToBlockList, numericProblem, wildcardToRegExp } from './operands.js';
import { InvalidEventPatternError, type EventPattern } from './types.js';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);
const fail = (message: string): never => {
  throw new InvalidEventPatternError(message);
};

/** A string operand, or a `{ "equals-ignore-case": string }` for prefix and suffix. */
function checkAffix(op: string, operand: unknown, at: string): void {
  if (typeof operand === 'string') return;
  if (
    isObject(operand) &&
    Object.keys(operand).length === 1 &&
    typeof operand['equals-ignore-case'] === 'string'
  )
    return;
  fail(
    `${op} at ${at} must be a string or {"equals-ignore-case": string}, received ${JSON.stringify(operand)}`,
  );
}

const stringOrStrings = (v: unknown) =>
  typeof v === 'string' || (Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string'));

function checkAnythingBut(operand: unknown, at: string): void {
  if (typeof operand === 'string' || (typeof operand === 'number' && Number.isFinite(operand))) return;
  if (Array.isArray(operand)) {
    if (
      operand.length > 0 &&
      (operand.every((v) => typeof v === 'string') || operand.every((v) => typeof v === 'number'))
    )
      return;
    fail(
      `anything-but list at ${at} must contain only strings or only numbers, received ${JSON.stringify(operand)}`,
    );
  }
  if (isObject(operand) && Object.keys(operand).length === 1) {
    const [key, inner] = Object.entries(operand)[0]!;
    // The docs: anything-but prefix and suffix take a single string, not a list.
    if ((key === 'prefix' || key === 'suffix') && typeof inner === 'string') return;
    if (key === 'equals-ignore-case' && stringOrStrings(inner)) return;
    if (key === 'wildcard' && stringOrStrings(inner)) {
      for (const w of typeof inner === 'string' ? [inner] : (inner as string[])) {
        const re = wildcardToRegExp(w);
        if (typeof re === 'string') fail(`${re} at ${at}`);
      }
      return;
    }
  }
  fail(
    `anything-but at ${at} must be a string, number, list of strings or numbers, or one of prefix, suffix, wildcard, equals-ignore-case; received ${JSON.stringify(operand)}`,
  );
}

function checkOperator(matcher: Record<string, unknown>, at: string): void {
  const keys = Object.keys(matcher);
  if (keys.length !== 1)
    fail(`a matcher object at ${at} must have exactly one operator, received ${JSON.stringify(matcher)}`);
  const op = keys[0]!;
  const operand = matcher[op];
  switch (op) {
    case 'prefix':
    case 'suffix':
      return checkAffix(op, operand, at);
    case 'equals-ignore-case':
      if (typeof operand !== 'string') fail(`equals-ignore-case at ${at} must be a string`);
      return;
    case 'wildcard': {
      if (typeof operand !== 'string') fail(`wildcard at ${at} must be a string`);
      const re = wildcardToRegExp(operand as string);
      if (typeof re === 'string') fail(`${re} at ${at}`);
      return;
    }
    case 'anything-but':
      return checkAnythingBut(operand, at);
    case 'numeric': {
      const problem = numericProblem(operand);
      if (problem) fail(`${problem} at ${at}`);
      return;
    }
    case 'exists':
      if (typeof operand !== 'boolean') fail(`exists at ${at} must be true or false`);
      return;
    case 'cidr': {
      const list = typeof operand === 'string' ? cidrToBlockList(operand) : 'cidr must be a string';
      if (typeof list === 'string') fail(`${list} at ${at}`);
      return;
    }
    default:
      fail(`unrecognized match type ${op} at ${at}`);
  }
}

function checkNode(node: unknown, at: string): void {
  if (!isObject(node)) fail(`${at} must be a JSON object, received ${JSON.stringify(node)}`);
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    const path = at === '$' ? key : `${at}.${key}`;
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2 || !value.every(isObject)) {
        fail(`$or at ${at} must be an array of at least two pattern objects`);
      }
      (value as unknown[]).forEach((alt, i) => checkNode(alt, `${path}[${i}]`));
    } else if (Array.isArray(value)) {
      value.forEach((m) =>
        isScalar(m)
          ? undefined
          : isObject(m)
            ? checkOperator(m, path)
            : fail(`${path} contains a nested array`),
      );
    } else if (isObject(value)) {
      checkNode(value, path);
    } else {
      fail(`${path} must be an object or an array, received ${JSON.stringify(value)}`);
    }
  }
}

/**
 * Throws InvalidEventPatternError, naming the offending field and what was received, unless `pattern`
 * is a well-formed EventBridge event pattern. Rules and Pipes call it once when they are configured.
 */
export function validatePattern(pattern: unknown): asserts pattern is EventPattern {
  checkNode(pattern, '$');
}
