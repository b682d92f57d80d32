import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The document client the consumers use on the single table. The endpoint comes only from the SDK's
 * standard configuration (AWS_ENDPOINT_URL_DYNAMODB locally), never from a code branch.
 */
export function createDocumentClient(
  client: DynamoDBClient = new DynamoDBClient({}),
): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** Groups lines by vendor, keeping the first-appearance order. */
export function linesByVendor<T extends { vendorId: string }>(lines: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const line of lines) {
    const group = groups.get(line.vendorId) ?? [];
    group.push(line);
    groups.set(line.vendorId, group);
  }
  return groups;
}
