import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { intEnv, requireEnv } from '../lib/env.js';
import { createDocumentClient } from '../lib/table.js';
import { sweep, type SweeperDeps } from './logic.js';

const logger = new Logger();
const metrics = new Metrics();
const tracer = new Tracer();
const deps: SweeperDeps = {
  doc: createDocumentClient(tracer.captureAWSv3Client(new DynamoDBClient({}))),
  tableName: requireEnv('TABLE_NAME'),
  logger,
  clock: () => new Date(),
  unpaidTtlMinutes: intEnv('UNPAID_ORDER_TTL_MINUTES', 30),
};

/** Runs on a schedule; the scheduled event's content does not matter. */
export const handler = async () => {
  try {
    const result = await sweep(deps);
    metrics.addMetric('ordersExpired', MetricUnit.Count, result.expired.length);
    metrics.addMetric('ordersCompleted', MetricUnit.Count, result.completed.length);
    return result;
  } finally {
    metrics.publishStoredMetrics();
  }
};
