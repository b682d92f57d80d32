import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { z } from 'zod';
import type { AssistantAnswer } from '../../domain/generated/schema.js';
import { converseWithTools, ModelUnavailable, type TokenUsage, type UnavailableReason } from './converse.js';
import { simpleAnswer } from './fallback.js';
import { questionViolation, type AskEvent } from './question.js';
import type { OrderReader } from './reader.js';
import { toolsFor } from './tools.js';

/** What answering needs: the table reader, the model (absent: always the simple answer) and a clock. */
export interface AssistantDeps {
  readonly reader: OrderReader;
  readonly model?: {
    readonly client: Pick<BedrockRuntimeClient, 'send'>;
    readonly modelId: string;
    readonly maxModelCalls?: number;
    readonly budgetMs?: number;
  };
  readonly now?: () => number;
  readonly onToolFailure?: (name: string, error: unknown) => void;
}

/** How one question was answered, for the logs and the token metrics. */
export interface AnswerReport {
  readonly source: 'model' | 'fallback';
  /** Why the model did not answer, when it did not. */
  readonly reason: UnavailableReason | 'not_configured' | null;
  readonly detail: string | null;
  readonly usage: TokenUsage;
  readonly modelCalls: number;
  readonly toolCalls: number;
}

const askEventSchema = z.object({
  question: z.string(),
  asker: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('customer'), id: z.string().min(1), vendorId: z.null() }),
    z.object({ kind: z.literal('vendor'), id: z.string().min(1), vendorId: z.string().min(1) }),
  ]),
});

/** Reads the resolver's event; throws on anything else (only the askAboutOrders resolver invokes us). */
export function parseAskEvent(event: unknown): AskEvent {
  const parsed = askEventSchema.parse(event);
  const violation = questionViolation(parsed.question);
  if (violation) throw new Error(`invalid question: ${violation.reason}`);
  return parsed;
}

/**
 * Answers one question: the model with the asker's tools first, the simple answer when the model is
 * unavailable. The order ids are the asker's orders the tools read that the answer names (or all it
 * read, when it names none); the tools only ever return the asker's orders.
 */
export async function answerQuestion(
  event: AskEvent,
  deps: AssistantDeps,
): Promise<{ answer: AssistantAnswer; report: AnswerReport }> {
  const tools = toolsFor(event.asker, deps.reader);
  let unavailable: ModelUnavailable | null = null;
  if (deps.model) {
    try {
      const model = await converseWithTools({
        client: deps.model.client,
        modelId: deps.model.modelId,
        asker: event.asker,
        question: event.question,
        tools,
        ...(deps.model.maxModelCalls !== undefined ? { maxModelCalls: deps.model.maxModelCalls } : {}),
        ...(deps.model.budgetMs !== undefined ? { budgetMs: deps.model.budgetMs } : {}),
        ...(deps.now ? { now: deps.now } : {}),
        ...(deps.onToolFailure ? { onToolFailure: deps.onToolFailure } : {}),
      });
      const named = model.readOrderIds.filter((id) => model.text.includes(id));
      return {
        answer: {
          answer: model.truncated ? `${model.text} …` : model.text,
          orderIds: named.length > 0 ? named : [...model.readOrderIds],
          fallback: false,
        },
        report: {
          source: 'model',
          reason: null,
          detail: model.truncated ? 'the answer reached maxTokens and was cut short' : null,
          usage: model.usage,
          modelCalls: model.modelCalls,
          toolCalls: model.toolCalls,
        },
      };
    } catch (error) {
      if (!(error instanceof ModelUnavailable)) throw error;
      unavailable = error;
    }
  }
  const simple = await simpleAnswer(event.question, event.asker, tools);
  return {
    answer: { answer: simple.text, orderIds: [...simple.orderIds], fallback: true },
    report: {
      source: 'fallback',
      reason: unavailable?.reason ?? 'not_configured',
      detail: unavailable?.detail ?? null,
      usage: unavailable?.usage ?? { inputTokens: 0, outputTokens: 0 },
      modelCalls: unavailable?.modelCalls ?? 0,
      toolCalls: 0,
    },
  };
}
