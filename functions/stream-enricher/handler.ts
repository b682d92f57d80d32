import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { toDomainEvents, type StreamRecord } from '../../domain/events/fromStream.js';
import { logger, metrics, powertoolsHandler } from '../lib/powertools.js';

/**
 * The pipe's enrichment step: Pipes hands it the bare array of stream records, and every element of the
 * returned array becomes one event on the bus. One record may mean several events (an order item's write
 * that moves its parts: each part's event, then the order's), so the array may be longer than the batch.
 */
export const handler = powertoolsHandler(async (records: StreamRecord[]) => {
  const events = toDomainEvents(records);
  metrics.addMetric('domainEventsMapped', MetricUnit.Count, events.length);
  logger.info('mapped stream records to domain events', {
    records: records.length,
    events: events.map((e) => ({ type: e.type, id: e.id, correlationId: e.correlationId })),
  });
  return events;
});
