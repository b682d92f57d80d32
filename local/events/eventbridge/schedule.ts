import { randomUUID } from 'node:crypto';
import { CronExpressionParser } from 'cron-parser';
import { AwsServiceError } from '../../aws-json.js';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../../aws-ids.js';
import type { EventBridgeEvent, RuleConfig } from './types.js';

/** A parsed schedule: a fixed rate, or a cron with EventBridge's optional year filter. */
export type Schedule =
  | { readonly kind: 'rate'; readonly periodMs: number }
  | { readonly kind: 'cron'; readonly cron: string; readonly years?: (year: number) => boolean };

const invalid = (expression: string, why: string): never => {
  throw new AwsServiceError(
    'ValidationException',
    `Parameter ScheduleExpression is not valid: ${expression} (${why}).`,
  );
};

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

function parseRate(expression: string, body: string): Schedule {
  const m = body.match(/^(\d+) (minute|minutes|hour|hours|day|days)$/);
  if (!m) return invalid(expression, 'expected rate(value unit) with unit minute(s), hour(s) or day(s)');
  const value = Number(m[1]);
  const unit = m[2]!;
  if (value <= 0) return invalid(expression, 'the value must be a positive integer');
  // The docs: a value of 1 takes the singular unit, any other value the plural.
  if ((value === 1) !== !unit.endsWith('s'))
    return invalid(expression, `use "${value === 1 ? 'minute' : 'minutes'}"-style units`);
  return { kind: 'rate', periodMs: value * UNIT_MS[unit.replace(/s$/, '')]! };
}

/** EventBridge numbers days 1-7 from Sunday; cron-parser numbers them 0-6. */
function shiftDayOfWeek(field: string, expression: string): string {
  const day = (d: string) => {
    if (!/^\d+$/.test(d)) return d.toLowerCase();
    const n = Number(d);
    if (n < 1 || n > 7) return invalid(expression, `day-of-week ${d} is outside 1-7`);
    return String(n - 1);
  };
  return field
    .split(',')
    .map((part) => {
      const [range = '', step] = part.split('/');
      const hash = range.match(/^(\w+)#(\d)$/);
      const last = range.match(/^(\w+)L$/);
      const shifted = hash
        ? `${day(hash[1]!)}#${hash[2]}`
        : last
          ? `${day(last[1]!)}L`
          : range === '*'
            ? '*'
            : range.split('-').map(day).join('-');
      return step === undefined ? shifted : `${shifted}/${step}`;
    })
    .join(',');
}

function yearFilter(field: string, expression: string): ((year: number) => boolean) | undefined {
  if (field === '*') return undefined;
  const parts = field.split(',').map((p) => {
    const m = p.match(/^(\d{4})(?:-(\d{4}))?(?:\/(\d+))?$/);
    if (!m) return invalid(expression, `year field "${field}" is not supported`);
    const from = Number(m[1]);
    const to = m[2] ? Number(m[2]) : m[3] ? 2199 : from;
    const step = m[3] ? Number(m[3]) : 1;
    return (y: number) => y >= from && y <= to && (y - from) % step === 0;
  });
  return (year) => parts.some((test) => test(year));
}

function parseCron(expression: string, body: string): Schedule {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6)
    return invalid(expression, 'cron needs 6 fields: minutes hours day-of-month month day-of-week year');
  const [minutes, hours, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  // The docs: one of day-of-month and day-of-week must be '?', and not both.
  if ((dom === '?') === (dow === '?'))
    return invalid(expression, 'exactly one of day-of-month and day-of-week must be ?');
  if (dom.includes('W')) return invalid(expression, 'the W wildcard is not supported locally');
  const cron = [
    '0',
    minutes,
    hours,
    dom === '?' ? '*' : dom,
    month.toLowerCase(),
    dow === '?' ? '*' : shiftDayOfWeek(dow, expression),
  ].join(' ');
  try {
    CronExpressionParser.parse(cron, { tz: 'UTC' });
  } catch (err) {
    return invalid(expression, (err as Error).message);
  }
  const years = yearFilter(year, expression);
  return years ? { kind: 'cron', cron, years } : { kind: 'cron', cron };
}

/** Parses `rate(5 minutes)` or the 6-field `cron(0/5 * * * ? *)`; throws ValidationException otherwise. */
export function parseScheduleExpression(expression: string): Schedule {
  const m = expression.trim().match(/^(rate|cron)\((.*)\)$/);
  if (!m) return invalid(expression, 'expected rate(...) or cron(...)');
  return m[1] === 'rate' ? parseRate(expression, m[2]!.trim()) : parseCron(expression, m[2]!);
}

/** The next time a schedule fires strictly after `after` (UTC); undefined when a year filter ends it. */
export function nextFireTime(schedule: Schedule, after: Date): Date | undefined {
  if (schedule.kind === 'rate') return new Date(after.getTime() + schedule.periodMs);
  const it = CronExpressionParser.parse(schedule.cron, { tz: 'UTC', currentDate: after });
  for (let i = 0; i < 10_000; i++) {
    const next = it.next().toDate();
    if (!schedule.years || schedule.years(next.getUTCFullYear())) return next;
    if (next.getUTCFullYear() > 2199) return undefined;
  }
  return undefined;
}

const isoSeconds = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The event a scheduled rule sends its targets ("Creating a rule that runs on a schedule"). */
export function scheduledEvent(rule: RuleConfig, at: Date): EventBridgeEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: LOCAL_ACCOUNT,
    time: isoSeconds(at),
    region: LOCAL_REGION,
    resources: [rule.arn],
    detail: {},
  };
}

/** Receives each scheduled event; the EventBridge service routes it to the rule's targets. */
export type FireScheduled = (rule: RuleConfig, event: EventBridgeEvent) => void;

// setTimeout cannot wait longer than ~24.8 days; longer waits re-arm.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Runs the enabled scheduled rules on unref'd timers; stop() clears them all. */
export class RuleScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly schedules: Map<string, { rule: RuleConfig; schedule: Schedule }>;

  constructor(
    rules: readonly RuleConfig[],
    private readonly fire: FireScheduled,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.schedules = new Map(
      rules
        .filter((r) => r.scheduleExpression !== undefined)
        .map((r) => [r.name, { rule: r, schedule: parseScheduleExpression(r.scheduleExpression!) }]),
    );
  }

  /** Arms a timer for every enabled scheduled rule. Calling it twice does not double the timers. */
  start(): void {
    for (const { rule } of this.schedules.values())
      if (rule.state === 'ENABLED' && !this.timers.has(rule.name)) this.arm(rule.name);
  }

  /** Clears every timer; the scheduler can be started again. */
  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** Fires a scheduled rule now, for tests; throws for an unknown, unscheduled or disabled rule. */
  triggerRule(name: string): EventBridgeEvent {
    const entry = this.schedules.get(name);
    if (!entry)
      throw new AwsServiceError(
        'ResourceNotFoundException',
        `Rule ${name} does not exist or has no schedule.`,
      );
    if (entry.rule.state !== 'ENABLED')
      throw new AwsServiceError('ValidationException', `Rule ${name} is DISABLED.`);
    const event = scheduledEvent(entry.rule, this.now());
    this.fire(entry.rule, event);
    return event;
  }

  private arm(name: string, target?: Date): void {
    const entry = this.schedules.get(name)!;
    const now = this.now();
    const at = target ?? nextFireTime(entry.schedule, now);
    if (!at) return;
    const wait = at.getTime() - now.getTime();
    const timer = setTimeout(
      () => {
        if (wait > MAX_TIMER_MS) return this.arm(name, at);
        this.fire(entry.rule, scheduledEvent(entry.rule, at));
        // stop() during fire cleared the map; do not re-arm a stopped scheduler.
        if (this.timers.has(name)) this.arm(name);
      },
      Math.max(0, Math.min(wait, MAX_TIMER_MS)),
    );
    timer.unref();
    this.timers.set(name, timer);
  }
}
