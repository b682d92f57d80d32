import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { metrics, powertoolsHandler } from '../lib/powertools.js';

/** The user attribute and claim that carry a vendor user's vendor id (see schema.graphql's header). */
export const VENDOR_ID_CLAIM = 'custom:vendorId';

/**
 * The Cognito pre token generation trigger (event version V2_0): Cognito puts custom attributes into ID
 * tokens only, so this copies the vendor id into the access token too, and both tokens authorize the same
 * things. Only members of the `vendor` group carry the claim; for anyone else it is suppressed from both
 * tokens, so an attribute set by mistake on a customer or admin never reaches a resolver.
 */
export const handler = powertoolsHandler(
  async (event: PreTokenGenerationV2TriggerEvent): Promise<PreTokenGenerationV2TriggerEvent> => {
    const claims = vendorIdentityClaims(event.request);
    metrics.addMetric(
      'vendorClaimsIssued',
      MetricUnit.Count,
      'claimsToAddOrOverride' in claims.accessTokenGeneration ? 1 : 0,
    );
    event.response = { claimsAndScopeOverrideDetails: claims };
    return event;
  },
);

/** The claim overrides for one user: the vendor id in both tokens for vendors, in neither for others. */
export function vendorIdentityClaims(request: PreTokenGenerationV2TriggerEvent['request']) {
  const vendorId = request.userAttributes[VENDOR_ID_CLAIM];
  const isVendor = (request.groupConfiguration.groupsToOverride ?? []).includes('vendor');
  if (isVendor && vendorId) {
    return {
      idTokenGeneration: { claimsToAddOrOverride: { [VENDOR_ID_CLAIM]: vendorId } },
      accessTokenGeneration: { claimsToAddOrOverride: { [VENDOR_ID_CLAIM]: vendorId } },
    };
  }
  return {
    idTokenGeneration: { claimsToSuppress: [VENDOR_ID_CLAIM] },
    accessTokenGeneration: { claimsToSuppress: [VENDOR_ID_CLAIM] },
  };
}
