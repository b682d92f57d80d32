/**
 * `util.transform` for the local APPSYNC_JS runtime (AWS AppSync docs: "Transformation helpers in
 * util.transform").
 *
 * The DynamoDB renderer reproduces what AWS's EvaluateCode answers for these helpers, as recorded by
 * the tests of localstack/appsync-utils (Apache-2.0): every comparison parenthesised, no space after
 * a function's comma, value placeholders built from the path (`:and_0_title_contains`), and `null`
 * for a filter it cannot render. Pure functions, no Node globals: they run inside the vm sandbox.
 */
import { dynamodbUtil, type AttributeValue } from './ddb-json.js';

/** A DynamoDB expression as AppSync's request objects carry it. */
export interface DynamoDBExpression {
  expression: string;
  expressionNames: Record<string, string>;
  expressionValues: Record<string, AttributeValue>;
}

/** One filter of an enhanced subscription filter group. */
export interface SubscriptionFilterEntry {
  fieldName: string;
  operator: string;
  value: unknown;
}

/** An enhanced subscription filter: the groups are OR-ed, the filters inside a group AND-ed. */
export interface SubscriptionFilter {
  filterGroup: { filters: SubscriptionFilterEntry[] }[];
}

/** Thrown inside the renderer for an input AWS answers with `null`; never escapes this module. */
class Unrenderable extends Error {}

const COMPARATORS: Record<string, string> = { eq: '=', ne: '<>', lt: '<', le: '<=', gt: '>', ge: '>=' };

const ATTRIBUTE_TYPES: Record<string, string> = {
  _null: 'NULL',
  string: 'S',
  stringSet: 'SS',
  number: 'N',
  numberSet: 'NS',
  binary: 'B',
  binarySet: 'BS',
  boolean: 'BOOL',
  list: 'L',
  map: 'M',
};

interface Accumulator {
  names: Record<string, string>;
  values: Record<string, AttributeValue>;
}

/** A rendered fragment; `atomic` when it needs no parentheses to be negated safely. */
interface Fragment {
  text: string;
  atomic: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function definedEntries(value: Record<string, unknown>): [string, unknown][] {
  return Object.entries(value).filter(([, v]) => v !== undefined);
}

function joinAnd(pieces: string[]): Fragment {
  const text = pieces.join(' AND ');
  return pieces.length > 1 ? { text: `(${text})`, atomic: true } : { text, atomic: true };
}

function putValue(acc: Accumulator, path: string[], value: unknown): string {
  const name = `:${path.join('_')}`;
  acc.values[name] = dynamodbUtil.toDynamoDB(value) ?? { NULL: null };
  return name;
}

/** Renders the operators of one field; `valuePath` already ends with the field (and any `size`). */
function renderOperators(operand: string, ops: unknown, valuePath: string[], acc: Accumulator): Fragment {
  if (!isRecord(ops)) throw new Unrenderable();
  const pieces: string[] = [];
  for (const [op, v] of definedEntries(ops)) {
    const comparator = COMPARATORS[op];
    if (comparator !== undefined) {
      pieces.push(`(${operand} ${comparator} ${putValue(acc, [...valuePath, op], v)})`);
      continue;
    }
    switch (op) {
      case 'contains':
        pieces.push(`(contains(${operand},${putValue(acc, [...valuePath, op], v)}))`);
        break;
      case 'notContains':
        pieces.push(`(NOT contains(${operand},${putValue(acc, [...valuePath, op], v)}))`);
        break;
      case 'beginsWith':
        pieces.push(`(begins_with(${operand},${putValue(acc, [...valuePath, op], v)}))`);
        break;
      case 'between': {
        if (!Array.isArray(v) || v.length < 2) throw new Unrenderable();
        const start = putValue(acc, [...valuePath, 'between', 'start'], v[0]);
        const end = putValue(acc, [...valuePath, 'between', 'end'], v[1]);
        pieces.push(`(${operand} BETWEEN ${start} AND ${end})`);
        break;
      }
      case 'in': {
        if (!Array.isArray(v)) throw new Unrenderable();
        const names = v.map((item, i) => putValue(acc, [...valuePath, 'in', String(i)], item));
        // AWS renders an empty list literally as "(null)"
        pieces.push(names.length === 0 ? '(null)' : `(${operand} IN (${names.join(', ')}))`);
        break;
      }
      case 'attributeExists':
        if (typeof v !== 'boolean') throw new Unrenderable();
        pieces.push(`(${v ? 'attribute_exists' : 'attribute_not_exists'}(${operand}))`);
        break;
      case 'attributeType': {
        const code = typeof v === 'string' ? ATTRIBUTE_TYPES[v] : undefined;
        if (code === undefined) throw new Unrenderable();
        pieces.push(`(attribute_type(${operand},${putValue(acc, [...valuePath, op], code)}))`);
        break;
      }
      case 'size': {
        // a nested size names the value again but does not nest the call, as AWS does
        const sizeOperand = operand.startsWith('size(') ? operand : `size(${operand})`;
        pieces.push(renderOperators(sizeOperand, v, [...valuePath, 'size'], acc).text);
        break;
      }
      default:
        throw new Unrenderable();
    }
  }
  return joinAnd(pieces);
}

function renderFilter(filter: unknown, prefix: string[], acc: Accumulator): Fragment {
  if (!isRecord(filter)) throw new Unrenderable();
  const parts: Fragment[] = [];
  for (const [key, value] of definedEntries(filter)) {
    if (key === 'and' || key === 'or') {
      if (!Array.isArray(value)) throw new Unrenderable();
      const members = value.map((member, i) => renderFilter(member, [...prefix, key, String(i)], acc));
      const text = members.map((m) => m.text).join(key === 'and' ? ' AND ' : ' OR ');
      if (members.length > 1) parts.push({ text: `(${text})`, atomic: true });
      else parts.push(members[0] ?? { text: '', atomic: true });
    } else if (key === 'not') {
      const inner = renderFilter(value, [...prefix, 'not'], acc);
      // AWS's own output for a multi-field `not` is unknown; parenthesise so NOT covers all of it
      parts.push({ text: `(NOT ${inner.atomic ? inner.text : `(${inner.text})`})`, atomic: true });
    } else {
      acc.names[`#${key}`] = key;
      parts.push(renderOperators(`#${key}`, value, [...prefix, key], acc));
    }
  }
  const text = parts.map((p) => p.text).join(' AND ');
  return { text, atomic: parts.length === 0 || (parts.length === 1 && parts[0]!.atomic) };
}

/**
 * Renders a filter object into an expression object, or `null` where AWS answers `null`. The
 * DynamoDB module uses this directly; resolvers get the JSON string form below.
 */
export function renderDynamoDBExpression(filter: unknown): DynamoDBExpression | null {
  const acc: Accumulator = { names: {}, values: {} };
  try {
    const { text } = renderFilter(filter, [], acc);
    return { expression: text, expressionNames: acc.names, expressionValues: acc.values };
  } catch (error) {
    if (error instanceof Unrenderable) return null;
    throw error;
  }
}

function toDynamoDBFilterExpression(filter: unknown): string | null {
  const rendered = renderDynamoDBExpression(filter);
  return rendered === null ? null : JSON.stringify(rendered);
}

function toDynamoDBConditionExpression(condition: unknown): string | null {
  // AWS renders both the same way for every recorded input, size and attributeExists included
  return toDynamoDBFilterExpression(condition);
}

type Group = SubscriptionFilterEntry[];

function cross(left: Group[], right: Group[]): Group[] {
  return left.flatMap((l) => right.map((r) => [...l, ...r]));
}

function fieldAlternatives(fieldName: string, ops: unknown): Group[] {
  if (!isRecord(ops)) throw new Unrenderable();
  return definedEntries(ops).map(([operator, value]) => [{ fieldName, operator, value }]);
}

/** Multiplies a filter out: every operator of a field, member of an `or` and rule is an alternative. */
function expandSubscriptionFilter(filter: unknown, ignored: readonly string[]): Group[] {
  if (!isRecord(filter)) throw new Unrenderable();
  let groups: Group[] = [[]];
  for (const [key, value] of definedEntries(filter)) {
    if (ignored.includes(key)) continue;
    let alternatives: Group[];
    if (key === 'and' && Array.isArray(value)) {
      alternatives = value.reduce<Group[]>(
        (acc, m) => cross(acc, expandSubscriptionFilter(m, ignored)),
        [[]],
      );
    } else if (key === 'or' && Array.isArray(value)) {
      alternatives = value.flatMap((m) => expandSubscriptionFilter(m, ignored));
    } else {
      alternatives = fieldAlternatives(key, value);
      if (alternatives.length === 0) continue;
    }
    groups = cross(groups, alternatives);
  }
  return groups;
}

function toSubscriptionFilter(
  filter: unknown,
  ignoredFields?: readonly string[] | null,
  rules?: unknown,
): SubscriptionFilter | null {
  try {
    let groups = expandSubscriptionFilter(filter, ignoredFields ?? []);
    if (isRecord(rules)) {
      const ruleAlternatives = definedEntries(rules).flatMap(([field, ops]) => fieldAlternatives(field, ops));
      // at least one rule has to hold, so each rule is an alternative added to every group
      if (ruleAlternatives.length > 0) groups = cross(groups, ruleAlternatives);
    }
    return { filterGroup: groups.filter((g) => g.length > 0).map((filters) => ({ filters })) };
  } catch (error) {
    if (error instanceof Unrenderable) return null;
    throw error;
  }
}

type Query = Record<string, unknown>;

function openSearchClause(field: string, op: string, value: unknown): Query {
  switch (op) {
    case 'eq':
      return { term: { [field]: value } };
    case 'ne':
      return { bool: { must_not: { term: { [field]: value } } } };
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return { range: { [field]: { [op]: value } } };
    case 'range': {
      const [gte, lte] = Array.isArray(value) ? value : [];
      return { range: { [field]: { gte, lte } } };
    }
    case 'match':
      return { match: { [field]: value } };
    case 'matchPhrase':
      return { match_phrase: { [field]: value } };
    case 'matchPhrasePrefix':
      return { match_phrase_prefix: { [field]: value } };
    case 'multiMatch':
      return { multi_match: { query: value, fields: [field] } };
    case 'wildcard':
      return { wildcard: { [field]: value } };
    case 'regexp':
      return { regexp: { [field]: value } };
    case 'exists':
      return value === false ? { bool: { must_not: { exists: { field } } } } : { exists: { field } };
    default:
      throw new Unrenderable();
  }
}

function mustOf(clauses: Query[]): Query {
  return clauses.length === 1 ? clauses[0]! : { bool: { must: clauses } };
}

function openSearchQuery(filter: unknown): Query {
  if (!isRecord(filter)) throw new Unrenderable();
  const parts: Query[] = [];
  for (const [key, value] of definedEntries(filter)) {
    if (key === 'and' || key === 'or') {
      if (!Array.isArray(value)) throw new Unrenderable();
      const members = value.map(openSearchQuery);
      parts.push(key === 'and' ? { bool: { must: members } } : { bool: { should: members } });
    } else if (key === 'not') {
      parts.push({ bool: { must_not: openSearchQuery(value) } });
    } else {
      if (!isRecord(value)) throw new Unrenderable();
      parts.push(mustOf(definedEntries(value).map(([op, v]) => openSearchClause(key, op, v))));
    }
  }
  return mustOf(parts);
}

function toElasticsearchQueryDSL(filter: unknown): string | null {
  try {
    return JSON.stringify(openSearchQuery(filter));
  } catch (error) {
    if (error instanceof Unrenderable) return null;
    throw error;
  }
}

/** The `util.transform` object handed to resolvers. */
export const transform = {
  toDynamoDBFilterExpression,
  toDynamoDBConditionExpression,
  toSubscriptionFilter,
  toElasticsearchQueryDSL,
};
