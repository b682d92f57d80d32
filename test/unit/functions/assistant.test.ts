import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { converseAssistant } from '../../../functions/assistant/converse.js';

describe('Bedrock Converse assistant adapter', () => {
  it('sends one user turn with the orders and returns the text of the answer', async () => {
    // Prepare
    const bedrock = mockClient(BedrockRuntimeClient);
    // Bedrock API reference, Converse: output.message.content is a list of content blocks with `text`.
    bedrock.on(ConverseCommand).resolves({
      output: { message: { role: 'assistant', content: [{ text: 'Order o1 ' }, { text: 'has shipped.' }] } },
      stopReason: 'end_turn',
      usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
      metrics: { latencyMs: 1 },
    });
    const model = converseAssistant({
      client: new BedrockRuntimeClient({ region: 'us-east-1' }),
      modelId: 'model-x',
    });
    // Act
    const answer = await model.answer('Where is my order?', 'o1: SHIPPED');
    // Assess
    expect(answer).toBe('Order o1 has shipped.');
    const input = bedrock.commandCalls(ConverseCommand)[0]?.args[0].input;
    expect(input?.modelId).toBe('model-x');
    expect(input?.messages?.[0]?.role).toBe('user');
    expect(JSON.stringify(input?.messages)).toContain('o1: SHIPPED');
    bedrock.restore();
  });

  it('fails when the model answers without text', async () => {
    // Prepare
    const bedrock = mockClient(BedrockRuntimeClient);
    bedrock.on(ConverseCommand).resolves({
      output: { message: { role: 'assistant', content: [] } },
      stopReason: 'max_tokens',
      usage: { inputTokens: 1, outputTokens: 0, totalTokens: 1 },
      metrics: { latencyMs: 1 },
    });
    const model = converseAssistant({
      client: new BedrockRuntimeClient({ region: 'us-east-1' }),
      modelId: 'model-x',
    });
    // Act
    const answer = model.answer('?', '');
    // Assess
    await expect(answer).rejects.toThrow('max_tokens');
    bedrock.restore();
  });
});
