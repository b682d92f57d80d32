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
import { SimulatedPaymentGateway } from './gateway.js';
import { handlePaymentEvent, type PaymentDeps } from './logic.js';

const dynamodb = tracer.captureAWSv3Client(new DynamoDBClient({}));
const doc = createDocumentClient(dynamodb);
const tableName = requireEnv('TABLE_NAME');
const appsync = createAppSyncClient({ url: requireEnv('APPSYNC_URL') });
/** The provider adapter; the simulator until a real provider is wired behind the same port. */
const gateway = new SimulatedPaymentGateway();
const topicArn = process.env.NOTIFICATION_TOPIC_ARN;
const sns = topicArn ? tracer.captureAWSv3Client(new SNSClient({})) : null;

const deps: PaymentDeps = {
  gateway,
  appsync,
  logger,
  async readOrder(orderId) {
    const out = await doc.send(
      new GetCommand({ TableName: tableName, Key: orderKey(orderId), ConsistentRead: true }),
    );
    // The view (domain/views.ts) carries the payment's currency and each part's subtotal, which the item
    // derives from the order; the refunded parts are the item's own (absent until the first refund).
    const item = out.Item ? orderFromItem(out.Item as OrderItem) : undefined;
    return item ? { ...orderView(item), refundedVendorIds: item.refundedVendorIds ?? [] } : null;
  },
  // The payment notices' mail in one PublishBatch request, as the notification consumer mails its own.
  publishToTopic: sns && topicArn ? topicPublisher(sns, topicArn) : undefined,
};

/** EventBridge → Lambda, one domain event per invocation; throws so async retries and the DLQ apply. */
export const handler = powertoolsHandler(async (event: DomainEventBridgeEvent) => {
  const envelope = envelopeOf(event);
  await withDomainEvent(envelope, { logger, metrics }, () => handlePaymentEvent(envelope, deps));
});
