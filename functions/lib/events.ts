import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { EventBridgeEvent } from 'aws-lambda';
import { parseEnvelope, type Envelope } from '../../domain/events/envelope.js';

/** The EventBridge event a rule hands a consumer: one domain event per invocation. */
export type DomainEventBridgeEvent = EventBridgeEvent<string, unknown>;

/** Reads the domain envelope out of an EventBridge event; throws (so Lambda retries, then the DLQ) when it is malformed. */
export function envelopeOf(event: DomainEventBridgeEvent): Envelope {
  return parseEnvelope(event.detail);
}

/** The slice of the AppSync client consumers use, so unit tests pass a fake. */
export interface AppSyncPort {
  request<TResult, TVariables>(
    document: { toString(): string; __apiType?: (variables: TVariables) => TResult },
    variables: TVariables,
    options?: { correlationId?: string },
  ): Promise<TResult>;
}

/** A clock port, so tests fix the time. */
export type Clock = () => Date;

/** The Powertools tools a consumer's handler shares with withDomainEvent. */
export interface HandlerTools {
  logger: Pick<Logger, 'appendKeys'>;
  metrics: Pick<Metrics, 'addMetric'>;
}

/**
 * Runs the work for one domain event with its correlation id, type and id on every log line, and counts
 * the event by type once the work succeeds. It runs inside powertoolsHandler (functions/lib/powertools.ts),
 * whose middleware drops those keys and flushes the metrics when the invocation ends; errors propagate
 * so Lambda's async retries and the DLQ apply.
 */
export async function withDomainEvent<T>(
  envelope: Envelope,
  tools: HandlerTools,
  work: () => Promise<T>,
): Promise<T> {
  tools.logger.appendKeys({
    correlationId: envelope.correlationId,
    eventType: envelope.type,
    eventId: envelope.id,
  });
  const result = await work();
  tools.metrics.addMetric(envelope.type, MetricUnit.Count, 1);
  return result;
}
