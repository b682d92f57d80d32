import { afterEach, describe, expect, it, vi } from 'vitest';
import { AwsServiceError } from '../../../aws-json.js';
import {
  nextFireTime,
  parseScheduleExpression,
  RuleScheduler,
  type EventBridgeEvent,
  type RuleConfig,
} from '../../../events/eventbridge/index.js';

const next = (expression: string, after: string) =>
  nextFireTime(parseScheduleExpression(expression), new Date(after))?.toISOString();

describe('parseScheduleExpression and nextFireTime', () => {
  // Rows follow "Schedule expressions for rules" (rate and cron examples).
  it.each([
    ['rate(5 minutes)', '2024-01-01T00:01:00.000Z', '2024-01-01T00:06:00.000Z'],
    ['rate(1 hour)', '2024-01-01T00:00:00.000Z', '2024-01-01T01:00:00.000Z'],
    ['rate(2 days)', '2024-01-01T00:00:00.000Z', '2024-01-03T00:00:00.000Z'],
    ['cron(0/5 * * * ? *)', '2024-01-01T00:01:00.000Z', '2024-01-01T00:05:00.000Z'],
    ['cron(0 10 * * ? *)', '2024-01-01T11:00:00.000Z', '2024-01-02T10:00:00.000Z'],
    // Day-of-week 2 is Monday in EventBridge (1 = Sunday); 2024-01-01 is a Monday.
    ['cron(0 12 ? * 2 *)', '2023-12-30T00:00:00.000Z', '2024-01-01T12:00:00.000Z'],
    ['cron(0 18 ? * MON-FRI *)', '2024-01-06T00:00:00.000Z', '2024-01-08T18:00:00.000Z'],
    ['cron(0 8 1 * ? *)', '2024-01-02T00:00:00.000Z', '2024-02-01T08:00:00.000Z'],
    // 6L: the last Friday of the month.
    ['cron(15 10 ? * 6L 2024-2026)', '2024-01-01T00:00:00.000Z', '2024-01-26T10:15:00.000Z'],
    ['cron(0 0 1 1 ? 2030)', '2024-01-01T00:00:00.000Z', '2030-01-01T00:00:00.000Z'],
  ])('fires %s next after %s at %s', (expression, after, expected) => {
    // Act
    const at = next(expression, after);
    // Assess
    expect(at).toBe(expected);
  });

  it.each([
    ['rejects both day fields set', 'cron(0 12 * * 2 *)'],
    ['rejects both day fields as ?', 'cron(0 12 ? * ? *)'],
    ['rejects a 5-field cron', 'cron(0 12 * * ?)'],
    ['rejects a plural unit with the value 1', 'rate(1 minutes)'],
    ['rejects a singular unit with a value above 1', 'rate(5 minute)'],
    ['rejects an unknown unit', 'rate(5 seconds)'],
    ['rejects an expression that is neither rate nor cron', 'every 5 minutes'],
  ])('%s', (_name, expression) => {
    // Act
    const act = () => parseScheduleExpression(expression);
    // Assess
    expect(act).toThrow(AwsServiceError);
  });
});

const tick: RuleConfig = {
  name: 'tick',
  arn: 'arn:aws:events:us-east-1:000000000000:rule/tick',
  busName: 'default',
  scheduleExpression: 'rate(1 minute)',
  state: 'ENABLED',
  targets: [],
};

describe('RuleScheduler', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires an enabled rate rule every period until stopped', () => {
    // Prepare
    vi.useFakeTimers({ now: new Date('2024-01-01T00:00:00Z') });
    const fired: EventBridgeEvent[] = [];
    const scheduler = new RuleScheduler([tick], (_rule, event) => fired.push(event));
    // Act
    scheduler.start();
    vi.advanceTimersByTime(120_000);
    scheduler.stop();
    vi.advanceTimersByTime(300_000);
    // Assess
    expect(fired.map((e) => e.time)).toEqual(['2024-01-01T00:01:00Z', '2024-01-01T00:02:00Z']);
    expect(fired[0]).toMatchObject({
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      resources: [tick.arn],
      detail: {},
    });
  });

  it('does not fire a disabled rule', () => {
    // Prepare
    vi.useFakeTimers({ now: new Date('2024-01-01T00:00:00Z') });
    const fired: EventBridgeEvent[] = [];
    const scheduler = new RuleScheduler([{ ...tick, state: 'DISABLED' }], (_rule, event) =>
      fired.push(event),
    );
    // Act
    scheduler.start();
    vi.advanceTimersByTime(300_000);
    // Assess
    expect(fired).toEqual([]);
    expect(() => scheduler.triggerRule('tick')).toThrow(/DISABLED/);
  });

  it('fails when triggering a rule that has no schedule', () => {
    // Prepare
    const scheduler = new RuleScheduler([{ ...tick, scheduleExpression: undefined }], () => undefined);
    // Act
    const act = () => scheduler.triggerRule('tick');
    // Assess
    expect(act).toThrow(/does not exist or has no schedule/);
  });
});
