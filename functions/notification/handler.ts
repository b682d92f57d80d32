import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { createAppSyncClient } from '../lib/appsync-client.js';
import { requireEnv } from '../lib/env.js';
import { envelopeOf, withDomainEvent, type DomainEventBridgeEvent } from '../lib/events.js';
import { logger, metrics, powertoolsHandler, tracer } from '../lib/powertools.js';
import { createDocumentClient } from '../lib/table.js';
import { topicPublisher } from '../lib/topic.js';
import { orderKey } from '../../domain/keys.js';
import { orderFromItem, orderView, type OrderItem } from '../../domain/views.js';
import { handleNotificationEvent, type NotificationDeps } from './logic.js';

const doc = createDocumentClient(tracer.captureAWSv3Client(new DynamoDBClient({})));
const tableName = requireEnv('TABLE_NAME');
const topicArn = process.env.NOTIFICATION_TOPIC_ARN;
const sns = topicArn ? tracer.captureAWSv3Client(new SNSClient({})) : null;

const deps: NotificationDeps = {
  appsync: createAppSyncClient({ url: requireEnv('APPSYNC_URL') }),
  logger,
  async readOrder(orderId) {
    const out = await doc.send(
      new GetCommand({ TableName: tableName, Key: orderKey(orderId), ConsistentRead: true }),
    );
    // The view (domain/views.ts): the item derives its vendor ids and its payment's orderId and currency.
    return out.Item ? orderView(orderFromItem(out.Item as OrderItem)) : null;
  },
  publishToTopic: sns && topicArn ? topicPublisher(sns, topicArn) : undefined,
};

/** EventBridge → Lambda, one domain event per invocation; throws so async retries and the DLQ apply. */
export const handler = powertoolsHandler(async (event: DomainEventBridgeEvent) => {
  const envelope = envelopeOf(event);
  await withDomainEvent(envelope, { logger, metrics }, () => handleNotificationEvent(envelope, deps));
});
