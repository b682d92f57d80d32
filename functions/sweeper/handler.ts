import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { intEnv, requireEnv } from '../lib/env.js';
import { logger, metrics, powertoolsHandler, tracer } from '../lib/powertools.js';
import { createDocumentClient } from '../lib/table.js';
import { isEvent } from '../../domain/events/envelope.js';
import { envelopeOf, withDomainEvent, type DomainEventBridgeEvent } from '../lib/events.js';
import { completeDeliveredOrder, sweep, type SweeperDeps } from './logic.js';

const deps: SweeperDeps = {
  doc: createDocumentClient(tracer.captureAWSv3Client(new DynamoDBClient({}))),
  tableName: requireEnv('TABLE_NAME'),
  logger,
  clock: () => new Date(),
  unpaidTtlMinutes: intEnv('UNPAID_ORDER_TTL_MINUTES', 30),
};

/**
 * Two triggers: the schedule sweeps (expires unpaid orders, completes any delivered order left behind),
 * and order.statusChanged to DELIVERED completes that order at once, in a write of its own so
 * subscribers see DELIVERED and then COMPLETED.
 */
export const handler = powertoolsHandler(async (event: DomainEventBridgeEvent, context) => {
  if (event['detail-type'] === 'Scheduled Event') {
    const result = await sweep({ ...deps, remainingMs: () => context.getRemainingTimeInMillis() });
    metrics.addMetric('ordersExpired', MetricUnit.Count, result.expired.length);
    metrics.addMetric('ordersCompleted', MetricUnit.Count, result.completed.length);
    return result;
  }
  const envelope = envelopeOf(event);
  return withDomainEvent(envelope, { logger, metrics }, async () => {
    if (!isEvent(envelope, 'order.statusChanged') || envelope.data.status !== 'DELIVERED') return null;
    const completed = await completeDeliveredOrder(envelope.data.orderId, deps);
    metrics.addMetric('ordersCompleted', MetricUnit.Count, completed ? 1 : 0);
    return { completed: completed ? [envelope.data.orderId] : [] };
  });
});
