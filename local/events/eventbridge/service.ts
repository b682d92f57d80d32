import { randomUUID } from 'node:crypto';
import { eventBusArn, LOCAL_ACCOUNT, LOCAL_REGION } from '../../aws-ids.js';
import { AwsServiceError, type AwsJsonService } from '../../aws-json.js';
import { Journal } from '../../persistence/journal.js';
import { matchesPattern, validatePattern, type EventPattern } from '../pattern/index.js';
import { deliverToTarget, type AttemptFailure, type DeliveryOutcome, type RetryTiming } from './delivery.js';
import { RuleScheduler } from './schedule.js';
import { validateTargetInput } from './transform.js';
import type { BusConfig, EventBridgeEvent, RuleConfig, TargetConfig, TargetPorts } from './types.js';

/** What the service reports to observers: accepted events (the billable count), matches and deliveries. */
export type EventBridgeActivity =
  | { readonly type: 'accepted'; readonly busName: string; readonly event: EventBridgeEvent }
  | { readonly type: 'matched'; readonly rule: RuleConfig; readonly event: EventBridgeEvent }
  | ({
      readonly type: 'attempt-failed';
      readonly rule: RuleConfig;
      readonly target: TargetConfig;
      readonly event: EventBridgeEvent;
    } & AttemptFailure)
  | {
      readonly type: 'outcome';
      readonly rule: RuleConfig;
      readonly target: TargetConfig;
      readonly event: EventBridgeEvent;
      readonly outcome: DeliveryOutcome;
    };

/** Optional fault injection for parity and chaos tests. */
export interface EventBridgeFaults {
  /** Return an error to fail this delivery attempt before the port is called. */
  target?(rule: RuleConfig, target: TargetConfig, attempt: number): Error | undefined;
}

/** Flat configuration; buses and rules come from the synthesized template. */
export interface EventBridgeServiceProps {
  /** The `default` bus is added when absent, as every account has one. */
  readonly buses: readonly BusConfig[];
  readonly rules: readonly RuleConfig[];
  readonly ports: TargetPorts;
  /** @default real time and millisecond-scale back-off */
  readonly timing?: RetryTiming;
  readonly faults?: EventBridgeFaults;
  /**
   * Keeps every accepted event here until each matching target has it (delivered, dead-lettered or
   * dropped), so a crash loses no accepted event; call recover() on start. @default memory only
   */
  readonly journalPath?: string;
}

/** One accepted event still owed to one target, as the journal keeps it. */
interface PendingDelivery {
  readonly event: EventBridgeEvent;
  readonly ruleArn: string;
  readonly targetId: string;
  readonly ingestionTime: string;
}

type Input = Record<string, unknown>;
type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

const isoSeconds = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const required = (name: string): EntryResult => ({
  ErrorCode: 'InvalidArgument',
  ErrorMessage: `Parameter ${name} is not valid. Reason: ${name} is a required argument.`,
});

/**
 * A local Amazon EventBridge spoken over the AWS JSON protocol (X-Amz-Target AWSEvents.*), so the
 * unmodified @aws-sdk/client-eventbridge works against it. PutEvents routes each accepted event to the
 * targets of every enabled rule whose pattern matches; deliveries run after the response, as in AWS.
 */
export class EventBridgeService implements AwsJsonService {
  readonly targetPrefix = 'AWSEvents';
  /** EventBridge's SigV4 signing name: the router verifies every call with the local IAM keys. */
  readonly signingName = 'events';
  private readonly buses: ReadonlyMap<string, BusConfig>;
  private readonly rules: readonly RuleConfig[];
  private readonly patterns = new Map<RuleConfig, EventPattern>();
  private readonly listeners = new Set<(activity: EventBridgeActivity) => void>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly scheduler: RuleScheduler;
  private readonly journal: Journal<PendingDelivery> | undefined;

  constructor(private readonly props: EventBridgeServiceProps) {
    this.journal = props.journalPath ? new Journal<PendingDelivery>(props.journalPath) : undefined;
    const buses = [...props.buses];
    if (!buses.some((b) => b.name === 'default'))
      buses.push({ name: 'default', arn: eventBusArn('default') });
    this.buses = new Map(buses.map((b) => [b.name, b]));
    for (const rule of props.rules) {
      if (!this.buses.has(rule.busName)) {
        throw new Error(
          `rule ${rule.name} names bus ${rule.busName}, but only ${[...this.buses.keys()].join(', ')} exist`,
        );
      }
      if (rule.eventPattern !== undefined) {
        validatePattern(rule.eventPattern);
        this.patterns.set(rule, rule.eventPattern);
      }
      rule.targets.forEach(validateTargetInput);
    }
    this.rules = props.rules;
    this.scheduler = new RuleScheduler(
      props.rules,
      (rule, event) => this.dispatch(rule, event),
      () => new Date(this.now()),
    );
  }

  /** Subscribes to activity; returns the unsubscribe function. */
  onEvent(listener: (activity: EventBridgeActivity) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once every delivery started so far (retries and DLQ writes included) has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Starts the timers of enabled scheduled rules. */
  startSchedules(): void {
    this.scheduler.start();
  }

  /** Fires a scheduled rule now (for tests) and returns the event its targets receive. */
  triggerRule(name: string): EventBridgeEvent {
    return this.scheduler.triggerRule(name);
  }

  /** Stops the schedule timers; deliveries already under way finish (await idle()). */
  stop(): void {
    this.scheduler.stop();
  }

  /**
   * Restarts the deliveries a previous process accepted and did not finish (from the journal); returns
   * how many. Targets that no longer exist in the template are given up.
   */
  recover(): number {
    let started = 0;
    for (const [id, pending] of this.journal?.entries() ?? []) {
      const rule = this.rules.find((r) => r.arn === pending.ruleArn);
      const target = rule?.targets.find((t) => t.id === pending.targetId);
      if (!rule || !target) {
        this.journal?.done(id);
        continue;
      }
      this.deliver(rule, target, pending.event, pending.ingestionTime, id);
      started++;
    }
    return started;
  }

  /** Puts events as if through PutEvents, for in-process callers such as Pipes with a bus target. */
  putEvents(entries: readonly Input[]): { FailedEntryCount: number; Entries: EntryResult[] } {
    // One journal write for the whole call: the events are stored before the caller sees EventIds.
    const put = () => entries.map((entry) => this.putEntry(entry));
    const results = this.journal ? this.journal.batch(put) : put();
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  }

  async handle(operation: string, input: Input): Promise<unknown> {
    switch (operation) {
      case 'PutEvents':
        return this.handlePutEvents(input);
      case 'ListEventBuses':
        return this.listEventBuses(input);
      case 'DescribeEventBus':
        return this.describeEventBus(input);
      case 'ListRules':
        return this.listRules(input);
      case 'DescribeRule':
        return this.describeRule(this.findRule(input.Name, input.EventBusName));
      case 'ListTargetsByRule':
        return { Targets: this.findRule(input.Rule, input.EventBusName).targets.map(targetToApi) };
      case 'TestEventPattern':
        return this.testEventPattern(input);
      default:
        throw new AwsServiceError(
          'UnknownOperationException',
          `Operation ${operation} is not supported by the local EventBridge`,
        );
    }
  }

  private now(): number {
    return (this.props.timing?.now ?? Date.now)();
  }

  private emit(activity: EventBridgeActivity): void {
    for (const listener of this.listeners) listener(activity);
  }

  private handlePutEvents(input: Input) {
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > 10) {
      const n = Array.isArray(entries) ? entries.length : 0;
      throw new AwsServiceError(
        'ValidationException',
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and 10, received ${n}`,
      );
    }
    return this.putEvents(entries as Input[]);
  }

  private busFor(nameOrArn: unknown): BusConfig | undefined {
    const key = typeof nameOrArn === 'string' && nameOrArn !== '' ? nameOrArn : 'default';
    return this.buses.get(key) ?? [...this.buses.values()].find((b) => b.arn === key);
  }

  private putEntry(entry: Input): EntryResult {
    const { Source, DetailType, Detail, Resources, Time, EventBusName } = entry;
    if (typeof Source !== 'string' || Source === '') return required('Source');
    if (typeof DetailType !== 'string' || DetailType === '') return required('DetailType');
    if (typeof Detail !== 'string' || Detail === '') return required('Detail');
    let detail: unknown;
    try {
      detail = JSON.parse(Detail);
    } catch {
      detail = undefined;
    }
    // PutEventsRequestEntry: Detail is "a valid JSON object".
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    const bus = this.busFor(EventBusName);
    if (!bus) {
      // Deliberately stricter than AWS, which has been reported to accept events for a missing bus.
      return {
        ErrorCode: 'ResourceNotFoundException',
        ErrorMessage: `Event bus ${String(EventBusName)} does not exist.`,
      };
    }
    const ingested = new Date(this.now());
    const time =
      typeof Time === 'number' ? new Date(Time * 1000) : typeof Time === 'string' ? new Date(Time) : ingested;
    const event: EventBridgeEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': DetailType,
      source: Source,
      account: LOCAL_ACCOUNT,
      time: isoSeconds(Number.isNaN(time.getTime()) ? ingested : time),
      region: LOCAL_REGION,
      resources: Array.isArray(Resources) ? Resources.filter((r): r is string => typeof r === 'string') : [],
      detail: detail as Record<string, unknown>,
    };
    this.emit({ type: 'accepted', busName: bus.name, event });
    for (const rule of this.rules) {
      const pattern = this.patterns.get(rule);
      if (rule.busName !== bus.name || rule.state !== 'ENABLED' || !pattern) continue;
      if (matchesPattern(pattern, event)) this.dispatch(rule, event, isoSeconds(ingested));
    }
    return { EventId: event.id };
  }

  private dispatch(
    rule: RuleConfig,
    event: EventBridgeEvent,
    ingestionTime = isoSeconds(new Date(this.now())),
  ): void {
    this.emit({ type: 'matched', rule, event });
    for (const target of rule.targets) {
      const id = `${event.id}|${rule.arn}|${target.id}`;
      this.journal?.put(id, { event, ruleArn: rule.arn, targetId: target.id, ingestionTime });
      this.deliver(rule, target, event, ingestionTime, id);
    }
  }

  private deliver(
    rule: RuleConfig,
    target: TargetConfig,
    event: EventBridgeEvent,
    ingestionTime: string,
    journalId: string,
  ): void {
    const run = deliverToTarget(event, {
      rule,
      target,
      ports: this.props.ports,
      ingestionTime,
      timing: this.props.timing,
      fault: this.props.faults?.target
        ? (attempt) => this.props.faults!.target!(rule, target, attempt)
        : undefined,
      onAttemptFailed: (failure) => this.emit({ type: 'attempt-failed', rule, target, event, ...failure }),
    })
      .then((outcome) => {
        this.journal?.done(journalId);
        this.emit({ type: 'outcome', rule, target, event, outcome });
      })
      .catch(() => {
        // Only the DLQ write can reject here; EventBridge counts it as InvocationsFailedToBeSentToDLQ.
        this.journal?.done(journalId);
        const outcome = {
          type: 'dropped',
          attempts: 0,
          errorCode: 'InvocationsFailedToBeSentToDLQ',
        } as const;
        this.emit({ type: 'outcome', rule, target, event, outcome });
      });
    const tracked = run.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  private listEventBuses(input: Input) {
    const prefix = typeof input.NamePrefix === 'string' ? input.NamePrefix : '';
    const buses = [...this.buses.values()].filter((b) => b.name.startsWith(prefix));
    return { EventBuses: buses.map((b) => ({ Name: b.name, Arn: b.arn })) };
  }

  private describeEventBus(input: Input) {
    const bus = this.busFor(input.Name);
    if (!bus)
      throw new AwsServiceError(
        'ResourceNotFoundException',
        `Event bus ${String(input.Name)} does not exist.`,
      );
    return { Name: bus.name, Arn: bus.arn };
  }

  private findRule(name: unknown, busNameOrArn: unknown): RuleConfig {
    const bus = this.busFor(busNameOrArn);
    const busName = bus?.name ?? String(busNameOrArn);
    const rule = this.rules.find((r) => r.name === name && r.busName === busName);
    if (!rule)
      throw new AwsServiceError(
        'ResourceNotFoundException',
        `Rule ${String(name)} does not exist on EventBus ${busName}.`,
      );
    return rule;
  }

  private describeRule(rule: RuleConfig) {
    return {
      Name: rule.name,
      Arn: rule.arn,
      EventBusName: rule.busName,
      State: rule.state,
      ...(rule.eventPattern !== undefined ? { EventPattern: JSON.stringify(rule.eventPattern) } : {}),
      ...(rule.scheduleExpression !== undefined ? { ScheduleExpression: rule.scheduleExpression } : {}),
      ...(rule.description !== undefined ? { Description: rule.description } : {}),
    };
  }

  private listRules(input: Input) {
    const bus = this.busFor(input.EventBusName);
    const prefix = typeof input.NamePrefix === 'string' ? input.NamePrefix : '';
    const rules = this.rules.filter((r) => r.busName === bus?.name && r.name.startsWith(prefix));
    return { Rules: rules.map((r) => this.describeRule(r)) };
  }

  private testEventPattern(input: Input) {
    const parse = (text: unknown, what: string): unknown => {
      try {
        return JSON.parse(String(text));
      } catch {
        throw new AwsServiceError(
          what === 'EventPattern' ? 'InvalidEventPatternException' : 'ValidationException',
          `${what} is not valid JSON.`,
        );
      }
    };
    const pattern = parse(input.EventPattern, 'EventPattern');
    validatePattern(pattern);
    return { Result: matchesPattern(pattern, parse(input.Event, 'Event')) };
  }
}

/** A target as ListTargetsByRule returns it. */
function targetToApi(t: TargetConfig) {
  return {
    Id: t.id,
    Arn: t.arn,
    ...(t.input !== undefined ? { Input: t.input } : {}),
    ...(t.inputPath !== undefined ? { InputPath: t.inputPath } : {}),
    ...(t.inputTransformer
      ? {
          InputTransformer: {
            InputPathsMap: t.inputTransformer.inputPathsMap,
            InputTemplate: t.inputTransformer.inputTemplate,
          },
        }
      : {}),
    ...(t.retryPolicy
      ? {
          RetryPolicy: {
            MaximumRetryAttempts: t.retryPolicy.maximumRetryAttempts,
            MaximumEventAgeInSeconds: t.retryPolicy.maximumEventAgeInSeconds,
          },
        }
      : {}),
    ...(t.deadLetterArn ? { DeadLetterConfig: { Arn: t.deadLetterArn } } : {}),
  };
}
