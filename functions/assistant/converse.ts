import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';

/** The assistant port: a question and some context in, an answer out. */
export interface AssistantModel {
  answer(question: string, context: string): Promise<string>;
}

/** Options for the Bedrock Converse adapter. */
export interface ConverseAssistantOptions {
  readonly client: Pick<BedrockRuntimeClient, 'send'>;
  readonly modelId: string;
  /** @default 512 */
  readonly maxTokens?: number;
}

const SYSTEM_PROMPT =
  "You answer questions about the customer's orders using only the order data given. If the data does not answer the question, say so.";

/** A minimal adapter over Bedrock's Converse API (one user turn, text only). */
export function converseAssistant(options: ConverseAssistantOptions): AssistantModel {
  return {
    async answer(question, context) {
      const out = await options.client.send(
        new ConverseCommand({
          modelId: options.modelId,
          system: [{ text: SYSTEM_PROMPT }],
          messages: [{ role: 'user', content: [{ text: `Orders:\n${context}\n\nQuestion: ${question}` }] }],
          inferenceConfig: { maxTokens: options.maxTokens ?? 512, temperature: 0 },
        }),
      );
      const blocks = out.output?.message?.content ?? [];
      const text = blocks.map((b) => ('text' in b && typeof b.text === 'string' ? b.text : '')).join('');
      if (text === '')
        throw new Error(`Bedrock answered without text (stopReason ${out.stopReason ?? 'unknown'})`);
      return text;
    },
  };
}
