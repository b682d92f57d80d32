import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { createAppSyncClient } from '../lib/appsync-client.js';
import { requireEnv } from '../lib/env.js';
import { envelopeOf, withDomainEvent, type DomainEventBridgeEvent } from '../lib/events.js';
import { logger, metrics, powertoolsHandler, tracer } from '../lib/powertools.js';
import { createDocumentClient } from '../lib/table.js';
import { topicPublisher } from '../lib/topic.js';
import { orderKey } from '../../domain/keys.js';
import { SimulatedPaymentGateway } from './gateway.js';
import {
  chargePayment,
  handlePaymentEvent,
  type PaymentDeps,
  type PaymentRequest,
  type StoredOrderPayment,
} from './logic.js';

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
    return (out.Item as StoredOrderPayment | undefined) ?? null;
  },
  // The payment notices' mail in one PublishBatch request, as the notification consumer mails its own.
  publishToTopic: sns && topicArn ? topicPublisher(sns, topicArn) : undefined,
};

const idempotencyConfig = new IdempotencyConfig({ eventKeyJmesPath: '[orderId, attempt]' });
/** One charge per order attempt, whatever the redeliveries (Powertools idempotency on IDEMPOTENCY_TABLE_NAME). */
const chargeOnce = makeIdempotent((request: PaymentRequest) => chargePayment(request, deps), {
  persistenceStore: new DynamoDBPersistenceLayer({
    tableName: requireEnv('IDEMPOTENCY_TABLE_NAME'),
    awsSdkV3Client: dynamodb,
  }),
  config: idempotencyConfig,
});

/** EventBridge → Lambda, one domain event per invocation; throws so async retries and the DLQ apply. */
export const handler = powertoolsHandler(async (event: DomainEventBridgeEvent, context: Context) => {
  idempotencyConfig.registerLambdaContext(context);
  const envelope = envelopeOf(event);
  await withDomainEvent(envelope, { logger, metrics }, () => handlePaymentEvent(envelope, deps, chargeOnce));
});
