import { bench, describe } from 'vitest';
import { executeResolver } from '@orderloop/local/appsync/runtime';
import { matchesPattern } from '@orderloop/local/events/pattern';
import { bundleAppSyncCode } from '../infra/bundling.js';

// Targets (see README, "Benchmarks"): a warm resolver evaluation well under 5 ms, so the local API adds
// little to DynamoDB Local's own latency; a pattern match in microseconds, so rules never bottleneck a pipe.

const getProduct = bundleAppSyncCode('Query.getProduct.ts');
const input = {
  typeName: 'Query',
  fieldName: 'getProduct',
  args: { vendorId: 'v-aurora', productId: 'p-1' },
  source: null,
  identity: null,
  request: { headers: {} },
  info: {
    fieldName: 'getProduct',
    parentTypeName: 'Query',
    variables: {},
    selectionSetList: ['name', 'price'],
    selectionSetGraphQL: '{ name price }',
  },
};
const item = { vendorId: 'v-aurora', productId: 'p-1', name: 'Lamp', price: 1999, currency: 'USD' };

describe('APPSYNC_JS runtime', () => {
  bench('unit resolver: request → data source → response (warm)', async () => {
    await executeResolver(
      { kind: 'UNIT', code: getProduct, dataSource: 'table' },
      input as never,
      async () => ({
        result: item,
      }),
    );
  });
});

const pattern = {
  source: ['orderloop.orders'],
  'detail-type': ['orderloop.domain-event'],
  detail: {
    type: ['order.statusChanged'],
    data: { status: [{ 'anything-but': ['PLACED'] }], total: [{ numeric: ['>', 0] }] },
  },
};
const event = {
  source: 'orderloop.orders',
  'detail-type': 'orderloop.domain-event',
  detail: { type: 'order.statusChanged', data: { status: 'PAID', total: 4200 } },
};

describe('EventBridge pattern matcher', () => {
  bench('a rule pattern against a domain event', () => {
    matchesPattern(pattern, event);
  });
});
