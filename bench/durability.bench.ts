import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import { eventBusArn, functionArn, localArn } from '@orderloop/local/aws-ids';
import { EventBridgeService, type RuleConfig, type TargetPorts } from '@orderloop/local/events/eventbridge';

// The journal of accepted events (issue "Trust", item 12) must stay cheap beside the in-memory bus:
// compare one PutEvents call of 10 entries delivered to a rule target, without and with the journal.

const rules: RuleConfig[] = [
  {
    name: 'placed',
    arn: localArn('events', 'rule/orders/placed'),
    busName: 'orders',
    state: 'ENABLED',
    eventPattern: { source: ['orderloop.orders'] },
    targets: [{ id: 'consumer', arn: functionArn('consumer') }],
  },
];
const buses = [{ name: 'orders', arn: eventBusArn('orders') }];
const ports: TargetPorts = { invokeLambdaAsync: async () => undefined, sendToQueue: async () => undefined };
const entries = Array.from({ length: 10 }, (_, i) => ({
  EventBusName: 'orders',
  Source: 'orderloop.orders',
  DetailType: 'OrderPlaced',
  Detail: JSON.stringify({ orderId: `o-${i}`, total: 4200, lines: [{ sku: 'p-1', qty: 2 }] }),
}));

const inMemory = new EventBridgeService({ buses, rules, ports });
const journaled = new EventBridgeService({
  buses,
  rules,
  ports,
  journalPath: join(mkdtempSync(join(tmpdir(), 'orderloop-bench-')), 'bus-deliveries.jsonl'),
});

describe('EventBridge PutEvents (10 entries) until every target has them', () => {
  bench('in memory (baseline)', async () => {
    inMemory.putEvents(entries);
    await inMemory.idle();
  });
  bench('with the accepted-event journal', async () => {
    journaled.putEvents(entries);
    await journaled.idle();
  });
});
