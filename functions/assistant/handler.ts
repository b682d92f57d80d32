import { Logger } from '@aws-lambda-powertools/logger';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { requireEnv } from '../lib/env.js';
import { converseAssistant } from './converse.js';

const logger = new Logger();
const model = converseAssistant({
  client: new BedrockRuntimeClient({}),
  modelId: requireEnv('BEDROCK_MODEL_ID'),
});

/** What the askAboutOrders resolver will send (the Lambda data source payload). */
export interface AskEvent {
  question: string;
  /** The caller's orders, summarised by the resolver. */
  orders: { id: string; status: string; total: number; currency: string; createdAt: string }[];
}

/** Answers a question about the given orders; the resolver answers NotAvailable until it is wired. */
export const handler = async (event: AskEvent) => {
  const context = event.orders
    .map((o) => `${o.id}: ${o.status}, ${o.total} ${o.currency}, placed ${o.createdAt}`)
    .join('\n');
  const answer = await model.answer(event.question, context);
  logger.info('assistant answered', { orders: event.orders.length });
  return { answer, orderIds: event.orders.map((o) => o.id) };
};
