import { describe, expect, it } from 'vitest';
import {
  matchesArgumentFilter,
  matchesInvalidation,
  matchesSubscriptionFilter,
  validateSubscriptionFilter,
  type SubscriptionFilterObject,
} from '../../../../appsync/subscriptions/filter.js';

const one = (fieldName: string, operator: string, value: unknown): SubscriptionFilterObject => ({
  filterGroup: [{ filters: [{ fieldName, operator, value }] }],
});

// AWS AppSync docs "Extensions" (filterJsonObject, Field: operator) and "Defining enhanced
// subscriptions filters in AWS AppSync": the ticket example (severity, priority, group, ...).
describe('matchesSubscriptionFilter', () => {
  const ticket = {
    id: 't-1',
    severity: 7,
    priority: 'high',
    category: 'security',
    group: 'Admin',
    content: 'disk is full on db-1',
    tags: ['infra', 'urgent'],
    meta: { location: { country: 'USA' } },
  };

  const rows: [string, SubscriptionFilterObject, boolean][] = [
    ['eq on a matching field', one('priority', 'eq', 'high'), true],
    ['eq on a different value', one('priority', 'eq', 'low'), false],
    ['ne', one('priority', 'ne', 'low'), true],
    ['le (docs: severity le)', one('severity', 'le', 7), true],
    ['lt', one('severity', 'lt', 7), false],
    ['ge', one('severity', 'ge', 7), true],
    ['gt', one('severity', 'gt', 6), true],
    ['gt against a string field', one('priority', 'gt', 1), false],
    ['contains a substring', one('content', 'contains', 'full'), true],
    ['contains a list member', one('tags', 'contains', 'urgent'), true],
    ['notContains', one('content', 'notContains', 'cpu'), true],
    ['beginsWith', one('content', 'beginsWith', 'disk'), true],
    ['in (docs: group in Admin, Developer)', one('group', 'in', ['Admin', 'Developer']), true],
    ['notIn', one('group', 'notIn', ['Admin', 'Developer']), false],
    ['between, inclusive', one('severity', 'between', [1, 7]), true],
    ['between, outside', one('severity', 'between', [8, 10]), false],
    ['containsAny', one('tags', 'containsAny', ['ops', 'urgent']), true],
    ['containsAny with no common element', one('tags', 'containsAny', ['ops']), false],
    ['a dotted field name', one('meta.location.country', 'eq', 'USA'), true],
    ['a missing field with eq', one('missing', 'eq', 'x'), false],
  ];

  it.each(rows)('evaluates %s', (_name, filter, expected) => {
    // Prepare (the filter is in the row)
    // Act
    const matched = matchesSubscriptionFilter(filter, ticket);
    // Assess
    expect(matched).toBe(expected);
  });

  it('ORs groups and ANDs the filters inside a group', () => {
    // Prepare: the docs filterJsonObject example (userId eq 1, or group in Admin/Developer)
    const filter: SubscriptionFilterObject = {
      filterGroup: [
        { filters: [{ fieldName: 'userId', operator: 'eq', value: 1 }] },
        {
          filters: [
            { fieldName: 'group', operator: 'in', value: ['Admin', 'Developer'] },
            { fieldName: 'severity', operator: 'gt', value: 9 },
          ],
        },
      ],
    };
    // Act
    const byUser = matchesSubscriptionFilter(filter, { userId: 1, group: 'Guest', severity: 1 });
    const byGroupOnly = matchesSubscriptionFilter(filter, { userId: 2, group: 'Admin', severity: 1 });
    const byGroupAndSeverity = matchesSubscriptionFilter(filter, { userId: 2, group: 'Admin', severity: 10 });
    // Assess
    expect([byUser, byGroupOnly, byGroupAndSeverity]).toEqual([true, false, true]);
  });
});

describe('validateSubscriptionFilter', () => {
  it('accepts the docs filterJsonObject example', () => {
    // Prepare
    const filter = {
      filterGroup: [
        { filters: [{ fieldName: 'userId', operator: 'eq', value: 1 }] },
        { filters: [{ fieldName: 'group', operator: 'in', value: ['Admin', 'Developer'] }] },
      ],
    };
    // Act / Assess
    expect(() => validateSubscriptionFilter(filter)).not.toThrow();
  });

  it('rejects more than 5 values for in with the message AppSync answers', () => {
    // Prepare: the error reported in aws-amplify/amplify-category-api#740
    const filter = one('channelId', 'in', ['1', '2', '3', '4', '5', '6']);
    // Act / Assess
    expect(() => validateSubscriptionFilter(filter)).toThrow(
      'subscription exceeds maximum value limit 5 for operator `in`.',
    );
  });

  it('rejects more than 20 values for containsAny', () => {
    // Prepare
    const filter = one(
      'groups',
      'containsAny',
      Array.from({ length: 21 }, (_, i) => `g${i}`),
    );
    // Act / Assess
    expect(() => validateSubscriptionFilter(filter)).toThrow(
      'subscription exceeds maximum value limit 20 for operator `containsAny`.',
    );
  });

  it('rejects a group of more than 5 filters', () => {
    // Prepare: the error reported in aws-amplify/amplify-flutter#6142
    const filters = Array.from({ length: 6 }, (_, i) => ({ fieldName: `f${i}`, operator: 'eq', value: i }));
    // Act / Assess
    expect(() => validateSubscriptionFilter({ filterGroup: [{ filters }] })).toThrow(
      'Filters exceed maximum attributes limit 5 for subscription',
    );
  });

  it('rejects more than 10 filter groups', () => {
    // Prepare
    const filterGroup = Array.from({ length: 11 }, (_, i) => ({
      filters: [{ fieldName: 'a', operator: 'eq', value: i }],
    }));
    // Act / Assess
    expect(() => validateSubscriptionFilter({ filterGroup })).toThrow('maximum filter group limit 10');
  });

  it('rejects an unknown operator, a malformed between and a too deep field name', () => {
    // Prepare / Act / Assess
    expect(() => validateSubscriptionFilter(one('a', 'bogus', 1))).toThrow('unsupported operator `bogus`');
    expect(() => validateSubscriptionFilter(one('a', 'between', [1]))).toThrow('list of two values');
    expect(() => validateSubscriptionFilter(one('a.b.c.d.e.f', 'eq', 1))).toThrow('maximum nesting depth 5');
  });
});

// AWS AppSync docs "Using subscription arguments": null or absent arguments do not filter.
describe('matchesArgumentFilter', () => {
  const payload = { vendorId: 'v1', status: 'PAID', total: 10 };

  it('delivers when every given argument equals the payload field of the same name', () => {
    // Prepare / Act
    const matched = matchesArgumentFilter({ vendorId: 'v1', status: 'PAID' }, payload);
    // Assess
    expect(matched).toBe(true);
  });

  it('delivers everything when the arguments are null or absent', () => {
    // Prepare / Act / Assess
    expect(matchesArgumentFilter({ vendorId: null }, payload)).toBe(true);
    expect(matchesArgumentFilter({}, payload)).toBe(true);
    expect(matchesArgumentFilter(undefined, payload)).toBe(true);
  });

  it('fails when one argument differs from its payload field', () => {
    // Prepare / Act
    const matched = matchesArgumentFilter({ vendorId: 'v1', status: 'SHIPPED' }, payload);
    // Assess
    expect(matched).toBe(false);
  });
});

// AWS AppSync docs "Extensions": setSubscriptionInvalidationFilter + invalidateSubscriptions.
describe('matchesInvalidation', () => {
  const invalidationFilter = one('groupId', 'eq', 'g1');

  it('invalidates a subscription whose invalidation filter matches the payload', () => {
    // Prepare / Act / Assess
    expect(matchesInvalidation(invalidationFilter, { groupId: 'g1' })).toBe(true);
  });

  it('leaves a subscription whose invalidation filter does not match', () => {
    // Prepare / Act / Assess
    expect(matchesInvalidation(invalidationFilter, { groupId: 'g2' })).toBe(false);
  });

  it('never invalidates a subscription that set no invalidation filter', () => {
    // Prepare / Act / Assess
    expect(matchesInvalidation(undefined, { groupId: 'g1' })).toBe(false);
  });
});
