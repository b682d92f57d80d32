/**
 * Where the meter plugs into the stack: the assembly (function sizes), the AppSync counter's events,
 * the events half's usage activity, the bus and the SNS service. Kept here so each service carries
 * at most a one-line hook.
 */
import type { Assembly } from '../assembly/index.js';
import type { BillableEvent } from '../appsync/server/hooks.js';
import type { UsageActivity } from '../events/runtime.js';
import type { EventBridgeService } from '../events/eventbridge/index.js';
import type { SnsService } from '../sns/index.js';
import type { CostMeter, MeteredFunction } from './meter.js';
import type { Dimension } from './prices.js';

/** Memory and architecture of every AWS::Lambda::Function, by physical name. */
export function meteredFunctionsOf(assembly: Assembly): Map<string, MeteredFunction> {
  return new Map(
    assembly.resources('AWS::Lambda::Function').map((r) => {
      const arch = Array.isArray(r.properties.Architectures)
        ? String(r.properties.Architectures[0])
        : 'x86_64';
      const memory = Number(r.properties.MemorySize ?? 128);
      return [r.physicalName, { memoryMb: memory, architecture: arch === 'arm64' ? 'arm64' : 'x86_64' }];
    }),
  );
}

const APPSYNC: Record<BillableEvent['dimension'], Dimension> = {
  query: 'appsync.query',
  mutation: 'appsync.mutation',
  realtimeMessage: 'appsync.realtimeUpdate',
  connectionMinute: 'appsync.connectionMinute',
};

/** Counts one AppSync billable event (the RequestCounter's `onRequest`). */
export function observeAppSync(meter: CostMeter, event: BillableEvent): void {
  meter.add(APPSYNC[event.dimension], event.count, event.detail);
}

/**
 * Counts the events half's usage increments the meter does not see elsewhere: pipe requests (already
 * in 64 KB chunks) and SQS requests. Events and Lambda come from the bus and the host, which see sizes,
 * retries and durations.
 */
export function observeEventsActivity(meter: CostMeter, activity: UsageActivity): void {
  if (activity.dimension === 'pipeRequests') meter.add('pipes.request', activity.amount);
  else if (activity.dimension === 'sqsRequests') meter.add('sqs.request', activity.amount);
}

/** Meters every event a bus accepts and every SNS publish; returns a function that detaches. */
export function attachEventsMeter(meter: CostMeter, bus: EventBridgeService, sns: SnsService): () => void {
  const off = bus.onEvent((activity) => {
    if (activity.type === 'accepted') meter.busEvent(activity.busName, activity.event);
  });
  const publish = sns.publish.bind(sns);
  sns.publish = (topicArn, message, extra) => {
    const entry = publish(topicArn, message, extra);
    meter.snsPublish(topicArn, message);
    return entry;
  };
  return () => {
    off();
    sns.publish = publish;
  };
}
