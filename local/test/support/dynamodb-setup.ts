import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../dynamodb/engine.js';
import type {} from './dynamodb.js'; // declares the ProvidedContext key

/**
 * Vitest global setup of the integration tier: one DynamoDB Local (one JVM) for every file, instead of
 * one per file. Files stay apart by table name (see `./dynamodb.ts`): no file reads another's tables.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const engine = await startDynamoDbLocal({ heap: '1g' });
  project.provide('dynamodbEndpoint', engine.endpoint);
  return () => engine.stop();
}
