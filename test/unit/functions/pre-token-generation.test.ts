import { describe, expect, it } from 'vitest';
import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { handler } from '../../../functions/pre-token-generation/handler.js';
import { lambdaContext } from './fakes.js';

/** A V2_0 event as Cognito sends it on sign-in (user pool Lambda triggers, "Pre token generation"). */
function event(groups: string[], attributes: Record<string, string>): PreTokenGenerationV2TriggerEvent {
  return {
    version: '2',
    triggerSource: 'TokenGeneration_Authentication',
    region: 'us-east-1',
    userPoolId: 'us-east-1_example',
    userName: 'someone',
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'client' },
    request: {
      userAttributes: { sub: 'sub-1', ...attributes },
      groupConfiguration: { groupsToOverride: groups, iamRolesToOverride: [] },
      scopes: ['aws.cognito.signin.user.admin'],
    },
    response: { claimsAndScopeOverrideDetails: {} },
  } as PreTokenGenerationV2TriggerEvent;
}

describe('pre token generation trigger', () => {
  it("adds a vendor's vendor id to both its ID and its access token", async () => {
    // Act
    const out = await handler(event(['vendor'], { 'custom:vendorId': 'v-aurora' }), lambdaContext('req-1'));
    // Assess
    expect(out.response.claimsAndScopeOverrideDetails).toEqual({
      idTokenGeneration: { claimsToAddOrOverride: { 'custom:vendorId': 'v-aurora' } },
      accessTokenGeneration: { claimsToAddOrOverride: { 'custom:vendorId': 'v-aurora' } },
    });
  });

  it('suppresses a vendor id from both tokens of a user outside the vendor group', async () => {
    // Act
    const out = await handler(event(['customer'], { 'custom:vendorId': 'v-aurora' }), lambdaContext('req-1'));
    // Assess
    expect(out.response.claimsAndScopeOverrideDetails).toEqual({
      idTokenGeneration: { claimsToSuppress: ['custom:vendorId'] },
      accessTokenGeneration: { claimsToSuppress: ['custom:vendorId'] },
    });
  });

  it('adds no vendor claim for a vendor-group member without a vendor id', async () => {
    // Act
    const out = await handler(event(['vendor'], {}), lambdaContext('req-1'));
    // Assess
    expect(out.response.claimsAndScopeOverrideDetails.accessTokenGeneration).toEqual({
      claimsToSuppress: ['custom:vendorId'],
    });
  });
});
