import { Logger } from '@aws-lambda-powertools/logger';
import { toDomainEvents, type StreamRecord } from '../../domain/events/fromStream.js';

const logger = new Logger({ serviceName: 'stream-enricher' });

/**
 * The pipe's enrichment step: Pipes hands it the bare array of stream records, and every element of the
 * returned array becomes one event on the bus.
 */
export const handler = async (records: StreamRecord[]) => {
  const events = toDomainEvents(records);
  logger.info('mapped stream records to domain events', {
    records: records.length,
    events: events.map((e) => ({ type: e.type, id: e.id, correlationId: e.correlationId })),
  });
  return events;
};
