import type { BlockList } from 'node:net';
import { cidrToBlockList, inCidr, numericMatches, wildcardToRegExp } from './operands.js';
import type { AnythingBut, EventPattern, PatternMatcher } from './types.js';

export { validatePattern } from './validate.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const regexCache = new Map<string, RegExp>();
const cidrCache = new Map<string, BlockList>();

function wildcard(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (!re) {
    const compiled = wildcardToRegExp(pattern);
    // An invalid wildcard matches nothing; validatePattern is where it gets reported.
    re = typeof compiled === 'string' ? /(?!)/ : compiled;
    regexCache.set(pattern, re);
  }
  return re;
}

function cidr(block: string): BlockList | undefined {
  let list = cidrCache.get(block);
  if (!list) {
    const parsed = cidrToBlockList(block);
    if (typeof parsed === 'string') return undefined;
    cidrCache.set(block, (list = parsed));
  }
  return list;
}

const lower = (s: string) => s.toLowerCase();

/** prefix / suffix with either a plain string or `{ equals-ignore-case }`. */
function affix(operand: unknown, value: unknown, test: (v: string, a: string) => boolean): boolean {
  if (typeof value !== 'string') return false;
  if (typeof operand === 'string') return test(value, operand);
  const ic = isObject(operand) ? operand['equals-ignore-case'] : undefined;
  return typeof ic === 'string' && test(lower(value), lower(ic));
}

const asList = <T>(v: T | readonly T[]): readonly T[] => (Array.isArray(v) ? v : [v as T]);

/** anything-but: the field must hold a value, and that value must not be what the operand describes. */
function anythingBut(operand: AnythingBut, value: unknown): boolean {
  if (typeof operand === 'string' || typeof operand === 'number' || Array.isArray(operand)) {
    return !asList(operand as string | number).some((excluded) => excluded === value);
  }
  if (typeof value !== 'string') return false;
  const [key, inner] = Object.entries(operand)[0] as [string, string | string[]];
  switch (key) {
    case 'prefix':
      return !value.startsWith(inner as string);
    case 'suffix':
      return !value.endsWith(inner as string);
    case 'equals-ignore-case':
      return !asList(inner).some((s) => lower(s) === lower(value));
    case 'wildcard':
      return !asList(inner).some((w) => wildcard(w).test(value));
    default:
      return false;
  }
}

/** Does one leaf value satisfy one alternative of a field's value array? (exists is handled by the caller) */
function matchesValue(matcher: PatternMatcher, value: unknown): boolean {
  if (!isObject(matcher)) return matcher === value;
  const [op, operand] = Object.entries(matcher)[0] as [string, unknown];
  switch (op) {
    case 'prefix':
      return affix(operand, value, (v, a) => v.startsWith(a));
    case 'suffix':
      return affix(operand, value, (v, a) => v.endsWith(a));
    case 'equals-ignore-case':
      return typeof value === 'string' && lower(value) === lower(operand as string);
    case 'wildcard':
      return typeof value === 'string' && wildcard(operand as string).test(value);
    case 'anything-but':
      return anythingBut(operand as AnythingBut, value);
    case 'numeric':
      return numericMatches(operand as (string | number)[], value);
    case 'cidr': {
      const list = cidr(operand as string);
      return list !== undefined && inCidr(list, value);
    }
    default:
      return false;
  }
}

/**
 * The leaf values a field holds: arrays are flattened (an event array matches when any element does),
 * objects are not leaves and contribute nothing, and a missing field has none.
 */
function leaves(field: unknown, out: unknown[] = []): unknown[] {
  if (field === undefined || isObject(field)) return out;
  if (Array.isArray(field)) field.forEach((item) => leaves(item, out));
  else out.push(field);
  return out;
}

function matchesField(alternatives: readonly PatternMatcher[], field: unknown): boolean {
  const values = leaves(field);
  return alternatives.some((alt) => {
    if (isObject(alt) && 'exists' in alt) return values.length > 0 === alt.exists;
    return values.some((v) => matchesValue(alt, v));
  });
}

function matchesNode(pattern: EventPattern, node: unknown): boolean {
  // An array of objects matches when one element satisfies the whole sub-pattern.
  if (Array.isArray(node) && node.length > 0) return node.some((item) => matchesNode(pattern, item));
  const obj = isObject(node) ? node : undefined;
  return Object.entries(pattern).every(([key, sub]) => {
    if (key === '$or') return (sub as readonly EventPattern[]).some((alt) => matchesNode(alt, obj));
    const field = obj?.[key];
    return Array.isArray(sub)
      ? matchesField(sub as readonly PatternMatcher[], field)
      : matchesNode(sub as EventPattern, field);
  });
}

/**
 * Whether an event matches an EventBridge event pattern, following "Amazon EventBridge event patterns"
 * and "Content filtering": every field must match (AND), any alternative in a value array may match (OR),
 * `$or` chooses between sub-patterns at any level. The pattern must have passed validatePattern.
 * Pipes pass the raw source record, so DynamoDB numbers ({"N": "5"}) match as the strings they are.
 */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  return matchesNode(pattern, event);
}
