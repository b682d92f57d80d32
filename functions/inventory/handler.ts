import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { requireEnv } from '../lib/env.js';
import { envelopeOf, withDomainEvent, type DomainEventBridgeEvent } from '../lib/events.js';
import { createDocumentClient } from '../lib/table.js';
import { handleInventoryEvent, type InventoryDeps } from './logic.js';

const logger = new Logger();
const metrics = new Metrics();
const tracer = new Tracer();
const deps: InventoryDeps = {
  doc: createDocumentClient(tracer.captureAWSv3Client(new DynamoDBClient({}))),
  tableName: requireEnv('TABLE_NAME'),
  logger,
};

/** EventBridge → Lambda, one domain event per invocation; throws so async retries and the DLQ apply. */
export const handler = async (event: DomainEventBridgeEvent) => {
  const envelope = envelopeOf(event);
  await withDomainEvent(envelope, { logger, metrics }, () => handleInventoryEvent(envelope, deps));
};
