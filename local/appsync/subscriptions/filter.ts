/**
 * Subscription filtering for the local AppSync runtime: basic argument filtering ("Using
 * subscription arguments"), enhanced filters ("Defining enhanced subscriptions filters in AWS
 * AppSync", "Extensions": filterJsonObject) and invalidation filters.
 *
 * Limits and their messages follow AppSync's answers where they are public (e.g. "subscription
 * exceeds maximum value limit 5 for operator `in`."); the rest are written in the same style.
 */

/** One filter: the payload's `fieldName` (dots reach into nested objects) compared with `value`. */
export interface SubscriptionFilterEntry {
  fieldName: string;
  operator: string;
  value?: unknown;
}

/** A filterJsonObject: the groups are OR-ed, the filters inside a group AND-ed. */
export interface SubscriptionFilterObject {
  filterGroup: { filters: SubscriptionFilterEntry[] }[];
}

/** AppSync's documented and observed limits on a filterJsonObject. */
export const SUBSCRIPTION_FILTER_LIMITS = {
  filterGroups: 10,
  filtersPerGroup: 5,
  inValues: 5,
  containsAnyValues: 20,
  fieldNameDepth: 5,
  fieldNameLength: 256,
} as const;

const OPERATORS = new Set([
  'eq',
  'ne',
  'le',
  'lt',
  'ge',
  'gt',
  'contains',
  'notContains',
  'beginsWith',
  'in',
  'notIn',
  'between',
  'containsAny',
]);

type Scalar = string | number | boolean;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueAt(payload: unknown, fieldName: string): unknown {
  let current: unknown = payload;
  for (const segment of fieldName.split('.')) {
    if (!isRecord(current)) return undefined;
    current = current[segment];
  }
  return current;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Orders two numbers or two strings; anything else is incomparable, so the filter fails. */
function compare(a: unknown, b: unknown): number | null {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return null;
}

function contains(actual: unknown, value: unknown): boolean {
  if (Array.isArray(actual)) return actual.some((item) => sameValue(item, value));
  if (typeof actual === 'string' && typeof value === 'string') return actual.includes(value);
  return false;
}

function matchesEntry(entry: SubscriptionFilterEntry, payload: unknown): boolean {
  const actual = valueAt(payload, entry.fieldName);
  const { value } = entry;
  const order = (): number | null => compare(actual, value);
  switch (entry.operator) {
    case 'eq':
      return sameValue(actual, value);
    case 'ne':
      return !sameValue(actual, value);
    case 'le':
      return (order() ?? 1) <= 0;
    case 'lt':
      return (order() ?? 0) < 0;
    case 'ge':
      return (order() ?? -1) >= 0;
    case 'gt':
      return (order() ?? 0) > 0;
    case 'contains':
      return contains(actual, value);
    case 'notContains':
      return actual !== undefined && actual !== null && !contains(actual, value);
    case 'beginsWith':
      return typeof actual === 'string' && typeof value === 'string' && actual.startsWith(value);
    case 'in':
      return Array.isArray(value) && value.some((v) => sameValue(actual, v));
    case 'notIn':
      return Array.isArray(value) && !value.some((v) => sameValue(actual, v));
    case 'between': {
      if (!Array.isArray(value) || value.length !== 2) return false;
      const low = compare(actual, value[0]);
      const high = compare(actual, value[1]);
      return low !== null && high !== null && low >= 0 && high <= 0;
    }
    case 'containsAny':
      // the payload field is a list; a scalar field is read as a list of one
      return (
        Array.isArray(value) &&
        value.some((v) => (Array.isArray(actual) ? contains(actual, v) : sameValue(actual, v)))
      );
    default:
      return false;
  }
}

/** True when the payload passes the filter: any group whose filters all hold. No group, no limit. */
export function matchesSubscriptionFilter(filter: SubscriptionFilterObject, payload: unknown): boolean {
  if (filter.filterGroup.length === 0) return true;
  return filter.filterGroup.some((group) => group.filters.every((entry) => matchesEntry(entry, payload)));
}

function isScalar(value: unknown): value is Scalar {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function validateEntry(entry: unknown): void {
  if (!isRecord(entry) || typeof entry.fieldName !== 'string' || typeof entry.operator !== 'string') {
    throw new Error('subscription filter must have a fieldName and an operator.');
  }
  const { fieldName, operator, value } = entry;
  const limits = SUBSCRIPTION_FILTER_LIMITS;
  if (fieldName.length > limits.fieldNameLength) {
    throw new Error(`subscription filter fieldName exceeds maximum length ${limits.fieldNameLength}.`);
  }
  if (fieldName.split('.').length > limits.fieldNameDepth) {
    throw new Error(`subscription filter fieldName exceeds maximum nesting depth ${limits.fieldNameDepth}.`);
  }
  if (!OPERATORS.has(operator))
    throw new Error(`subscription filter has unsupported operator \`${operator}\`.`);
  if (operator === 'in' || operator === 'notIn' || operator === 'containsAny') {
    const max = operator === 'containsAny' ? limits.containsAnyValues : limits.inValues;
    if (!Array.isArray(value) || !value.every(isScalar)) {
      throw new Error(`subscription filter value for operator \`${operator}\` must be a list.`);
    }
    if (value.length > max)
      throw new Error(`subscription exceeds maximum value limit ${max} for operator \`${operator}\`.`);
  } else if (operator === 'between') {
    if (!Array.isArray(value) || value.length !== 2 || !value.every(isScalar)) {
      throw new Error('subscription filter value for operator `between` must be a list of two values.');
    }
  } else if (!isScalar(value)) {
    throw new Error(
      `subscription filter value for operator \`${operator}\` must be a string, number or boolean.`,
    );
  }
}

/** Rejects a filterJsonObject AppSync would refuse when the subscription starts. */
export function validateSubscriptionFilter(filter: unknown): asserts filter is SubscriptionFilterObject {
  if (!isRecord(filter) || !Array.isArray(filter.filterGroup)) {
    throw new Error('subscription filter must be an object with a filterGroup list.');
  }
  if (filter.filterGroup.length > SUBSCRIPTION_FILTER_LIMITS.filterGroups) {
    throw new Error(
      `subscription exceeds maximum filter group limit ${SUBSCRIPTION_FILTER_LIMITS.filterGroups}.`,
    );
  }
  for (const group of filter.filterGroup) {
    if (!isRecord(group) || !Array.isArray(group.filters)) {
      throw new Error('each subscription filter group must have a filters list.');
    }
    if (group.filters.length > SUBSCRIPTION_FILTER_LIMITS.filtersPerGroup) {
      throw new Error(
        `Filters exceed maximum attributes limit ${SUBSCRIPTION_FILTER_LIMITS.filtersPerGroup} for subscription`,
      );
    }
    group.filters.forEach(validateEntry);
  }
}

/** Basic filtering: every non-null subscription argument must equal the payload field of its name. */
export function matchesArgumentFilter(
  args: Record<string, unknown> | null | undefined,
  payload: unknown,
): boolean {
  return Object.entries(args ?? {}).every(
    ([name, expected]) =>
      expected === null || expected === undefined || sameValue(valueAt(payload, name), expected),
  );
}

/** Whether an `invalidateSubscriptions` payload invalidates a subscription; none set, none invalidated. */
export function matchesInvalidation(
  invalidationFilter: SubscriptionFilterObject | null | undefined,
  invalidatePayload: unknown,
): boolean {
  if (invalidationFilter === null || invalidationFilter === undefined) return false;
  if (invalidationFilter.filterGroup.length === 0) return false;
  return matchesSubscriptionFilter(invalidationFilter, invalidatePayload);
}
