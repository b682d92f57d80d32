import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventBusArn, functionArn, localArn } from '../../../aws-ids.js';
import { EventBridgeService, type RuleConfig, type TargetPorts } from '../../../events/eventbridge/index.js';
import { Journal } from '../../../persistence/journal.js';

const dirs: string[] = [];
const tempFile = (name: string) => {
  const dir = mkdtempSync(join(tmpdir(), 'orderloop-journal-'));
  dirs.push(dir);
  return join(dir, name);
};
/** Closings are written on the next turn of the event loop. */
const flushed = () => new Promise((resolve) => setImmediate(resolve));
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('Journal', () => {
  it('reopens with the items that were put and not done', async () => {
    // Prepare
    const path = tempFile('j.jsonl');
    const first = new Journal<{ n: number }>(path);
    first.put('a', { n: 1 });
    first.put('b', { n: 2 });
    first.put('a', { n: 3 });
    first.done('b');
    await flushed();
    // Act: a second process opens the file the first left behind (no close, as after a SIGKILL)
    const second = new Journal<{ n: number }>(path);
    // Assess
    expect(second.entries()).toEqual([['a', { n: 3 }]]);
  });

  it('ignores a line torn by a crash', () => {
    // Prepare
    const path = tempFile('j.jsonl');
    new Journal<string>(path).put('kept', 'x');
    appendFileSync(path, '{"put":"torn","val');
    // Act
    const reopened = new Journal<string>(path);
    // Assess
    expect(reopened.entries()).toEqual([['kept', 'x']]);
  });

  it('writes a batch in one piece and compacts closed items away', async () => {
    // Prepare
    const path = tempFile('j.jsonl');
    const journal = new Journal<number>(path, { compactAfter: 10 });
    // Act
    journal.batch(() => {
      for (let i = 0; i < 30; i++) journal.put(`k${i}`, i);
    });
    for (let i = 0; i < 25; i++) {
      journal.done(`k${i}`);
      if (i % 5 === 4) await flushed();
    }
    // Assess: after compaction the file holds the open items and few closed lines
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines.length).toBeLessThan(20);
    expect(new Journal<number>(path).entries().map(([k]) => k)).toEqual(['k25', 'k26', 'k27', 'k28', 'k29']);
  });
});

describe('EventBridge durability', () => {
  const BUS = 'orders';
  const consumer = functionArn('consumer');
  const rules: RuleConfig[] = [
    {
      name: 'placed',
      arn: localArn('events', `rule/${BUS}/placed`),
      busName: BUS,
      state: 'ENABLED',
      eventPattern: { source: ['orderloop.orders'] },
      targets: [{ id: 'consumer', arn: consumer }],
    },
  ];
  const buses = [{ name: BUS, arn: eventBusArn(BUS) }];
  const entry = {
    EventBusName: BUS,
    Source: 'orderloop.orders',
    DetailType: 'OrderPlaced',
    Detail: '{"id":"o-1"}',
  };

  it('delivers an accepted event after a crash before its target had it', async () => {
    // Prepare: a target that never answers, so the process "dies" between acceptance and delivery
    const journalPath = tempFile('bus.jsonl');
    const hanging: TargetPorts = {
      invokeLambdaAsync: () => new Promise<void>(() => undefined),
      sendToQueue: async () => undefined,
    };
    const crashed = new EventBridgeService({ buses, rules, ports: hanging, journalPath });
    const accepted = crashed.putEvents([entry]);
    expect(accepted.FailedEntryCount).toBe(0);
    // Act: a new process on the same journal
    const delivered: string[] = [];
    const ports: TargetPorts = {
      async invokeLambdaAsync(arn, payload) {
        delivered.push(`${arn} ${payload}`);
      },
      sendToQueue: async () => undefined,
    };
    const restarted = new EventBridgeService({ buses, rules, ports, journalPath });
    const recovered = restarted.recover();
    await restarted.idle();
    await flushed();
    // Assess: exactly the accepted event, with its EventId, reaches the target; nothing is left owed
    expect(recovered).toBe(1);
    expect(delivered).toHaveLength(1);
    const eventId = (accepted.Entries[0] as { EventId: string }).EventId;
    expect(delivered[0]).toContain(`"id":"${eventId}"`);
    expect(new EventBridgeService({ buses, rules, ports, journalPath }).recover()).toBe(0);
  });

  it('forgets an event once every target has it', async () => {
    // Prepare
    const journalPath = tempFile('bus.jsonl');
    const ports: TargetPorts = {
      invokeLambdaAsync: async () => undefined,
      sendToQueue: async () => undefined,
    };
    const bus = new EventBridgeService({ buses, rules, ports, journalPath });
    // Act
    bus.putEvents([entry, entry]);
    await bus.idle();
    await flushed();
    // Assess
    expect(new EventBridgeService({ buses, rules, ports, journalPath }).recover()).toBe(0);
  });
});
