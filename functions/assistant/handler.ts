import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from '../lib/table.js';
import { requireEnv } from '../lib/env.js';
import { logger, metrics, powertoolsHandler, tracer } from '../lib/powertools.js';
import { answerQuestion, parseAskEvent } from './assistant.js';
import { dynamoOrderReader } from './reader.js';

/**
 * The askAboutOrders Lambda (AppSync data source `assistant`). Configuration:
 * - BEDROCK_MODEL_ID: the model or inference profile id (infra sets a Claude Haiku model).
 * - BEDROCK_REGION: the Bedrock region; @default the function's region.
 * - BEDROCK_PROFILE: an AWS profile for the Bedrock client only (the local runtime sets it from
 *   ORDERLOOP_BEDROCK_PROFILE); unset in AWS, where the function's role signs.
 * - AWS_ENDPOINT_URL_BEDROCK_RUNTIME: the SDK's own endpoint override; locally it refuses connections.
 */
const region = process.env.BEDROCK_REGION;
const profile = process.env.BEDROCK_PROFILE;
// The SDK's standard retry mode (3 attempts with backoff) retries throttling and refused connections;
// the loop's abort signal keeps the retries inside its time budget, then the simple answer takes over.
const bedrock = tracer.captureAWSv3Client(
  new BedrockRuntimeClient({
    ...(region ? { region } : {}),
    ...(profile ? { profile } : {}),
  }),
);
const deps = {
  reader: dynamoOrderReader(
    createDocumentClient(tracer.captureAWSv3Client(new DynamoDBClient({}))),
    requireEnv('TABLE_NAME'),
  ),
  model: { client: bedrock, modelId: requireEnv('BEDROCK_MODEL_ID') },
  onToolFailure: (name: string, error: unknown) =>
    logger.error('assistant tool failed', { tool: name, error }),
};

/** Answers one question (the resolver's Invoke payload) with an AssistantAnswer. */
export const handler = powertoolsHandler(async (event: unknown) => {
  const ask = parseAskEvent(event);
  const { answer, report } = await answerQuestion(ask, deps);
  // Token usage as log fields and metrics, so a cost meter can count them per question (local/meter reads
  // this line's inputTokens and outputTokens, as a metric filter would).
  logger.info('assistant answered', {
    askerKind: ask.asker.kind,
    source: report.source,
    reason: report.reason,
    detail: report.detail,
    inputTokens: report.usage.inputTokens,
    outputTokens: report.usage.outputTokens,
    modelCalls: report.modelCalls,
    toolCalls: report.toolCalls,
    orderIds: answer.orderIds.length,
  });
  metrics.addMetric('AssistantInputTokens', MetricUnit.Count, report.usage.inputTokens);
  metrics.addMetric('AssistantOutputTokens', MetricUnit.Count, report.usage.outputTokens);
  metrics.addMetric(
    report.source === 'model' ? 'AssistantModelAnswers' : 'AssistantSimpleAnswers',
    MetricUnit.Count,
    1,
  );
  return answer;
});
