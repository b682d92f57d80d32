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

/**
 * Memory, architecture and platform-log filtering (LoggingConfig) of every AWS::Lambda::Function, by
 * physical name.
 */
export function meteredFunctionsOf(assembly: Assembly): Map<string, MeteredFunction> {
  return new Map(
    assembly.resources('AWS::Lambda::Function').map((r) => {
      const arch = Array.isArray(r.properties.Architectures)
        ? String(r.properties.Architectures[0])
        : 'x86_64';
      const memory = Number(r.properties.MemorySize ?? 128);
      const logging = (r.properties.LoggingConfig ?? {}) as { LogFormat?: unknown; SystemLogLevel?: unknown };
      // Lambda filters system logs by level only in the JSON log format; WARN is the least verbose level.
      const platformLines = !(logging.LogFormat === 'JSON' && logging.SystemLogLevel === 'WARN');
      return [
        r.physicalName,
        { memoryMb: memory, architecture: arch === 'arm64' ? 'arm64' : 'x86_64', platformLines },
      ];
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
  const offSns = attachSnsMeter(meter, sns);
  return () => {
    off();
    offSns();
  };
}

/**
 * Meters every SNS publish request: a Publish by its message, a PublishBatch as one request by the
 * aggregate size of its messages, both in 64 KB chunks. AWS: "Each 64KB chunk of published data is
 * billed as 1 request" (https://aws.amazon.com/sns/pricing/), and batching "can help you reduce the
 * costs ... by a factor of up to 10" because a batch of up to 10 messages is one request
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-batch-api-actions.html). Returns a function that
 * detaches.
 */
export function attachSnsMeter(meter: CostMeter, sns: SnsService): () => void {
  const publish = sns.publish.bind(sns);
  const publishBatch = sns.publishBatch.bind(sns);
  // True while a batch publishes its entries: they are billed with the batch, not one by one.
  let inBatch = false;
  sns.publish = (topicArn, message, extra) => {
    const entry = publish(topicArn, message, extra);
    if (!inBatch) meter.snsPublish(topicArn, [message]);
    return entry;
  };
  sns.publishBatch = (topicArn, entries) => {
    inBatch = true;
    let published;
    try {
      published = publishBatch(topicArn, entries);
    } finally {
      inBatch = false;
    }
    meter.snsPublish(
      topicArn,
      entries.map((e) => e.message),
    );
    return published;
  };
  return () => {
    sns.publish = publish;
    sns.publishBatch = publishBatch;
  };
}
