import type { TestProject } from 'vitest/node';
import { freePort, startDynamoDbLocal, type DynamoDbLocal } from '../../dynamodb/engine.js';
import type {} from './dynamodb.js'; // declares the ProvidedContext key

/** The run's one engine, kept on the main process's global object so that every project's setup shares it. */
interface SharedEngine {
  readonly starting: Promise<DynamoDbLocal>;
  users: number;
}
const KEY = Symbol.for('orderloop.test.dynamodb-engine');
const slot = globalThis as typeof globalThis & { [KEY]?: SharedEngine };

/** A hold on the run's one DynamoDB Local; the last `release` stops it. */
export interface SharedEngineHold {
  /** Resolves once the engine answers. */
  readonly ready: Promise<DynamoDbLocal>;
  release(): Promise<void>;
}

/**
 * Takes a hold on the run's one DynamoDB Local, starting it on first use. It resolves once the JVM is
 * spawned, not when it answers, so a caller can synthesize (synchronously) while the JVM boots.
 */
export async function holdSharedEngine(): Promise<SharedEngineHold> {
  if (!slot[KEY]) {
    const port = await freePort();
    // With the port given, the java process is spawned within this call.
    const starting = startDynamoDbLocal({ port, heap: '1g', quickStart: true });
    starting.catch(() => undefined); // observed through `ready`
    slot[KEY] ??= { starting, users: 0 };
  }
  const shared = slot[KEY];
  shared.users++;
  let released = false;
  return {
    ready: shared.starting,
    async release() {
      if (released) return;
      released = true;
      if (--shared.users > 0) return;
      if (slot[KEY] === shared) delete slot[KEY];
      await (await shared.starting).stop();
    },
  };
}

/**
 * Vitest global setup of the integration tier (the e2e tier's `test/global-setup.ts` holds the same
 * engine): one DynamoDB Local, one JVM, for every file of the run instead of one per file or per stack.
 * vitest loads a setup once per project, so the engine lives on the main process's global object. Files
 * stay apart by table name: `tableName()` of `./dynamodb.ts` in the integration tier, a table prefix per
 * stack in the e2e tier.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const hold = await holdSharedEngine();
  try {
    project.provide('dynamodbEndpoint', (await hold.ready).endpoint);
  } catch (error) {
    await hold.release();
    throw error;
  }
  return () => hold.release();
}
