import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The endpoint of the one DynamoDB Local every integration and e2e file of this run shares. */
    dynamodbEndpoint: string;
  }
}

/** The shared DynamoDB Local of the integration tier, as a file sees it: it never stops the engine. */
export interface SharedDynamoDb {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  readonly port: number;
}

/** The DynamoDB Local that the tier's global setup started (`./dynamodb-setup.ts`). */
export function sharedDynamoDb(): SharedDynamoDb {
  const endpoint = inject('dynamodbEndpoint');
  if (!endpoint) throw new Error('no shared DynamoDB Local: run this file in the integration or e2e project');
  return { endpoint, port: Number(new URL(endpoint).port) };
}

// One prefix per test file: every file runs in its own worker, so module state is per file.
const FILE_PREFIX = `f${randomBytes(4).toString('hex')}`;

/**
 * A table name that belongs to this test file alone on the shared engine: `<base>-<file prefix>`, so a
 * file never sees another file's items, streams or table listings by name.
 */
export function tableName(base: string): string {
  return `${base}-${FILE_PREFIX}`;
}
