import { randomBytes } from 'node:crypto';
import { sharedDynamoDb } from '@orderloop/local/testing/dynamodb';

/**
 * The `dynamodb` option of a stack that runs on the tier's one DynamoDB Local (test/global-setup.ts): its
 * tables are named with a prefix of their own, and its gateway lists only those, so stacks of different
 * files never see each other's tables. A stack that must own its engine (its java process is what a test
 * looks at) starts without it.
 */
export function sharedDynamoDbOption(): { endpoint: string; tablePrefix: string } {
  return { endpoint: sharedDynamoDb().endpoint, tablePrefix: `e2e${randomBytes(4).toString('hex')}-` };
}
