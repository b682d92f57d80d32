import { describe, expect, it } from 'vitest';
import { bedrockFromEnv } from '@orderloop/local/stack';

describe('the local assistant’s Bedrock setting', () => {
  it('keeps Bedrock unreachable unless ORDERLOOP_BEDROCK_PROFILE is set', () => {
    // Assess
    expect(bedrockFromEnv({})).toBeNull();
    expect(
      bedrockFromEnv({ ORDERLOOP_BEDROCK_MODEL_ID: 'anthropic.claude-3-haiku-20240307-v1:0' }),
    ).toBeNull();
  });

  it('takes the profile, model id and region from the environment', () => {
    // Act
    const bedrock = bedrockFromEnv({
      ORDERLOOP_BEDROCK_PROFILE: 'my-sandbox',
      ORDERLOOP_BEDROCK_MODEL_ID: 'us.anthropic.claude-3-5-haiku-20241022-v1:0',
      ORDERLOOP_BEDROCK_REGION: 'us-west-2',
    });
    // Assess
    expect(bedrock).toEqual({
      profile: 'my-sandbox',
      modelId: 'us.anthropic.claude-3-5-haiku-20241022-v1:0',
      region: 'us-west-2',
    });
  });
});
