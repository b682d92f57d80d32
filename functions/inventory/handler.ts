import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { requireEnv } from '../lib/env.js';
import { envelopeOf, withDomainEvent, type DomainEventBridgeEvent } from '../lib/events.js';
import { logger, metrics, powertoolsHandler, tracer } from '../lib/powertools.js';
import { createDocumentClient } from '../lib/table.js';
import { handleInventoryEvent, type InventoryDeps } from './logic.js';

const deps: InventoryDeps = {
  doc: createDocumentClient(tracer.captureAWSv3Client(new DynamoDBClient({}))),
  tableName: requireEnv('TABLE_NAME'),
  logger,
};

/** EventBridge → Lambda, one domain event per invocation; throws so async retries and the DLQ apply. */
export const handler = powertoolsHandler(async (event: DomainEventBridgeEvent) => {
  const envelope = envelopeOf(event);
  await withDomainEvent(envelope, { logger, metrics }, () => handleInventoryEvent(envelope, deps));
});
